// A region that scrolls sideways (a wide table or chart on a phone) must be
// reachable by keyboard: it gets tabindex=0, role=region and a name from
// the nearest heading (issue 14 point 10; axe: scrollable-region-focusable).
(function () {
  function name(el) {
    var h = el.querySelector('caption, h2, h3');
    for (var p = el; !h && p && p !== document.body; p = p.parentElement) {
      for (var s = p.previousElementSibling; s && !h; s = s.previousElementSibling) {
        if (/^H[1-4]$/.test(s.tagName)) h = s;
      }
    }
    return (h ? h.textContent : document.title).trim().replace(/\s+/g, ' ');
  }
  function mark(root) {
    (root || document).querySelectorAll('.table-wrap, .dash-card, #chart, .service-card').forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute('tabindex')) {
        el.setAttribute('tabindex', '0');
        if (!el.getAttribute('role')) el.setAttribute('role', 'region');
        if (!el.getAttribute('aria-label')) el.setAttribute('aria-label', name(el));
      }
    });
  }
  document.addEventListener('DOMContentLoaded', function () { mark(); });
  window.addEventListener('resize', function () { mark(); });
  document.addEventListener('htmx:afterSettle', function (e) { mark(e.target); });
})();
