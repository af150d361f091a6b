/*
 * The transport ladder: WebSocket, streaming, long polling, polling. A plain value that
 * takes raw observations (a stream ended after N ms, hello seen or not, a held
 * poll answered after N s with status S) and owns every threshold, so each
 * rule is a unit test (Tests/js/ladder.test.js) rather than a browser session.
 *
 * The rule that matters: only evidence of a proxy steps down. A stream that
 * never says hello although its request stays open is being buffered; streams
 * or held polls that are cut early after being held are being cut. Connection
 * refused, a server `bye`, a 503 and a quick network error are what a server
 * restart looks like: retry the same rung with back-off, so the page is back on
 * its rung seconds after the server is.
 *
 * WebSocket is the top rung. A socket that never opens is a proxy refusing or
 * stripping the Upgrade, or the server being away: step down to streaming at
 * once (the cursor goes along), and if streaming is unreachable too it was the
 * server, so the next try is a socket again. Once a socket has said hello, a
 * refusal is a server restarting: the same rung with back-off, unless it goes
 * on (socketRefusalsToStepDown). A socket that opens but says no
 * hello within helloTimeout is buffered or swallowed: step down. Cut sockets
 * count like cut streams. Probing upward from streaming tries a socket.
 *
 * Every observation returns a decision {mode, delay, probe, reason}: the rung to
 * use next, how long to wait before the next request (ms), and the rung being
 * probed upward (or null).
 */
