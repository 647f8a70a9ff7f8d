// The "today" page asks for the phone's position once and sends it with each
// greeting, so a visit at the elder's door is verified without extra taps.
// Without a position (denied, no GPS) greetings are still recorded, unverified.
(function () {
  var pos = null;
  if (!navigator.geolocation || !document.querySelector('[data-geo]')) return;
  navigator.geolocation.watchPosition(function (p) {
    pos = p.coords;
    var note = document.querySelector('.geo-note');
    if (note) note.hidden = false;
  }, function () { pos = null; }, { enableHighAccuracy: true, maximumAge: 60000, timeout: 15000 });
  document.body.addEventListener('htmx:configRequest', function (ev) {
    if (pos && ev.detail.path.indexOf('/greeting') > 0 && !ev.detail.parameters.code) {
      ev.detail.parameters.lat = pos.latitude;
      ev.detail.parameters.lon = pos.longitude;
    }
  });
})();
