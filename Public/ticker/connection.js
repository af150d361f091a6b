/*
 * One live connection: the ladder's decisions carried out with real requests.
 * Thresholds live in ladder.js, parsing in wire.js, the cursor in cursor.js;
 * this file only opens, reads and closes things, and reports observations.
 */
(function (global) {
  'use strict';
  var T = global.Ticker;

  function qs(params) {
    var out = [];
    for (var k in params) if (params[k] !== null && params[k] !== undefined) out.push(k + '=' + encodeURIComponent(params[k]));
    return out.join('&');
  }

  function Connection(options) {
    this.base = options.url || '';
    this.symbols = (options.symbols || []).map(function (s) { return String(s).toUpperCase(); });
    this.onTick = options.onTick || function () {};
    this.onSnapshot = options.onSnapshot || null;
    this.onStatus = options.onStatus || function () {};
    this.onError = options.onError || function () {};
    this.cursorState = new T.CursorState(options.since);
    this.auth = new T.TokenSource(options.token);
    this.delay = 0;         // seconds the server delays the delayed symbols by
    this.delayed = [];      // our symbols it serves delayed (hello, poll answers)
    this.transport = options.transport || 'sse';
    var lo = options.ladder || {};
    // WebSocket first, unless the page has none or asked for a streaming transport.
    if (this.transport === 'websocket') this.transport = 'sse';
    else if (options.transport) lo.websocket = false;
    if (typeof WebSocket === 'undefined') lo.websocket = false;
    if (options.helloTimeout) lo.helloTimeout = options.helloTimeout;
    if (options.pollInterval) lo.pollInterval = options.pollInterval;
    this.ladder = new T.Ladder(lo);
    this.wait = options.wait || 25;
    this.bridge = options.bridge !== false;   // short polls while a stream is unproven
    this.bridgeInterval = options.bridgeInterval || 500;
    this.probeInterval = options.probeInterval || 60000;
    this.closed = false;
    this.generation = 0;
    this.timers = [];
    this.received = 0;
    this.state = 'connecting';
    this.database = 'up';
    this.start();
    var self = this;
    this.probeTimer = setInterval(function () { self._probe(); }, this.probeInterval);
  }

  Object.defineProperty(Connection.prototype, 'cursor', {get: function () { return this.cursorState.cursor; }});
  Object.defineProperty(Connection.prototype, 'initialCursor', {get: function () { return this.cursorState.initial; }});

  Connection.prototype.status = function (extra) {
    var s = {transport: this.ladder.mode, cursor: this.cursorState.cursor, received: this.received,
             state: this.state, database: this.database, delay: this.delay, delayed: this.delayed.slice()};
    for (var k in extra || {}) s[k] = extra[k];
    this.onStatus(s);
  };

  Connection.prototype._later = function (fn, ms) {
    var self = this, gen = this.generation;
    var t = setTimeout(function () { if (!self.closed && gen === self.generation) fn(); }, ms);
    this.timers.push(t);
    return t;
  };

  Connection.prototype._stop = function () {
    this.generation += 1;
    this.timers.forEach(clearTimeout);
    this.timers = [];
    if (this.es) { this.es.close(); this.es = null; }
    if (this.xhr) { try { this.xhr.abort(); } catch (e) {} this.xhr = null; }
    if (this.frame) { T._frames.remove(this.frame); this.frame = null; }
    if (this.abort) { this.abort.abort(); this.abort = null; }
    if (this._closeSocket) this._closeSocket();
  };

  /**
   * Carry out a ladder decision: stop what runs, start the next request after
   * its delay; at once when there is none (a chain of zero timers is what
   * browsers throttle hardest in hidden tabs, and a long-polling leader tab
   * serves every other tab).
   */
  Connection.prototype._apply = function (decision) {
    this._stop();
    if (!decision.delay) { this.start(); return; }
    var self = this;
    this._later(function () { self.start(); }, decision.delay);
  };

  Connection.prototype.start = function () {
    this._stop();
    if (this.closed || !this.symbols.length) return;
    // A token function is asked before the first request (and while it renews one).
    if (this.auth.needed()) { if (!this.auth.pending) this._renew(this.auth.begin()); return; }
    this.status();
    var m = this.ladder.mode;
    if (m === 'websocket' || (m === 'streaming' && this.ladder.probing !== 'streaming')) this._stream();
    else this._poll(false);
  };

  // ---- what every transport delivers ----

  Connection.prototype._ticks = function (ticks) {
    for (var i = 0; i < ticks.length; i++) {
      var t = ticks[i];
      if (this.symbols.indexOf(t.symbol) < 0) { this.cursorState.pass(t.id); continue; }
      if (!this.cursorState.accept(t.id, t.delayed)) continue;
      this.received += 1;
      this.onTick(t, {transport: this.ladder.mode});
    }
  };

  Connection.prototype._snapshot = function (ticks, cursor) {
    this.cursorState.snapshot(cursor);
    for (var i = 0; i < ticks.length; i++) {
      if (this.onSnapshot) this.onSnapshot(ticks[i]);
      else this.onTick(ticks[i], {snapshot: true, transport: this.ladder.mode});
    }
  };

  Connection.prototype._live = function () {
    var was = this.state;
    this.state = 'live';
    if (was !== 'live') this.status();
  };

  /**
   * What the server says of delays (hello, poll answers): `delay` s and the
   * `delayed` symbols, left out when none of ours is delayed.
   */
  Connection.prototype._delays = function (data) {
    this.delay = typeof data.delay === 'number' ? data.delay : 0;
    this.delayed = Array.isArray(data.delayed) ? data.delayed : [];
  };

  Connection.prototype._database = function (state) {
    if (state !== 'up' && state !== 'down') return;
    if (state === this.database) return;
    this.database = state;
    this.status();
  };

  /** Server events shared by every streaming transport. */
  Connection.prototype._event = function (name, data, gen, id) {
    if (gen !== this.generation) return;
    var c = this.cursorState;
    if (name === 'hello') {
      clearTimeout(this.helloTimer);
      this.streamInfo.hello = true;
      c.learn(data.cursor);
      this.auth.accepted();
      this._delays(data);
      this.ladder.streamHello(this.streamInfo.rung);
      this.state = 'live';
      if (data.database) this.database = data.database;
      this.status({hello: true});
    } else if (name === 'snapshot') {
      this._snapshot(data.ticks, id === null || id === undefined ? data.cursor : id);
    } else if (name === 'tick' || name === 'ticks') {
      this._ticks(name === 'tick' ? [data] : data);
      if (typeof id === 'string') c.learn(id);   // a pair: the stream's position after it
    } else if (name === 'conflated') {
      c.conflated();
      this.status({conflated: data});
    } else if (name === 'reset') {
      c.reset(data.cursor);
      this.status({reset: data});
    } else if (name === 'heartbeat') {
      c.learn(data.cursor);
    } else if (name === 'status') {
      this._database(data.database);
    } else if (name === 'bye') {
      this._streamEnded({bye: true, retry: data.retry});
    } else if (name === 'token-expired') {
      // Not an outage and not a proxy: a new token, then the same rung from our cursor.
      this.streamInfo = null;
      this._renew(this.auth.expired());
    }
  };

  T.Connection = Connection;
  T._qs = qs;
})(typeof window !== 'undefined' ? window : globalThis);
