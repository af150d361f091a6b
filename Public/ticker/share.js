/*
 * One connection for all tabs of an origin. The tab holding a Web Lock is the
 * leader: it runs the Connection for the union of every tab's symbols and
 * relays ticks and status over a BroadcastChannel. Every tab (the leader too)
 * filters and de-duplicates by id for itself, and remembers the cursor; when
 * the leader's tab closes, the lock passes to another tab, which resumes from
 * its own cursor, and the others re-join with theirs (a rewind re-delivers what
 * might be missing, and de-duplication drops the rest): nothing is lost.
 * Without Web Locks or BroadcastChannel, Ticker.connect opens an own connection.
 */
(function (global) {
  'use strict';
  var T = global.Ticker;

  function SharedConnection(options) {
    var self = this;
    this.options = options;
    this.key = 'ticker:' + (options.url || (typeof location !== 'undefined' ? location.origin : ''));
    this.tab = Math.random().toString(36).slice(2);
    this.symbols = (options.symbols || []).map(function (s) { return String(s).toUpperCase(); });
    this.view = new T.CursorState(options.since);
    this.onTick = options.onTick || function () {};
    this.onStatus = options.onStatus || function () {};
    this.onError = options.onError || function () {};
    this.leader = false;
    this.conn = null;
    this.tabs = {};          // leader only: tab -> symbols
    this.latest = {};        // symbol -> newest tick relayed (a joining tab's snapshot)
    this.transport = 'connecting';
    this.closed = false;
    this.channel = new BroadcastChannel(this.key);
    this.channel.onmessage = function (e) { self._message(e.data); };
    navigator.locks.request(this.key, function () {
      return new Promise(function (release) { self._release = release; if (!self.closed) self._lead(); else release(); });
    });
    this._send({type: 'join', tab: this.tab, symbols: this.symbols, since: this.view.since()});
    if (typeof window !== 'undefined') window.addEventListener('pagehide', function () { self.close(); });
  }
  SharedConnection.supported = function () {
    return typeof BroadcastChannel !== 'undefined' && typeof navigator !== 'undefined' && !!navigator.locks;
  };

  Object.defineProperty(SharedConnection.prototype, 'cursor', {get: function () { return this.view.cursor; }});
  Object.defineProperty(SharedConnection.prototype, 'initialCursor', {get: function () { return this.view.initial; }});

  SharedConnection.prototype._send = function (m) { if (!this.closed) this.channel.postMessage(m); };

  /** A tick for this tab, from its own connection or the leader's. */
  SharedConnection.prototype._receive = function (t, snapshot, transport) {
    if (!snapshot) this.view.pass(t.id);
    if (this.symbols.indexOf(t.symbol) < 0) return;
    if (snapshot) this.onTick(t, {snapshot: true, transport: transport});
    else if (this.view.accept(t.id, t.delayed)) this.onTick(t, {transport: transport});
  };

  SharedConnection.prototype._status = function (s) {
    this.transport = s.transport;
    this.view.learn(s.cursor);
    var out = {};
    for (var k in s) out[k] = s[k];
    out.cursor = this.view.cursor;
    out.shared = this.leader ? 'leader' : 'follower';
    this.onStatus(out);
  };

  SharedConnection.prototype._message = function (m) {
    if (!m || this.closed) return;
    if (m.type === 'tick') this._receive(m.tick, m.snapshot, m.transport);
    else if (m.type === 'status') this._status(m.status);
    else if (m.type === 'error') this.onError(m.error);
    else if (m.type === 'snapshot' && m.to === this.tab) {
      this.view.snapshot(m.cursor);
      var self = this;
      m.ticks.forEach(function (t) { self._receive(t, true, m.transport); });
    } else if (m.type === 'leader' && m.tab !== this.tab) {
      this._send({type: 'join', tab: this.tab, symbols: this.symbols, since: this.view.since()});
    } else if (this.leader && (m.type === 'join' || m.type === 'symbols')) {
      this._joined(m);
    } else if (this.leader && m.type === 'leave') {
      delete this.tabs[m.tab];
      this._prune();
    }
  };

  /** Leader: a tab (re)joined; cover its symbols from its cursor, or send it a snapshot. */
  SharedConnection.prototype._joined = function (m) {
    this.tabs[m.tab] = m.symbols;
    var c = this.conn, self = this;
    var mine = c.cursorState.since();
    var rewind = T.CursorState.behind(m.since, mine) ? m.since : undefined;
    m.symbols.forEach(function (s) { if (c.symbols.indexOf(s) < 0) c.subscribe(s, rewind); });
    if (rewind !== undefined) c.subscribe(m.symbols[0] || this.symbols[0], rewind);
    this._prune();   // a tab that dropped a symbol
    if (this.lastStatus) this._send({type: 'status', status: this.lastStatus});
    if (m.since === null) {
      var ticks = m.symbols.map(function (s) { return self.latest[s]; }).filter(Boolean);
      this._send({type: 'snapshot', to: m.tab, ticks: ticks, cursor: mine, transport: c.ladder.mode});
    }
  };

  /** Leader: drop symbols no tab wants any more. */
  SharedConnection.prototype._prune = function () {
    var want = this.symbols.slice();
    for (var t in this.tabs) this.tabs[t].forEach(function (s) { if (want.indexOf(s) < 0) want.push(s); });
    var c = this.conn;
    c.symbols.slice().forEach(function (s) { if (want.indexOf(s) < 0) c.unsubscribe(s); });
  };

  SharedConnection.prototype._lead = function () {
    var self = this, o = {};
    for (var k in this.options) o[k] = this.options[k];
    this.leader = true;
    o.symbols = this.symbols.slice();
    o.since = this.view.since();
    o.onSnapshot = null;
    o.onTick = function (t, info) {
      var snapshot = !!(info && info.snapshot);
      if (!self.latest[t.symbol] || self.latest[t.symbol].id < t.id) self.latest[t.symbol] = t;
      self._send({type: 'tick', tick: t, snapshot: snapshot, transport: info && info.transport});
      self._receive(t, snapshot, info && info.transport);
    };
    o.onStatus = function (s) { self.lastStatus = s; self._send({type: 'status', status: s}); self._status(s); };
    // The leader's token (the options carry it) serves every tab; refusals reach them all.
    o.onError = function (e) { self._send({type: 'error', error: e}); self.onError(e); };
    this.conn = new T.Connection(o);
    this.ladder = this.conn.ladder;
    this._send({type: 'leader', tab: this.tab});
  };

  SharedConnection.prototype.subscribe = function (symbol) {
    symbol = String(symbol).toUpperCase();
    if (this.symbols.indexOf(symbol) >= 0) return;
    this.symbols.push(symbol);
    if (this.leader) this.conn.subscribe(symbol);
    else this._send({type: 'symbols', tab: this.tab, symbols: this.symbols, since: null});
  };
  SharedConnection.prototype.unsubscribe = function (symbol) {
    symbol = String(symbol).toUpperCase();
    this.symbols = this.symbols.filter(function (s) { return s !== symbol; });
    if (this.leader) this._prune();
    else this._send({type: 'symbols', tab: this.tab, symbols: this.symbols, since: this.view.since()});
  };
  SharedConnection.prototype.close = function () {
    if (this.closed) return;
    this._send({type: 'leave', tab: this.tab});
    this.closed = true;
    if (this.conn) this.conn.close();
    if (this._release) this._release();
    this.channel.close();
  };

  T.SharedConnection = SharedConnection;
  if (typeof module === 'object' && module.exports) module.exports = SharedConnection;
})(typeof window !== 'undefined' ? window : globalThis);
