// Print the service card when the user chose "print" (A4 or A5).
if (new URLSearchParams(location.search).get('print') === '1') {
  window.addEventListener('load', function () { window.print(); });
}
