/*
 * Formatting for the board, pure (Tests/js/format.test.js): ages, times with
 * their date when not today, and chart axis steps whose labels never repeat.
 */
(function (global) {
  'use strict';

  /** "4s", "3m", "2h", "5d": how old a quote is. */
  function age(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s < 60) return s + 's';
    if (s < 3600) return Math.floor(s / 60) + 'm';
    if (s < 86400) return Math.floor(s / 3600) + 'h';
    return Math.floor(s / 86400) + 'd';
  }

  /** "delayed 15 min", "delayed 2 s": what a delayed row says (the server's `delay`, seconds). */
  function delay(seconds) {
    var s = Math.max(0, Math.round(seconds));
    if (s < 60 || s % 60) return 'delayed ' + s + ' s';
    if (s < 7200 || s % 3600) return 'delayed ' + s / 60 + ' min';
    return 'delayed ' + s / 3600 + ' h';
  }

  /**
   * "123 ms": how long a live tick took from its `ts` to this page, or null
   * for a tick that says nothing about that: a delayed one (it waited on
   * purpose) or one with a clock far off (negative, or ten minutes and more).
   */
  function latency(tick, now) {
    if (tick.delayed) return null;
    var ms = now - Date.parse(tick.ts);
    return ms >= 0 && ms < 600000 ? ms + ' ms' : null;
  }

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  /** "14:03:07" today, "Nov 25 14:03:07" before (local time). */
  function time(ms, now) {
    var d = new Date(ms), n = new Date(now);
    var hms = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
    var today = d.getFullYear() === n.getFullYear() && d.getMonth() === n.getMonth() && d.getDate() === n.getDate();
    if (today) return hms;
    return MONTHS[d.getMonth()] + ' ' + d.getDate() + (d.getFullYear() !== n.getFullYear() ? ' ' + d.getFullYear() : '') + ' ' + hms;
  }

  /**
   * Price axis: a step of 1, 2, 2.5 or 5 × 10^k giving about `count` lines in
   * [lo, hi], and as many decimals as the step needs, so labels are distinct.
   */
  function priceTicks(lo, hi, count) {
    var span = hi - lo;
    if (!(span > 0)) { span = Math.abs(hi) * 0.01 || 1; lo -= span / 2; hi += span / 2; }
    var raw = span / (count || 5), mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 2.5, 5, 10].map(function (m) { return m * mag; }).filter(function (s) { return s >= raw; })[0];
    var decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (step / mag === 2.5 ? 1 : 0));
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push({value: v, label: v.toFixed(decimals)});
    return out;
  }

  /** Time axis: label instants every `step` ms (a round step for the span), "HH:MM" or "HH:MM:SS". */
  function timeTicks(from, to, count) {
    var steps = [1, 5, 10, 15, 30, 60, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400].map(function (s) { return s * 1000; });
    var raw = (to - from) / (count || 5);
    var step = steps.filter(function (s) { return s >= raw; })[0] || 86400000;
    var out = [];
    for (var t = Math.ceil(from / step) * step; t <= to; t += step) {
      var d = new Date(t);
      var label = step >= 86400000 ? MONTHS[d.getMonth()] + ' ' + d.getDate()
        : pad(d.getHours()) + ':' + pad(d.getMinutes()) + (step < 60000 ? ':' + pad(d.getSeconds()) : '');
      out.push({time: t, label: label});
    }
    return out;
  }

  var Format = {age: age, delay: delay, latency: latency, time: time, priceTicks: priceTicks, timeTicks: timeTicks};
  var Board = global.Board = global.Board || {};
  Board.Format = Format;
  if (typeof module === 'object' && module.exports) module.exports = Format;
})(typeof window !== 'undefined' ? window : globalThis);
