/* squall report: draws the timeline charts from the JSON data block with the inlined uPlot, on one
   shared time axis with synced cursors; shades and labels every fault window on every chart; draws
   the prediction's spread as a band; sorts tables. No request leaves the page. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('squall-data').textContent);
  var HUES = ['#3a5bd9', '#0e9f6e', '#7c3aed', '#e11d48', '#d97706', '#b91c1c', '#0891b2', '#475569'];

  function rgba(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function fmt(v) {
    if (v == null || !isFinite(v)) return '—';
    var a = Math.abs(v);
    if (Number.isInteger(v)) return v.toLocaleString('en-US');
    if (a >= 100) return v.toFixed(0);
    if (a >= 1) return v.toFixed(2);
    return v.toPrecision(2);
  }

  /* Fault windows behind the series, their labels and the load's end on top. */
  function faultsPlugin(faults, loadEndS) {
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height;
          ctx.save();
          faults.forEach(function (f) {
            var x0 = u.valToPos(f.fromS, 'x', true), x1 = u.valToPos(f.toS, 'x', true);
            ctx.fillStyle = 'rgba(232,120,40,0.13)';
            ctx.fillRect(x0, top, Math.max(1, x1 - x0), h);
            ctx.strokeStyle = 'rgba(232,120,40,0.55)';
            ctx.lineWidth = 1;
            ctx.beginPath(); ctx.moveTo(x0, top); ctx.lineTo(x0, top + h); ctx.moveTo(x1, top); ctx.lineTo(x1, top + h); ctx.stroke();
          });
          ctx.restore();
        }],
        draw: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, pr = devicePixelRatio || 1;
          ctx.save();
          ctx.font = (11 * pr) + 'px system-ui, sans-serif';
          ctx.textBaseline = 'top';
          ctx.textAlign = 'left';
          faults.forEach(function (f) {
            var x0 = u.valToPos(f.fromS, 'x', true), x1 = u.valToPos(f.toS, 'x', true);
            var text = '#' + f.id + ' ' + f.label;
            var room = x1 - x0 - 8 * pr;
            while (text.length > 4 && ctx.measureText(text).width > room) text = text.slice(0, -2);
            if (text.length <= 4) text = '#' + f.id;
            ctx.fillStyle = '#b65310';
            ctx.fillText(text, x0 + 4 * pr, top + 3 * pr);
          });
          if (loadEndS != null && loadEndS < u.scales.x.max) {
            var xe = u.valToPos(loadEndS, 'x', true);
            ctx.strokeStyle = 'rgba(71,85,105,0.6)';
            ctx.setLineDash([3 * pr, 3 * pr]);
            ctx.beginPath(); ctx.moveTo(xe, top); ctx.lineTo(xe, top + u.bbox.height); ctx.stroke();
            ctx.setLineDash([]);
            ctx.fillStyle = '#475569';
            ctx.textAlign = 'right';
            ctx.fillText('load ends', xe - 4 * pr, top + u.bbox.height - 14 * pr);
          }
          ctx.restore();
        }],
      },
    };
  }

  /* The prediction's spread (lower..upper) as a filled band, under the lines. */
  function bandsPlugin(bands) {
    return {
      hooks: {
        drawClear: [function (u) {
          var ctx = u.ctx, xs = u.data[0];
          ctx.save();
          bands.forEach(function (b) {
            ctx.fillStyle = rgba(b.color, 0.14);
            var seg = [];
            function flush() {
              if (seg.length > 1) {
                ctx.beginPath();
                seg.forEach(function (i, k) { var x = u.valToPos(xs[i], 'x', true), y = u.valToPos(b.upper[i], 'y', true); if (k) ctx.lineTo(x, y); else ctx.moveTo(x, y); });
                for (var k = seg.length - 1; k >= 0; k--) { var i = seg[k]; ctx.lineTo(u.valToPos(xs[i], 'x', true), u.valToPos(b.lower[i], 'y', true)); }
                ctx.closePath(); ctx.fill();
              }
              seg = [];
            }
            for (var i = 0; i < xs.length; i++) { if (b.upper[i] == null || b.lower[i] == null) flush(); else seg.push(i); }
            flush();
          });
          ctx.restore();
        }],
      },
    };
  }

  function chartWidth(el) { return Math.max(320, Math.floor(el.clientWidth || 560)); }

  var plots = [];
  function draw() {
    var root = document.getElementById('charts');
    if (!root || !data.charts) return;
    var group = null;
    var sync = uPlot.sync('squall');
    data.charts.forEach(function (c) {
      if (c.group !== group) {
        group = c.group;
        var g = document.createElement('div'); g.className = 'chart-group'; g.textContent = group; root.appendChild(g);
      }
      var box = document.createElement('div'); box.className = 'chart'; box.id = 'chart-' + c.id;
      box.setAttribute('data-chart', c.id);
      var h = document.createElement('h4'); h.textContent = c.title;
      if (c.unit) { var s = document.createElement('small'); s.textContent = c.unit; h.appendChild(s); }
      var note = document.createElement('p'); note.className = 'note'; note.textContent = c.note;
      box.appendChild(h); box.appendChild(note); root.appendChild(box);

      var series = [{ label: 't (s)', value: function (u, v) { return v == null ? '—' : v + ' s'; } }];
      var cols = [data.x];
      var bands = [];
      c.lines.forEach(function (l) {
        var color = HUES[l.hue % HUES.length];
        var spec = { label: l.label, scale: 'y', value: function (u, v) { return fmt(v); }, spanGaps: false, points: { show: false } };
        if (l.role === 'measured') { spec.stroke = color; spec.width = 1.75; }
        else if (l.role === 'predicted') { spec.stroke = color; spec.width = 1.5; spec.dash = [6, 4]; }
        else if (l.role === 'baseline') { spec.stroke = rgba(color, 0.32); spec.width = 1.25; }
        else { spec.stroke = rgba(color, 0.85); spec.width = 1.25; spec.dash = [2, 3]; spec.paths = uPlot.paths.stepped({ align: 1 }); }
        series.push(spec);
        cols.push(l.values);
        if (l.lower && l.upper) bands.push({ color: color, lower: l.lower, upper: l.upper });
      });
      var opts = {
        width: chartWidth(box), height: 210,
        cursor: { sync: { key: sync.key, setSeries: false }, drag: { x: true, y: false } },
        scales: { x: { time: false }, y: { range: function (u, min, max) { var lo = Math.min(0, min == null ? 0 : min); var hi = max == null || max <= lo ? lo + 1 : max * 1.08; return [lo, hi]; } } },
        axes: [
          { stroke: '#5d6678', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e3e7ee' }, values: function (u, vs) { return vs.map(function (v) { return v + ' s'; }); } },
          { stroke: '#5d6678', grid: { stroke: '#eef1f5' }, ticks: { stroke: '#e3e7ee' }, size: 56, values: function (u, vs) { return vs.map(fmt); } },
        ],
        legend: { live: true },
        series: series,
        plugins: [bandsPlugin(bands), faultsPlugin(data.faults || [], data.loadEndS)],
      };
      var p = new uPlot(opts, cols, box);
      plots.push({ plot: p, box: box });
    });
  }

  function sortable() {
    Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (t) {
      var ths = t.querySelectorAll('thead th');
      Array.prototype.forEach.call(ths, function (th, col) {
        th.addEventListener('click', function () {
          var asc = th.getAttribute('aria-sort') !== 'ascending';
          Array.prototype.forEach.call(ths, function (o) { o.removeAttribute('aria-sort'); });
          th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
          var num = th.getAttribute('data-type') === 'num';
          var body = t.tBodies[0];
          var rows = Array.prototype.slice.call(body.rows);
          rows.sort(function (a, b) {
            var x = a.cells[col], y = b.cells[col];
            var r;
            if (num) {
              var xv = parseFloat(x.getAttribute('data-v')), yv = parseFloat(y.getAttribute('data-v'));
              xv = isNaN(xv) ? -Infinity : Math.abs(xv); yv = isNaN(yv) ? -Infinity : Math.abs(yv);
              r = xv - yv;
            } else r = x.textContent.localeCompare(y.textContent);
            return asc ? r : -r;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { plots.forEach(function (p) { p.plot.setSize({ width: chartWidth(p.box), height: 210 }); }); }, 120);
  });
  window.addEventListener('beforeprint', function () { plots.forEach(function (p) { p.plot.setSize({ width: 480, height: 180 }); }); });
  window.addEventListener('afterprint', function () { plots.forEach(function (p) { p.plot.setSize({ width: chartWidth(p.box), height: 210 }); }); });

  draw();
  sortable();
  // The browser test and the bench read these: how many charts drew, and the plots themselves.
  window.squallPlots = plots.map(function (p) { return p.plot; });
  window.__squallDrawnAt = performance.now();
  document.documentElement.setAttribute('data-charts-drawn', String(plots.length));
})();
