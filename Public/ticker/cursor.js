/*
 * Cursor and de-duplication state, a plain value (Tests/js/cursor.test.js).
 *
 * `cursor` is the newest position the server has told us about (hello,
 * snapshot, heartbeat, poll answer); `lastId` the newest tick delivered. Every
 * source (a stream, a poll, a bridging poll, the leader tab) delivers the ticks
 * of our symbols in id order from some position at or below `lastId`, so a tick
 * is new exactly when its id is above `lastId`: two sources overlapping, or a
 * transport switch, repeat nothing.
 */
(function (global) {
  'use strict';

  function CursorState(since) {
    this.cursor = since === undefined || since === null ? null : since;
    this.lastId = this.cursor === null ? 0 : this.cursor;
    this.initial = undefined;   // the first cursor learnt (tests compare the database after it)
  }

  /** Where the next request resumes from (null: ask for a snapshot). */
  CursorState.prototype.since = function () {
    if (this.cursor === null) return null;
    return Math.max(this.cursor, this.lastId);
  };

  /** The server told us its position (hello, snapshot, heartbeat, poll). */
  CursorState.prototype.learn = function (cursor) {
    if (typeof cursor !== 'number' || !isFinite(cursor)) return;
    if (this.initial === undefined) this.initial = cursor;
    if (this.cursor === null || cursor > this.cursor) this.cursor = cursor;
  };

  /**
   * A snapshot at `cursor`: everything up to it is represented by the latest
   * quotes, so ticks at or below it are not new.
   */
  CursorState.prototype.snapshot = function (cursor) {
    this.learn(cursor);
    if (this.cursor !== null && this.lastId < this.cursor) this.lastId = this.cursor;
  };

  /** A tick arrived: true when it is new (and then it is recorded). */
  CursorState.prototype.accept = function (id) {
    if (!(id > this.lastId)) return false;
    this.lastId = id;
    if (this.cursor === null || id > this.cursor) this.cursor = id;
    return true;
  };

  /** The server gave up replaying and restarts us at `cursor` (with a snapshot). */
  CursorState.prototype.reset = function (cursor) {
    this.cursor = cursor;
    this.lastId = cursor;
  };

  /**
   * The server conflated us: it sends the latest tick per symbol, not in id
   * order across symbols, so each must pass; ids climb again after that.
   */
  CursorState.prototype.conflated = function () {
    this.lastId = 0;
  };

  /** Rewind so that ticks after `since` pass again (a tab joining the shared connection). */
  CursorState.prototype.rewind = function (since) {
    if (since !== null && since < this.lastId) this.lastId = since;
    if (since !== null && (this.cursor === null || since < this.cursor)) this.cursor = since;
  };

  var Ticker = global.Ticker = global.Ticker || {};
  Ticker.CursorState = CursorState;
  if (typeof module === 'object' && module.exports) module.exports = CursorState;
})(typeof window !== 'undefined' ? window : globalThis);
