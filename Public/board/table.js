/*
 * The quote table: one row per symbol, Last by event time (an older tick is
 * counted but never overwrites a newer Last), change against the day's
 * reference, the quote's age, greyed rows when stale, sortable columns.
 * A row served late is marked "delayed 15 min" (`data-delayed`, seconds); a
 * symbol the server refuses says why (`data-refused`, the server's message).
 * Symbols go into the page as text (textContent), never as HTML.
 */
(function (global) {
  'use strict';
  var Day = global.Board.Day, Format = global.Board.Format;
  var FIELDS = [['price', ''], ['change', ''], ['pct', ''], ['bid', 'mid'], ['ask', 'mid'], ['range', 'wide'], ['volume', 'wide'], ['time', '']];

  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }

  function Table(tbody, options) {
    this.tbody = tbody;
    this.rows = {};
    this.onSelect = options.onSelect;
    this.onRemove = options.onRemove;
    this.staleAfter = options.staleAfter || 60000;
    try { this.sort = JSON.parse(localStorage.getItem('ticker.sort') || 'null'); } catch (e) { this.sort = null; }
    this.sort = this.sort || {key: null, dir: 1};
    this.allStale = false;
  }

  Table.prototype.add = function (sym) {
    if (this.rows[sym]) return this.rows[sym];
    var self = this, tr = el('tr'), cells = {};
    tr.setAttribute('data-symbol', sym);
    var symCell = el('td', 'sym', sym);
    var note = el('small', 'note'); note.setAttribute('data-field', 'note'); symCell.appendChild(note);
    tr.appendChild(symCell);
    FIELDS.forEach(function (f) {
      var td = el('td', f[1], '–'); td.setAttribute('data-field', f[0]); cells[f[0]] = td; tr.appendChild(td);
    });
    var age = el('small', 'age'); age.setAttribute('data-field', 'age'); cells.age = age; cells.note = note;
    var sc = el('td', 'wide'), canvas = el('canvas', 'spark'); canvas.width = 90; canvas.height = 24; sc.appendChild(canvas); tr.appendChild(sc);
    var rm = el('td', 'rm'), b = el('button', 'remove', '×'); b.title = 'Remove ' + sym; b.setAttribute('aria-label', 'Remove ' + sym); rm.appendChild(b); tr.appendChild(rm);
    b.onclick = function (e) { e.stopPropagation(); self.onRemove(sym); };
    tr.onclick = function () { self.onSelect(sym); };
    var row = this.rows[sym] = {sym: sym, tr: tr, cells: cells, canvas: canvas, last: null, day: null, openTick: null, spark: [], start: null, asOf: 0, pending: [], delay: 0, refused: null};
    this.tbody.appendChild(tr);
    return row;
  };

  /** The server serves this symbol `seconds` late (0: live). */
  Table.prototype.setDelayed = function (sym, seconds) {
    var r = this.rows[sym];
    if (!r || r.delay === seconds) return;
    r.delay = seconds;
    if (seconds > 0) r.tr.setAttribute('data-delayed', String(seconds)); else r.tr.removeAttribute('data-delayed');
    this.note(r);
    this.age(r);
  };

  /** The server refused this symbol: its one-line message stays on the row. */
  Table.prototype.setRefused = function (sym, message) {
    var r = this.rows[sym];
    if (!r) return;
    r.refused = message;
    if (message) r.tr.setAttribute('data-refused', message); else r.tr.removeAttribute('data-refused');
    this.note(r);
  };

  Table.prototype.note = function (r) {
    r.cells.note.textContent = r.refused ? r.refused : r.delay > 0 ? Format.delay(r.delay) : '';
    r.cells.note.className = 'note' + (r.refused ? ' refused' : r.delay > 0 ? ' delayed' : '');
  };

  Table.prototype.remove = function (sym) {
    if (this.rows[sym]) { this.rows[sym].tr.remove(); delete this.rows[sym]; }
  };

  /** A tick (snapshot or live). Returns true when it became the row's Last. */
  Table.prototype.tick = function (t, live) {
    var r = this.rows[t.symbol];
    if (!r) return false;
    if (live) this.addToDay(r, t);
    if (!Day.newer(t, r.last)) return false;
    var before = r.last;
    r.last = t;
    r.spark.push(+t.price); if (r.spark.length > 120) r.spark.shift();
    this.render(r);
    if (live && before && +t.price !== +before.price) {
      var c = r.cells.price; c.classList.remove('flash-up', 'flash-down'); void c.offsetWidth;
      c.classList.add(+t.price > +before.price ? 'flash-up' : 'flash-down');
    }
    this.resortSoon();
    return true;
  };

  /**
   * A live tick counts in the day when it is newer than what the day's figures
   * were read at (`asOf`); until they arrive, ticks wait.
   */
  Table.prototype.addToDay = function (r, t) {
    if (!r.day) { r.pending.push(t); return; }
    if (Date.parse(t.ts) >= r.asOf) r.openTick = Day.addTick(r.day, t, r.start, r.openTick);
  };

  /** The day's figures, read at `asOf` (ms), for the session starting at `start`. */
  Table.prototype.setDay = function (sym, day, start, asOf) {
    var r = this.rows[sym]; if (!r) return;
    r.day = day; r.start = start; r.asOf = asOf; r.openTick = null;
    var pending = r.pending, self = this;
    r.pending = [];
    pending.forEach(function (t) { self.addToDay(r, t); });
    this.render(r);
  };

  Table.prototype.setSpark = function (sym, prices) {
    var r = this.rows[sym]; if (!r) return;
    r.spark = prices.concat(r.spark).slice(-120);
    this.drawSpark(r);
  };

  Table.prototype.render = function (r) {
    var t = r.last, c = r.cells, day = r.day;
    if (t) {
      c.price.textContent = t.price;
      c.bid.textContent = t.bid || '–';
      c.ask.textContent = t.ask || '–';
      c.time.textContent = Format.time(Date.parse(t.ts), Date.now());
      c.time.title = t.ts;
      c.time.appendChild(c.age);
    }
    var ch = t && day ? Day.change(t.price, day.reference) : null;
    c.change.textContent = ch ? ch.change : '–';
    c.pct.textContent = ch ? ch.pct + '%' : '–';
    c.change.className = c.pct.className = ch && ch.sign > 0 ? 'up' : ch && ch.sign < 0 ? 'down' : '';
    c.change.title = day && day.reference ? 'since ' + day.reference + ' (' + day.referenceFrom + ')' : '';
    c.range.textContent = day && day.low !== null ? day.low + '–' + day.high : '–';
    c.volume.textContent = day ? Number(day.volume).toLocaleString('en-US') : '–';
    r.change = ch ? +ch.pct : null;
    this.drawSpark(r);
    this.age(r);
  };

  /** Age of the quote; the row greys when old (beyond its delay) or when the whole board is stale. */
  Table.prototype.age = function (r) {
    var now = Date.now(), ms = r.last ? now - Date.parse(r.last.ts) : null;
    r.cells.age.textContent = ms === null ? '' : ' ' + Format.age(ms);
    r.tr.classList.toggle('stale', this.allStale || ms === null || ms - r.delay * 1000 > this.staleAfter);
  };
  Table.prototype.ageAll = function (allStale) {
    this.allStale = allStale;
    for (var s in this.rows) this.age(this.rows[s]);
  };

  Table.prototype.drawSpark = function (r) {
    var c = r.canvas, g = c.getContext('2d'), d = r.spark;
    g.clearRect(0, 0, c.width, c.height);
    if (d.length < 2) return;
    var ref = r.day && r.day.reference !== null ? +r.day.reference : d[0];
    var lo = Math.min.apply(null, d), hi = Math.max.apply(null, d), span = hi - lo || 1;
    g.strokeStyle = d[d.length - 1] >= ref ? '#2ea043' : '#f85149'; g.lineWidth = 1.5; g.beginPath();
    d.forEach(function (v, i) { var x = i / (d.length - 1) * (c.width - 2) + 1, y = c.height - 2 - (v - lo) / span * (c.height - 4); i ? g.lineTo(x, y) : g.moveTo(x, y); });
    g.stroke();
  };

  // ---- sorting ----
  var KEYS = {
    symbol: function (r) { return r.sym; },
    price: function (r) { return r.last ? +r.last.price : null; },
    change: function (r) { return r.change; },
    volume: function (r) { return r.day ? +r.day.volume : null; },
    time: function (r) { return r.last ? Date.parse(r.last.ts) : null; }
  };
  Table.KEYS = Object.keys(KEYS);

  /** Click on a column: sort by it, click again: the other way. */
  Table.prototype.sortBy = function (key) {
    this.sort = this.sort.key === key ? {key: key, dir: -this.sort.dir} : {key: key, dir: 1};
    try { localStorage.setItem('ticker.sort', JSON.stringify(this.sort)); } catch (e) { /* storage off: this page only */ }
    this.resort();
  };
  Table.prototype.resortSoon = function () {
    var self = this;
    if (!this.sort.key || this.resortTimer) return;
    this.resortTimer = setTimeout(function () { self.resortTimer = null; self.resort(); }, 1000);
  };
  Table.prototype.resort = function () {
    var k = KEYS[this.sort.key], dir = this.sort.dir, rows = this.rows;
    if (!k) return;
    var list = Object.keys(rows).map(function (s) { return rows[s]; });
    list.sort(function (a, b) {
      var x = k(a), y = k(b);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;   // blanks last
      return (x < y ? -1 : x > y ? 1 : 0) * dir;
    });
    var body = this.tbody;
    list.forEach(function (r) { body.appendChild(r.tr); });
  };

  global.Board.Table = Table;
})(window);
