/* meshgate site: filters the index from the JSON index embedded in the page.
 * State lives in the URL hash (#q=...&env=...&pii=1&min=N) so a filtered view can be linked. */
(function () {
  'use strict';
  var data = document.getElementById('mg-index');
  var table = document.getElementById('products');
  if (!data || !table) return;
  var index = JSON.parse(data.textContent);
  var rows = table.tBodies[0].rows;
  var q = document.getElementById('q'), env = document.getElementById('env');
  var pii = document.getElementById('pii'), min = document.getElementById('min');
  var count = document.getElementById('count');
  function fromHash() {
    var h = new URLSearchParams(location.hash.slice(1));
    q.value = h.get('q') || ''; env.value = h.get('env') || '';
    pii.checked = h.get('pii') === '1'; min.value = h.get('min') || '0';
  }
  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(Boolean);
    var e = env.value, p = pii.checked, m = parseInt(min.value, 10) || 0, shown = 0;
    for (var i = 0; i < index.length; i++) {
      var it = index[i], ok = (!e || it[0] === e) && (!p || it[1]) && it[2] >= m;
      for (var w = 0; ok && w < words.length; w++) ok = it[3].indexOf(words[w]) >= 0;
      if (rows[i].hidden === ok) rows[i].hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = shown + ' of ' + index.length + ' products';
  }
  var timer = 0;
  function changed() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var h = new URLSearchParams();
      if (q.value) h.set('q', q.value); if (env.value) h.set('env', env.value);
      if (pii.checked) h.set('pii', '1'); if (min.value !== '0') h.set('min', min.value);
      history.replaceState(null, '', '#' + h.toString());
      apply();
    }, 120);
  }
  [q, env, pii, min].forEach(function (el) { el.addEventListener('input', changed); el.addEventListener('change', changed); });
  window.addEventListener('hashchange', function () { fromHash(); apply(); });
  fromHash(); apply();
})();
