/*
 * A symbol's day, as pure functions (Tests/js/day.test.js): the session start
 * in the exchange's time zone, day figures from /history when the server does
 * not send them, which tick is newer (event time, then id), and change against
 * the reference computed exactly on decimal text, the way day_quotes() does
 * in SQL (Schema/005), so the page and SQL agree to the last digit.
 */
(function (global) {
  'use strict';

  /** Milliseconds of the instant `local` (y, m, d, h, min) in `timeZone`. */
  function zonedInstant(y, m, d, h, min, timeZone) {
    var guess = Date.UTC(y, m - 1, d, h, min);
    for (var i = 0; i < 2; i++) {
      var p = parts(guess, timeZone);
      var shown = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min);
      guess += Date.UTC(y, m - 1, d, h, min) - shown;
    }
    return guess;
  }
  function parts(ms, timeZone) {
    var f = new Intl.DateTimeFormat('en-US', {timeZone: timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'});
    var o = {};
    f.formatToParts(new Date(ms)).forEach(function (x) { o[x.type] = +x.value; });
    return {y: o.year, m: o.month, d: o.day, h: o.hour % 24, min: o.minute};
  }

  /** Start (ms) of the session containing `now`: local day at `opens` ('HH:MM') in `timeZone`. */
  function sessionStart(now, timeZone, opens) {
    var hm = (opens || '00:00').split(':').map(Number);
    var p = parts(now, timeZone || 'UTC');
    var start = zonedInstant(p.y, p.m, p.d, hm[0], hm[1], timeZone || 'UTC');
    if (start > now) {
      var prev = parts(Date.UTC(p.y, p.m - 1, p.d) - 43200000, 'UTC');
      start = zonedInstant(prev.y, prev.m, prev.d, hm[0], hm[1], timeZone || 'UTC');
    }
    return start;
  }

  /** Is tick a newer than tick b by event time, the id breaking ties? */
  function newer(a, b) {
    if (!b) return true;
    var ta = Date.parse(a.ts), tb = Date.parse(b.ts);
    if (ta !== tb) return ta > tb;
    if (a.ts !== b.ts) return a.ts > b.ts;   // same millisecond: the microseconds decide
    return a.id > b.id;
  }

  /**
   * Day figures from /history answers: `before` = the last tick before the
   * session (?to=start&limit=1), `bars` = the session's bars (?from=start).
   */
  function fromHistory(before, bars) {
    var d = {reference: null, referenceFrom: null, open: null, high: null, low: null, volume: 0};
    (bars || []).forEach(function (b, i) {
      if (i === 0) d.open = b.open;
      if (d.high === null || +b.high > +d.high) d.high = b.high;
      if (d.low === null || +b.low < +d.low) d.low = b.low;
      d.volume += b.volume || 0;
    });
    if (before && before.length) { d.reference = before[before.length - 1].price; d.referenceFrom = 'previous close'; }
    else if (d.open !== null) { d.reference = d.open; d.referenceFrom = 'day open'; }
    return d;
  }

  /** A tick of the session updates high, low and volume (any order), and open (earliest). */
  function addTick(day, t, start, openTick) {
    if (Date.parse(t.ts) < start) return openTick;
    if (day.high === null || +t.price > +day.high) day.high = t.price;
    if (day.low === null || +t.price < +day.low) day.low = t.price;
    day.volume += t.size || 0;
    if (day.open === null || (openTick && newer(openTick, t))) { day.open = t.price; openTick = t; }
    if (day.reference === null || day.referenceFrom === 'day open') { day.reference = day.open; day.referenceFrom = 'day open'; }
    return openTick || t;
  }

  // ---- exact decimals: text -> {n: BigInt, scale} ----
  function dec(text) {
    var s = String(text).trim(), neg = s.charAt(0) === '-';
    if (neg) s = s.slice(1);
    var i = s.indexOf('.'), frac = i < 0 ? '' : s.slice(i + 1);
    var n = BigInt((i < 0 ? s : s.slice(0, i)) + frac || '0');
    return {n: neg ? -n : n, scale: frac.length};
  }
  function scaled(d, scale) { return d.n * (10n ** BigInt(scale - d.scale)); }
  function text(n, scale) {
    var neg = n < 0n, s = (neg ? -n : n).toString();
    while (s.length <= scale) s = '0' + s;
    var out = scale ? s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale) : s;
    return (neg ? '-' : n > 0n ? '+' : '') + out;
  }
  /** Integer division rounding half away from zero, as PostgreSQL's round(). */
  function divRound(a, b) {
    var q = (2n * a + (a >= 0n ? b : -b)) / (2n * b);
    return q;
  }

  /**
   * Change of `last` against `reference`: {change: '+1.23', pct: '+0.65', sign}.
   * change keeps the prices' decimals (at least 2); pct is rounded to 2 like SQL.
   */
  function change(last, reference) {
    if (last === null || last === undefined || reference === null || reference === undefined) return null;
    var l = dec(last), r = dec(reference), scale = Math.max(2, l.scale, r.scale);
    var diff = scaled(l, scale) - scaled(r, scale), rs = scaled(r, scale);
    if (rs <= 0n) return null;
    var pct = divRound(diff * 10000n, rs);
    return {change: text(diff, scale), pct: text(pct, 2), sign: diff > 0n ? 1 : diff < 0n ? -1 : 0};
  }

  var Day = {sessionStart: sessionStart, newer: newer, fromHistory: fromHistory, addTick: addTick, change: change};
  var Board = global.Board = global.Board || {};
  Board.Day = Day;
  if (typeof module === 'object' && module.exports) module.exports = Day;
})(typeof window !== 'undefined' ? window : globalThis);
