// Address fields (`input[data-address]`): suggestions from the practice's own address index as a person
// types, and "use my location", which asks the server for the nearest known address. Without script the
// form still works: the server looks the typed address up and offers a choice when it is unsure.
(function () {
  'use strict';
  var MIN_CHARS = 3;
  var WAIT_MS = 150;

  function setUp(input) {
    var list = document.getElementById(input.getAttribute('aria-controls'));
    var status = document.getElementById(input.id + '-status');
    if (!list) return;
    var timer = null;
    var asked = 0;
    var active = -1;
    var places = [];

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');

    function say(text) { if (status) status.textContent = text; }

    function close() {
      list.hidden = true;
      list.textContent = '';
      places = [];
      active = -1;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
    }

    function pick(i) {
      if (i < 0 || i >= places.length) return;
      input.value = places[i].label;
      close();
      say('Address chosen: ' + input.value);
      input.focus();
    }

    function highlight(i) {
      var items = list.querySelectorAll('[role=option]');
      for (var k = 0; k < items.length; k++) items[k].setAttribute('aria-selected', k === i ? 'true' : 'false');
      active = i;
      if (i >= 0 && items[i]) input.setAttribute('aria-activedescendant', items[i].id);
      else input.removeAttribute('aria-activedescendant');
    }

    function show(found) {
      list.textContent = '';
      places = found;
      active = -1;
      if (!found.length) { close(); say('No matching addresses yet; keep typing the street and number.'); return; }
      found.forEach(function (p, i) {
        var li = document.createElement('li');
        li.id = input.id + '-option-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.textContent = p.label;
        li.addEventListener('mousedown', function (e) { e.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      say(found.length + (found.length === 1 ? ' address suggested' : ' addresses suggested') + '; use the arrow keys to choose.');
    }

    function ask() {
      var q = input.value.trim();
      if (q.length < MIN_CHARS) { close(); return; }
      var mine = ++asked;
      fetch('/api/v1/places?limit=6&q=' + encodeURIComponent(q), { headers: { Accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : { places: [] }; })
        .then(function (body) { if (mine === asked) show(body.places || []); })
        .catch(function () { if (mine === asked) close(); });
    }

    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(ask, WAIT_MS);
    });
    input.addEventListener('keydown', function (e) {
      if (list.hidden || !places.length) return;
      if (e.key === 'ArrowDown') { e.preventDefault(); highlight((active + 1) % places.length); }
      else if (e.key === 'ArrowUp') { e.preventDefault(); highlight(active <= 0 ? places.length - 1 : active - 1); }
      else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); pick(active); }
      else if (e.key === 'Escape') { close(); }
    });
    input.addEventListener('blur', function () { setTimeout(close, 100); });

    var locate = document.querySelector('[data-locate-for="' + input.id + '"]');
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener('click', function () {
        locate.disabled = true;
        say('Finding your location…');
        navigator.geolocation.getCurrentPosition(function (pos) {
          var url = '/api/v1/places/reverse?lat=' + pos.coords.latitude.toFixed(6) + '&lon=' + pos.coords.longitude.toFixed(6);
          fetch(url, { headers: { Accept: 'application/json' } })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (place) {
              locate.disabled = false;
              if (place && place.label) { input.value = place.label; say('Address filled in: ' + place.label + '. Check the number.'); }
              else say('We found no address near you; please type it.');
            })
            .catch(function () { locate.disabled = false; say('Your location could not be looked up; please type the address.'); });
        }, function () {
          locate.disabled = false;
          say('Your location is not available; please type the address.');
        }, { enableHighAccuracy: true, timeout: 10000 });
      });
    }
  }

  var inputs = document.querySelectorAll('input[data-address]');
  for (var i = 0; i < inputs.length; i++) setUp(inputs[i]);
})();
