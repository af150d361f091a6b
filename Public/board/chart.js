/*
 * The candlestick chart of one symbol from /history bars, with a time axis,
 * price labels that never repeat, and the day's reference as a dashed line.
 * Live ticks extend the last bar, or open the next one.
 */
(function (global) {
  'use strict';
  var Format = global.Board.Format;
  var SECONDS = {'1s': 1, '5s': 5, '1m': 60, '5m': 300, '15m': 900, '1h': 3600, '1d': 86400};

  function Chart(canvas) {
    this.canvas = canvas;
    this.bars = null;
    this.interval = '5s';
    this.reference = null;
  }
  Chart.SECONDS = SECONDS;

  Chart.prototype.setBars = function (bars) {
    this.bars = bars.map(function (x) { return {t: Date.parse(x.time), o: +x.open, h: +x.high, l: +x.low, c: +x.close}; });
    this.draw();
  };

  /** A live tick of the charted symbol (a late one only widens its own bar). */
  Chart.prototype.merge = function (t) {
    if (!this.bars) return;
    var ms = SECONDS[this.interval] * 1000, p = +t.price, at = Math.floor(Date.parse(t.ts) / ms) * ms;
    var last = this.bars[this.bars.length - 1];
    if (last && last.t === at) { last.h = Math.max(last.h, p); last.l = Math.min(last.l, p); last.c = p; }
    else if (!last || at > last.t) { this.bars.push({t: at, o: p, h: p, l: p, c: p}); if (this.bars.length > 120) this.bars.shift(); }
    this.draw();
  };

  Chart.prototype.draw = function () {
    var c = this.canvas, g = c.getContext('2d'), dpr = global.devicePixelRatio || 1;
    var w = c.width = c.clientWidth * dpr, h = c.height = c.clientHeight * dpr;
    g.clearRect(0, 0, w, h);
    g.font = (11 * dpr) + 'px system-ui';
    var data = this.bars;
    if (!data || !data.length) { g.fillStyle = '#8b949e'; g.font = (14 * dpr) + 'px system-ui'; g.fillText('no history yet', 20 * dpr, 30 * dpr); return; }
    var lo = Infinity, hi = -Infinity;
    data.forEach(function (b) { lo = Math.min(lo, b.l); hi = Math.max(hi, b.h); });
    var pad = (hi - lo) * 0.08 || hi * 0.001 || 1; lo -= pad; hi += pad;
    var axis = 64 * dpr, bottom = 22 * dpr, top = 8 * dpr;
    var slots = Math.max(data.length, 30), step = (w - axis) / slots, bw = Math.max(1, step * 0.6);
    var ms = SECONDS[this.interval] * 1000, t0 = data[data.length - 1].t - (slots - 1) * ms;
    function y(v) { return h - bottom - (v - lo) / (hi - lo) * (h - bottom - top); }
    function x(t) { return ((t - t0) / ms) * step + step / 2; }
    g.strokeStyle = '#262d36'; g.fillStyle = '#8b949e'; g.lineWidth = 1;
    Format.priceTicks(lo, hi, Math.max(3, Math.round(h / (60 * dpr)))).forEach(function (tk) {
      var yy = Math.round(y(tk.value)) + 0.5;
      g.beginPath(); g.moveTo(0, yy); g.lineTo(w - axis, yy); g.stroke();
      g.fillText(tk.label, w - axis + 6 * dpr, yy + 4 * dpr);
    });
    var lastT = data[data.length - 1].t + ms;
    Format.timeTicks(t0, lastT, Math.max(2, Math.round((w - axis) / (90 * dpr)))).forEach(function (tk) {
      var xx = Math.round(x(tk.time) - step / 2) + 0.5;
      g.beginPath(); g.moveTo(xx, top); g.lineTo(xx, h - bottom); g.stroke();
      var lw = g.measureText(tk.label).width;
      g.fillText(tk.label, Math.min(Math.max(0, xx - lw / 2), w - axis - lw), h - 6 * dpr);
    });
    if (this.reference !== null && this.reference >= lo && this.reference <= hi) {
      var ry = Math.round(y(this.reference)) + 0.5;
      g.save(); g.setLineDash([4 * dpr, 4 * dpr]); g.strokeStyle = '#58a6ff';
      g.beginPath(); g.moveTo(0, ry); g.lineTo(w - axis, ry); g.stroke(); g.restore();
    }
    data.forEach(function (b) {
      var xx = x(b.t), up = b.c >= b.o;
      g.strokeStyle = g.fillStyle = up ? '#2ea043' : '#f85149';
      g.beginPath(); g.moveTo(xx, y(b.h)); g.lineTo(xx, y(b.l)); g.stroke();
      var t = y(Math.max(b.o, b.c)), bt = y(Math.min(b.o, b.c));
      g.fillRect(xx - bw / 2, t, bw, Math.max(1, bt - t));
    });
  };

  global.Board.Chart = Chart;
})(window);
