// "Use my location" on the booking flow's "Where?" step: fills the latitude and longitude from the device's
// location where the browser can. The form works without it; the button stays hidden when there is no way.
(function () {
  var button = document.getElementById('use-location');
  if (!button || !navigator.geolocation) return;
  button.hidden = false;
  button.addEventListener('click', function () {
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        document.getElementById('lat').value = position.coords.latitude.toFixed(5);
        document.getElementById('lon').value = position.coords.longitude.toFixed(5);
        button.disabled = false;
        button.textContent = 'Location filled in';
      },
      function () {
        button.disabled = false;
        button.textContent = 'Location unavailable; type it in';
      }
    );
  });
})();
