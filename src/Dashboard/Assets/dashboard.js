// Airlock dashboard: polls the charts' JSON and draws one SVG chart per plugin (calls, errors, denials per
// interval). Plugin names are hostile input: they only ever reach the page as textContent or attribute values
// set through the DOM, never as markup. No inline script or style is used (the page's CSP forbids them).
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';
  var SERIES = [
    { key: 'calls', label: 'calls', css: 'calls' },
    { key: 'errors', label: 'errors', css: 'errors' },
    { key: 'denials', label: 'denials', css: 'denials' }
  ];
  var WIDTH = 360, HEIGHT = 120, PAD = 24;

  function el(name, cls, text) {
    var node = document.createElement(name);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function svg(name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, String(attributes[key])); });
    return node;
  }

  function sum(values) { return values.reduce(function (a, b) { return a + b; }, 0); }

  function chart(series, count) {
    var max = 1;
    SERIES.forEach(function (s) { series[s.key].forEach(function (v) { if (v > max) { max = v; } }); });
    var root = svg('svg', { viewBox: '0 0 ' + WIDTH + ' ' + HEIGHT, width: WIDTH, height: HEIGHT, role: 'img', class: 'chart' });
    var title = svg('title', {});
    title.textContent = 'Calls, errors and denials of ' + series.plugin + ' per interval';
    root.appendChild(title);
    root.appendChild(svg('line', { x1: PAD, y1: HEIGHT - PAD, x2: WIDTH - 4, y2: HEIGHT - PAD, class: 'axis' }));
    root.appendChild(svg('line', { x1: PAD, y1: 6, x2: PAD, y2: HEIGHT - PAD, class: 'axis' }));
    var top = svg('text', { x: PAD - 4, y: 12, class: 'tick', 'text-anchor': 'end' });
    top.textContent = String(max);
    root.appendChild(top);
    var zero = svg('text', { x: PAD - 4, y: HEIGHT - PAD, class: 'tick', 'text-anchor': 'end' });
    zero.textContent = '0';
    root.appendChild(zero);
    var step = (WIDTH - PAD - 4) / Math.max(1, count - 1);
    SERIES.forEach(function (s) {
      var points = series[s.key].map(function (v, i) {
        var x = PAD + i * step;
        var y = (HEIGHT - PAD) - (v / max) * (HEIGHT - PAD - 8);
        return x.toFixed(1) + ',' + y.toFixed(1);
      }).join(' ');
      root.appendChild(svg('polyline', { points: points, class: 'line ' + s.css, fill: 'none' }));
    });
    return root;
  }

  function render(list, status, doc) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var count = doc.buckets;
    doc.plugins.forEach(function (series) {
      var card = el('article', 'chart-card');
      card.setAttribute('data-plugin', series.plugin);
      card.appendChild(el('h3', 'chart-plugin', series.plugin));
      card.appendChild(chart(series, count));
      var legend = el('p', 'legend');
      SERIES.forEach(function (s) {
        var item = el('span', 'key ' + s.css);
        item.appendChild(el('span', 'swatch ' + s.css));
        item.appendChild(document.createTextNode(s.label + ' ' + sum(series[s.key])));
        item.setAttribute('data-series', s.key);
        item.setAttribute('data-total', String(sum(series[s.key])));
        legend.appendChild(item);
      });
      card.appendChild(legend);
      list.appendChild(card);
    });
    var minutes = Math.max(1, Math.round((doc.intervalMs * count) / 60000));
    status.textContent = doc.plugins.length === 0
      ? 'No calls measured in the last ' + minutes + ' minute(s).'
      : 'Last ' + minutes + ' minute(s), one point per ' + (doc.intervalMs / 1000) + ' s; updated ' + new Date().toLocaleTimeString() + '.';
  }

  function start() {
    var section = document.getElementById('charts');
    if (!section) { return; }
    var url = section.getAttribute('data-metrics');
    var list = document.getElementById('chart-list');
    var status = document.getElementById('chart-status');
    var delay = 5000;
    function poll() {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (response) {
          if (!response.ok) { throw new Error('HTTP ' + response.status); }
          return response.json();
        })
        .then(function (doc) {
          delay = Math.max(1000, Math.min(doc.intervalMs, 10000));
          render(list, status, doc);
        })
        .catch(function (error) { status.textContent = 'Cannot read the measurements: ' + error.message; })
        .then(function () { window.setTimeout(poll, delay); });
    }
    poll();
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