(function (global) {
  'use strict';

  var MODES = ['websocket', 'streaming', 'long-polling', 'polling'];

  var DEFAULTS = {
    helloTimeout: 4000,       // ms without hello on an open stream request: buffered
    healthyStream: 15000,     // ms a stream must live after hello not to count as cut
    streamCutsToStepDown: 2,  // cuts (each shorter than healthyStream) before stepping down
    socketRefusalsToStepDown: 4, // refused sockets in a row, once sockets worked here, before trying streaming
    pollCutsToStepDown: 2,    // cut held polls in a row (a restart answers one early, then refuses)
    heldMinimum: 1,           // s: a failed poll answered quicker was never held (an outage)
    earlyEmpty: 0.5,          // an empty 200 before wait*earlyEmpty was cut by something
    earlyFailure: 0.9,        // a failure after being held, before wait*earlyFailure, is a cut
    lateSlack: 5,             // s: an answer later than wait+lateSlack was held by something
    pollInterval: 2000,       // ms between plain polls
    reconnectDelay: 1000,     // ms before reopening a stream that ended normally
    backoffBase: 500,         // ms: first retry after an outage, doubling
    backoffMax: 4000          // ms: retries never wait longer (back within seconds)
  };

  function Ladder(options) {
    options = options || {};
    this.limits = {};
    for (var k in DEFAULTS) this.limits[k] = options[k] !== undefined ? options[k] : DEFAULTS[k];
    // {websocket: false}: no WebSocket here (or a streaming transport was asked for).
    this.top = options.websocket === false ? 'streaming' : 'websocket';
    this.mode = options.start || this.top;
    this.probing = null;
    this.cuts = 0;       // proxy evidence on the current rung
    this.outages = 0;    // consecutive failures that look like the server being away
    this.lastCut = false; // the previous observation was a cut (a refusal next explains it)
    this.fellFrom = null; // 'websocket' while streaming only because a socket never opened
    this.socketWorked = false; // a socket said hello here once: a refusal is then likely a restart
    this.refusals = 0;    // sockets refused in a row since
  }
  Ladder.MODES = MODES;
  Ladder.DEFAULTS = DEFAULTS;

  Ladder.prototype._decide = function (delay, reason, cut) {
    this.lastCut = !!cut;
    return {mode: this.mode, delay: delay, probe: this.probing, reason: reason};
  };
  Ladder.prototype._down = function (reason) {
    var i = MODES.indexOf(this.mode);
    if (i < MODES.length - 1) this.mode = MODES[i + 1];
    this.cuts = 0;
    return this._decide(0, reason, true);
  };
  /** Back-off for the n-th consecutive outage: base, 2×base, ... up to max. */
  Ladder.prototype.backoff = function () {
    var l = this.limits;
    return Math.min(l.backoffMax, l.backoffBase * Math.pow(2, Math.max(0, this.outages - 1)));
  };
  /**
   * The server is away (refused, bye, 503, a quick network error). A cut just
   * before it was the server stopping, not a proxy: it no longer counts.
   */
  Ladder.prototype._outage = function (reason, hint) {
    if (this.lastCut && this.cuts > 0) this.cuts -= 1;
    this.outages += 1;
    var delay = this.backoff();
    if (hint > 0) delay = Math.max(Math.min(hint, this.limits.backoffMax), 0);
    return this._decide(delay, reason);
  };
  /** The delay before the next request when the current one succeeded. */
  Ladder.prototype.pace = function () {
    return this.mode === 'polling' && !this.probing ? this.limits.pollInterval : 0;
  };

  // ---- streams ----

  /** True while probing one of the streaming rungs (a socket or a stream). */
  Ladder.prototype._probingStream = function () {
    return this.probing === 'websocket' || this.probing === 'streaming';
  };

  /**
   * A stream (rung 'streaming', the default) or a socket (rung 'websocket')
   * said hello: that rung works (from here, at least until cut).
   */
  Ladder.prototype.streamHello = function (rung) {
    this.mode = rung || 'streaming';
    this.probing = null;
    this.outages = 0;
    if (this.mode === 'websocket') { this.socketWorked = true; this.refusals = 0; }
    if (this.mode === 'websocket' || this.fellFrom !== 'websocket') this.fellFrom = null;
    return this._decide(0, 'hello');
  };

  /** The stream request or socket is still open but no hello came within helloTimeout. */
  Ladder.prototype.helloTimedOut = function () {
    if (this._probingStream()) { this.probing = null; return this._decide(0, 'probe buffered'); }
    if (this.mode !== 'streaming' && this.mode !== 'websocket') return this._decide(0, 'not streaming');
    this.fellFrom = null;
    return this._down('buffered: no hello in ' + this.limits.helloTimeout + ' ms');
  };

  /**
   * A stream or socket ended. o.lived: ms since it opened; o.hello: whether it
   * said hello; o.bye: the server said goodbye (o.retry: its hint, ms);
   * o.opened (sockets only): false when the socket never opened.
   */
  Ladder.prototype.streamEnded = function (o) {
    if (this._probingStream()) { this.probing = null; return this._decide(this.pace(), 'probe failed'); }
    if (o.bye) return this._outage('server said bye', o.retry);
    if (this.mode === 'websocket' && o.opened === false &&
        this.socketWorked && this.refusals + 1 < this.limits.socketRefusalsToStepDown) {
      // Sockets worked here: a refusal is the server restarting. Same rung.
      this.refusals += 1;
      return this._outage('unreachable');
    }
    if (this.mode === 'websocket' && o.opened === false) {
      // Refused or stripped Upgrade, or the server away: streaming tells which.
      this.refusals = 0;
      this.mode = 'streaming';
      this.fellFrom = 'websocket';
      return this._decide(0, 'upgrade refused');
    }
    if (this.mode === 'websocket' && !o.hello) return this._down('socket closed without hello');
    if (!o.hello && this.fellFrom === 'websocket') {
      // Neither rung answers: the server is away, not a proxy. Back to the top.
      this.mode = 'websocket';
      this.fellFrom = null;
      return this._outage('unreachable');
    }
    if (!o.hello) return this._outage('unreachable');
    this.outages = 0;
    if (o.lived >= this.limits.healthyStream) { this.cuts = 0; return this._decide(this.limits.reconnectDelay, 'ended'); }
    this.cuts += 1;
    if (this.cuts >= this.limits.streamCutsToStepDown) return this._down('streams cut after hello');
    return this._decide(this.limits.reconnectDelay, 'cut once', true);
  };

  // ---- polls ----

  /**
   * A poll came back. o.wait: seconds asked to hold (0 for a plain poll);
   * o.took: seconds it took; o.status: HTTP status, 0 for a network error;
   * o.ticks: how many ticks it carried; o.bye: the server is shutting down.
   */
  Ladder.prototype.pollAnswered = function (o) {
    var l = this.limits, probing = this.probing === 'long-polling';
    if (o.bye) {
      if (probing) this.probing = null;
      return this._outage('server said bye', o.retry);
    }
    var held = o.wait > 0 && o.took >= l.heldMinimum;
    var cut = o.wait > 0 && (
      (o.status === 200 && !o.ticks && o.took < o.wait * l.earlyEmpty) ||
      (o.status !== 200 && o.status !== 503 && held && o.took < o.wait * l.earlyFailure) ||
      o.took > o.wait + l.lateSlack);
    if (cut) {
      if (probing) { this.probing = null; return this._decide(l.pollInterval, 'probe cut'); }
      if (this.mode !== 'long-polling') return this._decide(this.pace(), 'cut');
      this.cuts += 1;
      if (this.cuts >= l.pollCutsToStepDown) return this._down('held polls cut');
      return this._decide(0, 'cut once', true);
    }
    if (o.status !== 200) {
      if (probing) { this.probing = null; return this._decide(l.pollInterval, 'probe failed'); }
      return this._outage(o.status ? 'HTTP ' + o.status : 'network error');
    }
    if (probing) { this.mode = 'long-polling'; this.probing = null; }
    this.outages = 0;
    // Only a poll held for (nearly) its whole wait proves nothing cuts held requests.
    if (o.wait > 0 && o.took >= o.wait * l.earlyFailure) this.cuts = 0;
    return this._decide(this.pace(), 'ok');
  };

  /** Time to try one step up: the rung to probe, or null. */
  Ladder.prototype.probe = function () {
    var i = MODES.indexOf(this.mode);
    if (i <= MODES.indexOf(this.top) || this.probing || this.outages) return null;
    this.probing = MODES[i - 1];
    return this.probing;
  };

  var Ticker = global.Ticker = global.Ticker || {};
  Ticker.Ladder = Ladder;
  if (typeof module === 'object' && module.exports) module.exports = Ladder;
})(typeof window !== 'undefined' ? window : globalThis);
