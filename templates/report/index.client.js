/* squall index: one sparkline per key figure per experiment, oldest run left, newest right; a dot
   per run coloured by its verdict. Plain canvas, no request leaves the page. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('squall-data').textContent);
  var COLORS = { pass: '#13795b', fail: '#b42318', incomplete: '#9a6700' };
  function fmt(v) {
    if (v == null || !isFinite(v)) return '—';
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2);
  }
  var drawn = 0;
  Array.prototype.forEach.call(document.querySelectorAll('.trend'), function (box) {
    var exp = data.experiments[Number(box.getAttribute('data-index'))];
    Object.keys(exp.trend).forEach(function (name) {
      var vals = exp.trend[name];
      if (!vals.some(function (v) { return v != null; })) return;
      var card = document.createElement('div'); card.className = 'spark';
      var last = null;
      for (var i = vals.length - 1; i >= 0; i--) if (vals[i] != null) { last = vals[i]; break; }
      var label = document.createElement('div'); label.className = 'label';
      label.textContent = name + ': ' + (name === 'cost of the run' ? '$' + fmt(last) : fmt(last));
      var cv = document.createElement('canvas');
      card.appendChild(label); card.appendChild(cv); box.appendChild(card);
      var pr = window.devicePixelRatio || 1, w = cv.clientWidth || 160, h = 40;
      cv.width = w * pr; cv.height = h * pr;
      var ctx = cv.getContext('2d'); ctx.scale(pr, pr);
      var xs = vals.map(function (v, i) { return vals.length === 1 ? w / 2 : 4 + (i * (w - 8)) / (vals.length - 1); });
      var nums = vals.filter(function (v) { return v != null; });
      var lo = Math.min.apply(null, nums), hi = Math.max.apply(null, nums);
      if (hi === lo) { hi = lo + 1; lo = lo - 1; }
      var y = function (v) { return h - 5 - ((v - lo) / (hi - lo)) * (h - 10); };
      ctx.strokeStyle = '#3a5bd9'; ctx.lineWidth = 1.5; ctx.beginPath();
      var started = false;
      vals.forEach(function (v, i) { if (v == null) { started = false; return; } if (started) ctx.lineTo(xs[i], y(v)); else { ctx.moveTo(xs[i], y(v)); started = true; } });
      ctx.stroke();
      vals.forEach(function (v, i) { if (v == null) return; ctx.fillStyle = COLORS[exp.verdicts[i]] || '#475569'; ctx.beginPath(); ctx.arc(xs[i], y(v), 2.5, 0, 6.3); ctx.fill(); });
      drawn++;
    });
  });
  document.documentElement.setAttribute('data-sparklines-drawn', String(drawn));
})();
