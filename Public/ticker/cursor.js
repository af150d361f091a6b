/*
 * Cursor and de-duplication state, a plain value (Tests/js/cursor.test.js).
 *
 * `cursor` is the newest position the server has told us about (hello,
 * snapshot, heartbeat, poll answer); `lastId` the newest live tick delivered.
 * Every source (a stream, a poll, a bridging poll, the leader tab) delivers the
 * ticks of our symbols in id order from some position at or below `lastId`, so
 * a tick is new exactly when its id is above `lastId`: two sources
 * overlapping, or a transport switch, repeat nothing.
 *
 * Delayed quotes (served `delay` seconds late, `"delayed":true`) make a second
 * order: on a stream mixing live and delayed symbols, a delayed tick arrives
 * after live ticks with far higher ids. Each order keeps its own floor
 * (`lastId`, `lastDelayed`), and the server's position on such a stream is a
 * pair "L:D" (live ids up to L and delayed ids up to D delivered). A pair is
 * carried back to the server exactly as it came; it is never compared with
 * another cursor, only split to set the two floors (a snapshot, a reset, a
 * tab re-joining). A plain id N counts as N for both orders.
 */
(function (global) {
  'use strict';

  var PAIR = /^(\d+):(\d+)$/;

  /**
   * A cursor as the wire carries it (an SSE `id:` line, a JSON `id`, a poll's
   * `cursor`): a plain id as a number, a pair as its string, else null.
   */
  function parseId(value) {
    if (typeof value === 'number') return isFinite(value) && value >= 0 ? value : null;
    if (typeof value !== 'string') return null;
    if (/^\d+$/.test(value)) return +value;
    return PAIR.test(value) ? value : null;
  }

  /** The two floors a cursor stands for: {live, delayed}. */
  function parts(cursor) {
    var m = typeof cursor === 'string' ? PAIR.exec(cursor) : null;
    if (m) return {live: +m[1], delayed: +m[2]};
    return {live: cursor, delayed: cursor};
  }

  function isPair(cursor) { return typeof cursor === 'string'; }

  function CursorState(since) {
    since = parseId(since);
    this.cursor = since;
    var p = parts(since === null ? 0 : since);
    this.lastId = p.live;
    this.lastDelayed = p.delayed;
    this.initial = undefined;   // the first cursor learnt (tests compare the database after it)
  }
  CursorState.parseId = parseId;
  CursorState.parts = parts;

  /** Where the next request resumes from (null: ask for a snapshot); a pair as it came. */
  CursorState.prototype.since = function () {
    if (this.cursor === null || isPair(this.cursor)) return this.cursor;
    return Math.max(this.cursor, this.lastId);
  };

  /**
   * The server told us its position (hello, snapshot, heartbeat, poll). A pair
   * replaces what we had; a plain id after a pair means the stream is no
   * longer mixed (a delayed symbol was dropped), so it replaces it too.
   */
  CursorState.prototype.learn = function (cursor) {
    cursor = parseId(cursor);
    if (cursor === null) return;
    if (this.initial === undefined) this.initial = cursor;
    if (isPair(cursor) || isPair(this.cursor) || this.cursor === null || cursor > this.cursor) this.cursor = cursor;
  };

  /**
   * A tick of a symbol we do not show went by: in id order on a plain stream,
   * so the cursor may move past it; on a mixed stream the event's pair does.
   */
  CursorState.prototype.pass = function (id) {
    if (!isPair(this.cursor)) this.learn(id);
  };

  /**
   * A snapshot at `cursor`: everything up to it is represented by the latest
   * quotes, so ticks at or below it are not new.
   */
  CursorState.prototype.snapshot = function (cursor) {
    this.learn(cursor);
    if (this.cursor === null) return;
    var p = parts(this.cursor);
    if (this.lastId < p.live) this.lastId = p.live;
    if (this.lastDelayed < p.delayed) this.lastDelayed = p.delayed;
  };

  /** A tick arrived (delayed: its `delayed` flag): true when it is new (and then it is recorded). */
  CursorState.prototype.accept = function (id, delayed) {
    var floor = delayed ? 'lastDelayed' : 'lastId';
    if (!(id > this[floor])) return false;
    this[floor] = id;
    if (!isPair(this.cursor) && (this.cursor === null || id > this.cursor)) this.cursor = id;
    return true;
  };

  /** The server gave up replaying and restarts us at `cursor` (with a snapshot). */
  CursorState.prototype.reset = function (cursor) {
    cursor = parseId(cursor);
    if (cursor === null) return;
    this.cursor = cursor;
    var p = parts(cursor);
    this.lastId = p.live;
    this.lastDelayed = p.delayed;
  };

  /**
   * The server conflated us: it sends the latest tick per symbol, not in id
   * order across symbols, so each must pass; ids climb again after that.
   */
  CursorState.prototype.conflated = function () {
    this.lastId = 0;
    this.lastDelayed = 0;
  };

  /**
   * Rewind so that ticks after `since` pass again (a tab joining the shared
   * connection). With a pair on either side, each order goes back to the
   * lower of the two positions: the server reads "L:D" as exactly that.
   */
  CursorState.prototype.rewind = function (since) {
    since = parseId(since);
    if (since === null) return;
    var s = parts(since);
    if (s.live < this.lastId) this.lastId = s.live;
    if (s.delayed < this.lastDelayed) this.lastDelayed = s.delayed;
    if (this.cursor === null) { this.cursor = since; return; }
    if (!isPair(since) && !isPair(this.cursor)) { if (since < this.cursor) this.cursor = since; return; }
    var c = parts(this.cursor);
    this.cursor = Math.min(c.live, s.live) + ':' + Math.min(c.delayed, s.delayed);
  };

  /** True when `a` is behind `b` in either order (a joining tab needs a rewind). */
  CursorState.behind = function (a, b) {
    a = parseId(a); b = parseId(b);
    if (a === null || b === null) return false;
    var x = parts(a), y = parts(b);
    return x.live < y.live || x.delayed < y.delayed;
  };

  var Ticker = global.Ticker = global.Ticker || {};
  Ticker.CursorState = CursorState;
  if (typeof module === 'object' && module.exports) module.exports = CursorState;
})(typeof window !== 'undefined' ? window : globalThis);
