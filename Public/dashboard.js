/*
 * The dashboard: a quote board fed by ticker.js, a chart from /history.
 * Symbols always go into the page as text (textContent), never as HTML.
 */
(function () {
  'use strict';
  var DEFAULT = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'NVDA', 'META', 'TSLA', 'JPM'];
  var INTERVALS = ['1s', '5s', '1m', '5m', '15m', '1h', '1d'];
  var rows = {}, first = {}, spark = {}, count = 0;
  var selected = null, interval = '5s', chartData = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }

  function initialSymbols() {
    var q = new URLSearchParams(location.search).get('symbols');
    var list = q ? q.split(',') : (JSON.parse(localStorage.getItem('ticker.symbols') || 'null') || DEFAULT);
    return list.map(function (s) { return s.trim().toUpperCase(); }).filter(function (s, i, a) { return s && a.indexOf(s) === i; });
  }
  var symbols = initialSymbols();

  function save() {
    localStorage.setItem('ticker.symbols', JSON.stringify(symbols));
    var u = new URL(location.href);
    u.searchParams.set('symbols', symbols.join(','));
    history.replaceState(null, '', u);
  }

  function addRow(sym) {
    if (rows[sym]) return;
    var tr = el('tr'); tr.setAttribute('data-symbol', sym);
    var cells = {};
    tr.appendChild(el('td', 'sym', sym));
    [['price', ''], ['change', ''], ['pct', ''], ['bid', 'wide'], ['ask', 'wide'], ['size', 'wide'], ['time', '']].forEach(function (f) {
      var td = el('td', f[1], '–'); td.setAttribute('data-field', f[0]); cells[f[0]] = td; tr.appendChild(td);
    });
    var sc = el('td', 'wide'); var canvas = el('canvas', 'spark'); canvas.width = 90; canvas.height = 24; sc.appendChild(canvas); tr.appendChild(sc);
    var rm = el('td'); var b = el('button', 'remove', '×'); b.title = 'Remove ' + sym; rm.appendChild(b); tr.appendChild(rm);
    b.onclick = function (e) { e.stopPropagation(); removeSymbol(sym); };
    tr.onclick = function () { select(sym); };
    rows[sym] = {tr: tr, cells: cells, canvas: canvas, last: null};
    spark[sym] = [];
    $('rows').appendChild(tr);
    loadSpark(sym);
  }

  function fmt(n, digits) { return (n > 0 ? '+' : '') + n.toFixed(digits); }

  function show(t, live) {
    var r = rows[t.symbol]; if (!r) return;
    var p = parseFloat(t.price);
    if (first[t.symbol] === undefined) first[t.symbol] = p;
    var ch = p - first[t.symbol], pct = first[t.symbol] ? ch / first[t.symbol] * 100 : 0;
    r.cells.price.textContent = t.price;
    r.cells.change.textContent = fmt(ch, 2);
    r.cells.pct.textContent = fmt(pct, 2) + '%';
    r.cells.change.className = r.cells.pct.className = ch > 0 ? 'up' : ch < 0 ? 'down' : '';
    r.cells.bid.textContent = t.bid || '–';
    r.cells.ask.textContent = t.ask || '–';
    r.cells.size.textContent = t.size === undefined ? '–' : String(t.size);
    r.cells.time.textContent = new Date(t.ts).toLocaleTimeString();
    if (live && r.last !== null && p !== r.last) {
      var c = r.cells.price; c.classList.remove('flash-up', 'flash-down'); void c.offsetWidth;
      c.classList.add(p > r.last ? 'flash-up' : 'flash-down');
    }
    r.last = p;
    var s = spark[t.symbol]; s.push(p); if (s.length > 120) s.shift();
    drawSpark(t.symbol);
    if (live && t.symbol === selected && chartData) { mergeIntoChart(t); }
  }

  function drawSpark(sym) {
    var c = rows[sym].canvas, g = c.getContext('2d'), d = spark[sym];
    g.clearRect(0, 0, c.width, c.height);
    if (d.length < 2) return;
    var lo = Math.min.apply(null, d), hi = Math.max.apply(null, d), span = hi - lo || 1;
    g.strokeStyle = d[d.length - 1] >= d[0] ? '#2ea043' : '#f85149'; g.lineWidth = 1.5; g.beginPath();
    d.forEach(function (v, i) { var x = i / (d.length - 1) * (c.width - 2) + 1, y = c.height - 2 - (v - lo) / span * (c.height - 4); i ? g.lineTo(x, y) : g.moveTo(x, y); });
    g.stroke();
  }

  function loadSpark(sym) {
    fetch('history?' + new URLSearchParams({symbol: sym, limit: 120})).then(function (r) { return r.json(); }).then(function (b) {
      if (!b.ticks || !rows[sym]) return;
      spark[sym] = b.ticks.map(function (t) { return parseFloat(t.price); }).concat(spark[sym]).slice(-120);
      drawSpark(sym);
    }).catch(function () {});
  }

  // ---- chart ----
  function select(sym) {
    selected = sym;
    Object.keys(rows).forEach(function (s) { rows[s].tr.classList.toggle('selected', s === sym); });
    $('chart-title').textContent = sym + ' · ' + interval;
    loadChart();
  }

  function loadChart() {
    if (!selected) return;
    var sym = selected;
    fetch('history?' + new URLSearchParams({symbol: sym, interval: interval, limit: 120})).then(function (r) { return r.json(); }).then(function (b) {
      if (sym !== selected) return;
      chartData = (b.bars || []).map(function (x) { return {t: Date.parse(x.time), o: +x.open, h: +x.high, l: +x.low, c: +x.close}; });
      drawChart();
    }).catch(function () {});
  }

  var SECONDS = {'1s': 1, '5s': 5, '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '1d': 86400};
  function mergeIntoChart(t) {
    var ms = SECONDS[interval] * 1000, p = parseFloat(t.price), at = Math.floor(Date.parse(t.ts) / ms) * ms;
    var last = chartData[chartData.length - 1];
    if (last && last.t === at) { last.h = Math.max(last.h, p); last.l = Math.min(last.l, p); last.c = p; }
    else if (!last || at > last.t) { chartData.push({t: at, o: p, h: p, l: p, c: p}); if (chartData.length > 120) chartData.shift(); }
    drawChart();
  }

  function drawChart() {
    var c = $('chart'), g = c.getContext('2d');
    var w = c.width = c.clientWidth * (window.devicePixelRatio || 1), h = c.height = 300 * (window.devicePixelRatio || 1);
    g.clearRect(0, 0, w, h);
    if (!chartData || !chartData.length) { g.fillStyle = '#8b949e'; g.font = (14 * (window.devicePixelRatio || 1)) + 'px system-ui'; g.fillText('no history yet', 20, 30); return; }
    var lo = Infinity, hi = -Infinity;
    chartData.forEach(function (b) { lo = Math.min(lo, b.l); hi = Math.max(hi, b.h); });
    var pad = (hi - lo) * 0.08 || 1; lo -= pad; hi += pad;
    var axis = 70 * (window.devicePixelRatio || 1), step = (w - axis) / Math.max(chartData.length, 20), bw = Math.max(1, step * 0.6);
    function y(v) { return h - 20 - (v - lo) / (hi - lo) * (h - 30); }
    g.strokeStyle = '#262d36'; g.fillStyle = '#8b949e'; g.font = (11 * (window.devicePixelRatio || 1)) + 'px system-ui';
    for (var i = 0; i <= 4; i++) { var v = lo + (hi - lo) * i / 4, yy = y(v); g.beginPath(); g.moveTo(0, yy); g.lineTo(w - axis, yy); g.stroke(); g.fillText(v.toFixed(2), w - axis + 6, yy + 4); }
    chartData.forEach(function (b, i) {
      var x = i * step + step / 2, up = b.c >= b.o;
      g.strokeStyle = g.fillStyle = up ? '#2ea043' : '#f85149';
      g.beginPath(); g.moveTo(x, y(b.h)); g.lineTo(x, y(b.l)); g.stroke();
      var top = y(Math.max(b.o, b.c)), bot = y(Math.min(b.o, b.c));
      g.fillRect(x - bw / 2, top, bw, Math.max(1, bot - top));
    });
  }

  // ---- symbols ----
  var conn;
  function removeSymbol(sym) {
    symbols = symbols.filter(function (s) { return s !== sym; });
    if (rows[sym]) { rows[sym].tr.remove(); delete rows[sym]; }
    conn.unsubscribe(sym); save();
    if (selected === sym) { selected = null; if (symbols.length) select(symbols[0]); }
  }

  $('add').onsubmit = function (e) {
    e.preventDefault();
    var sym = $('symbol-input').value.trim().toUpperCase();
    $('symbol-input').value = '';
    if (!/^[A-Z0-9^][A-Z0-9.=^\/_-]{0,19}$/.test(sym)) { showError('not a symbol: ' + sym); return; }
    if (symbols.indexOf(sym) >= 0) return;
    symbols.push(sym); addRow(sym); conn.subscribe(sym); save();
  };

  function showError(text) { var p = $('error'); p.textContent = text; p.hidden = false; setTimeout(function () { p.hidden = true; }, 4000); }

  INTERVALS.forEach(function (iv) {
    var b = el('button', iv === interval ? 'on' : '', iv);
    b.onclick = function () { interval = iv; Array.prototype.forEach.call($('intervals').children, function (x) { x.classList.toggle('on', x === b); }); if (selected) select(selected); };
    $('intervals').appendChild(b);
  });
  window.addEventListener('resize', drawChart);

  var valid = symbols.filter(function (s) { return /^[A-Z0-9^][A-Z0-9.=^\/_-]{0,19}$/.test(s); });
  symbols.filter(function (s) { return valid.indexOf(s) < 0; }).forEach(function (s) { showError('not a symbol: ' + s); });
  symbols = valid.length ? valid : DEFAULT.slice();
  symbols.forEach(addRow);
  if (symbols.length) select(symbols[0]);

  window.tickIds = [];
  var options = {
    symbols: symbols,
    onTick: function (t, info) {
      if (!info || !info.snapshot) {
        // Kept for the browser tests and for anyone debugging in the console.
        window.tickIds.push(t.id);
        if (!window.firstLiveTickAt) window.firstLiveTickAt = performance.now();
        count += 1; $('count').textContent = count; $('cursor').textContent = t.id;
        var lat = Date.now() - Date.parse(t.ts);
        if (lat >= 0 && lat < 600000) $('latency').textContent = lat + ' ms';
      }
      show(t, !(info && info.snapshot));
    },
    onStatus: function (s) {
      document.querySelector('[data-testid="transport"]').textContent = s.transport;
      if (s.cursor !== null && s.cursor !== undefined) $('cursor').textContent = s.cursor;
      $('note').textContent = s.conflated ? 'slow connection: showing latest values' : s.error ? 'retrying…' : '';
    }
  };
  var params = new URLSearchParams(location.search);
  if (params.get('transport')) options.transport = params.get('transport');
  if (params.get('helloTimeout')) options.helloTimeout = +params.get('helloTimeout');
  if (params.get('probeInterval')) options.probeInterval = +params.get('probeInterval');
  conn = Ticker.connect(options);
  window.tickerConnection = conn;
})();
