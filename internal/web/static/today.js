// The "today" page: one tap, one greeting, never silent.
//
// - The page asks for the phone's position once and sends it with each
//   greeting, so a visit at the elder's door is verified without extra
//   taps. Without a position (denied, no GPS) greetings are still recorded,
//   unverified.
// - Each greeting form carries a key made by the server; the same key sent
//   twice stores one greeting, so a retry is always safe.
// - A refusal (422, 409, 403, 404) is shown on the elder's card; the button
//   stays ready.
// - When the network fails, the server fails (5xx) or there is no answer
//   within 10 s, the tap is kept on the phone (localStorage) with its time
//   and key and shown as 待发送 (pending, never ✓); it is sent again, with
//   the tap's time, when the connection returns, every 15 s, and when the
//   page is opened again.
(function () {
  var list = document.querySelector('ul.today');
  if (!list) return;
  var QUEUE = 'carecircle.pendingGreetings';
  var user = list.getAttribute('data-user') || '';
  var text = function (name) { return list.getAttribute('data-' + name) || ''; };
  var pos = null;

  if (navigator.geolocation && list.hasAttribute('data-geo')) {
    navigator.geolocation.watchPosition(function (p) {
      pos = p.coords;
      var note = document.querySelector('.geo-note');
      if (note) note.hidden = false;
    }, function () { pos = null; }, { enableHighAccuracy: true, maximumAge: 60000, timeout: 15000 });
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  // iso is a local time with its offset (RFC 3339), as the server reads it.
  function iso(d) {
    var off = -d.getTimezoneOffset(), sign = off >= 0 ? '+' : '-';
    off = Math.abs(off);
    return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) + 'T' + pad(d.getHours()) + ':' +
      pad(d.getMinutes()) + ':' + pad(d.getSeconds()) + sign + pad(Math.floor(off / 60)) + ':' + pad(off % 60);
  }
  // hm shows a time as the server's pages do, in the programme's zone.
  function hm(s) {
    var d = new Date(s);
    try {
      var t = d.toLocaleTimeString('en-GB', { timeZone: list.getAttribute('data-tz') || undefined, hour: '2-digit', minute: '2-digit', hour12: false });
      if (/^\d\d:\d\d$/.test(t)) return t;
    } catch (e) { /* an old phone without time zones: its own clock */ }
    return pad(d.getHours()) + ':' + pad(d.getMinutes());
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(QUEUE)) || []; } catch (e) { return []; }
  }
  function save(q) {
    try { localStorage.setItem(QUEUE, JSON.stringify(q)); } catch (e) { /* private mode: the page still shows it */ }
  }
  function mine(item) { return item.user === user; }
  function pendingFor(elder) {
    var q = load();
    for (var i = 0; i < q.length; i++) if (mine(q[i]) && q[i].elder === elder) return q[i];
    return null;
  }
  function enqueue(item) {
    var q = load();
    for (var i = 0; i < q.length; i++) if (q[i].key === item.key) return;
    q.push(item);
    save(q);
  }
  function settle(key) {
    save(load().filter(function (x) { return x.key !== key; }));
  }

  function card(elder) { return document.getElementById('elder-' + elder); }
  // say puts one line in the card's message place.
  function say(elder, cls, msg) {
    var c = card(elder);
    var slot = c && c.querySelector('.greet-status');
    if (!slot) return;
    var p = document.createElement('p');
    p.className = cls;
    p.setAttribute('role', cls.indexOf('refused') >= 0 ? 'alert' : 'status');
    p.textContent = msg;
    slot.innerHTML = '';
    slot.appendChild(p);
  }
  function showPending(item) {
    var c = card(item.elder);
    if (c) c.classList.add('is-pending');
    say(item.elder, 'pending', '⏳ ' + text('pending') + ' ' + hm(item.at) + ' · ' + text('pending-hint'));
  }
  function clearPending(elder) {
    var c = card(elder);
    if (c) c.classList.remove('is-pending');
  }
  function csrf() {
    var i = document.querySelector('input[name=csrf]');
    return i ? i.value : '';
  }

  // replaceCard puts the server's answer (the elder's card, and the
  // worklist out of band) in place of the card.
  function replaceCard(elder, html) {
    var t = document.createElement('template');
    t.innerHTML = html;
    var fresh = t.content.querySelector('li.today-elder');
    var worklist = t.content.querySelector('#worklist');
    var old = card(elder);
    if (fresh && old) {
      old.parentNode.replaceChild(fresh, old);
      if (window.htmx) htmx.process(fresh);
    }
    var oldList = document.getElementById('worklist');
    if (worklist && oldList) {
      worklist.removeAttribute('hx-swap-oob');
      oldList.parentNode.replaceChild(worklist, oldList);
    }
  }

  // send posts one kept tap again; done(goOn) says whether the next may go.
  function send(item, done) {
    var x = new XMLHttpRequest();
    var body = ['csrf=' + encodeURIComponent(csrf()), 'idempotency_key=' + encodeURIComponent(item.key),
      'at=' + encodeURIComponent(item.at), 'sent=' + encodeURIComponent(iso(new Date()))];
    if (item.code) body.push('code=' + encodeURIComponent(item.code));
    else if (item.lat != null && item.lon != null) body.push('lat=' + item.lat, 'lon=' + item.lon);
    x.open('POST', '/today/' + item.elder + '/greeting');
    x.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
    x.setRequestHeader('HX-Request', 'true');
    x.setRequestHeader('X-CSRF-Token', csrf());
    x.timeout = 10000;
    x.onload = function () {
      if (x.status === 401) { say(item.elder, 'refused field-error', text('login')); done(false); return; }
      if (x.status >= 500) { showPending(item); done(false); return; }
      var refused = x.status >= 400 && x.getResponseHeader('HX-Retarget');
      if (x.status >= 300 && !refused) {
        // Not an answer about the greeting (an expired page): kept until
        // the page is loaded again.
        say(item.elder, 'refused field-error', text('failed'));
        done(false);
        return;
      }
      settle(item.key);
      clearPending(item.elder);
      if (refused) {
        var c = card(item.elder), slot = c && c.querySelector('.greet-status');
        if (slot) slot.innerHTML = x.responseText;
      } else replaceCard(item.elder, x.responseText);
      done(true);
    };
    x.onerror = x.ontimeout = function () { showPending(item); done(false); };
    x.send(body.join('&'));
  }

  var flushing = false;
  // flush sends the kept taps one after another, oldest first, and stops at
  // the first that cannot get through.
  function flush() {
    if (flushing) return;
    var q = load().filter(mine);
    if (!q.length) return;
    flushing = true;
    var i = 0;
    (function next(goOn) {
      if (!goOn || i >= q.length) { flushing = false; return; }
      send(q[i++], next);
    })(true);
  }

  // greetForm is the greeting form an htmx event is about: the element
  // that made the request (swap events fire on the target instead).
  function greetForm(ev) {
    var el = (ev.detail.requestConfig && ev.detail.requestConfig.elt) || ev.detail.elt;
    return el && el.closest ? el.closest('form.greet-form') : null;
  }

  if (window.htmx) {
    htmx.config.timeout = 10000;
    document.body.addEventListener('htmx:configRequest', function (ev) {
      var form = greetForm(ev);
      if (!form) return;
      var params = ev.detail.parameters, elder = form.getAttribute('data-elder');
      var kept = pendingFor(elder);
      if (kept) {
        // The tap kept on the phone goes now, with its own key and time.
        params.idempotency_key = kept.key;
        params.at = kept.at;
        params.sent = iso(new Date());
      } else if (form.getAttribute('data-tap-key') !== params.idempotency_key) {
        form.setAttribute('data-tap-key', params.idempotency_key);
        form.setAttribute('data-tap-at', iso(new Date()));
      }
      if (pos && !params.code && !(kept && kept.lat != null)) {
        params.lat = pos.latitude;
        params.lon = pos.longitude;
      } else if (kept && kept.lat != null) {
        params.lat = kept.lat;
        params.lon = kept.lon;
      }
      form.setAttribute('data-sent-key', params.idempotency_key);
      form.setAttribute('data-sent-at', kept ? kept.at : form.getAttribute('data-tap-at'));
      form.setAttribute('data-sent-lat', params.lat == null ? '' : params.lat);
      form.setAttribute('data-sent-lon', params.lon == null ? '' : params.lon);
      say(elder, 'sending muted', text('sending'));
    });
    var keep = function (ev) {
      var form = greetForm(ev);
      if (!form) return;
      var lat = form.getAttribute('data-sent-lat'), lon = form.getAttribute('data-sent-lon');
      var code = form.querySelector('input[name=code]');
      var item = { user: user, elder: form.getAttribute('data-elder'), key: form.getAttribute('data-sent-key'),
        at: form.getAttribute('data-sent-at'), lat: lat ? Number(lat) : null, lon: lon ? Number(lon) : null,
        code: code ? code.value : '' };
      enqueue(item);
      showPending(item);
    };
    document.body.addEventListener('htmx:sendError', keep);
    document.body.addEventListener('htmx:timeout', keep);
    // A lapsed session sends the login page: keep the tap for after login.
    document.body.addEventListener('htmx:beforeOnLoad', function (ev) {
      if (ev.detail.xhr && ev.detail.xhr.status === 401) keep(ev);
    });
    document.body.addEventListener('htmx:beforeSwap', function (ev) {
      var form = greetForm(ev);
      if (!form) return;
      var x = ev.detail.xhr, elder = form.getAttribute('data-elder');
      if (x.status < 300 || (x.status < 500 && x.getResponseHeader('HX-Retarget'))) {
        // The server answered about the greeting: stored, or refused.
        settle(form.getAttribute('data-sent-key'));
        clearPending(elder);
      }
      if (x.status >= 500) {
        // No answer from the server itself (or a proxy in front of it):
        // kept, like a network failure; the key makes the retry safe.
        keep(ev);
      } else if (x.status >= 400 && x.getResponseHeader('HX-Retarget')) {
        ev.detail.shouldSwap = true;
        ev.detail.isError = false;
      } else if (x.status >= 400) {
        say(elder, 'refused field-error', text('failed'));
      }
    });
  }

  // Kept taps show as pending at once and go when they can.
  load().filter(mine).forEach(showPending);
  flush();
  window.addEventListener('online', flush);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) flush(); });
  setInterval(flush, 15000);
})();
