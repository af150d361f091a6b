/*
 * The WebSocket rung: one socket to /ws carrying the same events as the
 * streams, as JSON text messages {"event":NAME,"data":..,"id":N}. It reports
 * hello, events and its end (with whether it ever opened) to the connection;
 * the ladder decides what follows. The cursor goes along in `since`, so a
 * step down to streaming (or back up) loses and repeats nothing.
 */
(function (global) {
  'use strict';
  var T = global.Ticker, C = T.Connection.prototype;

  /** ws(s)://host/ws?symbols=..&since=.. from the page's base URL. */
  C._socketURL = function () {
    var base = this.base || (global.location ? global.location.protocol + '//' + global.location.host : '');
    var p = {symbols: this.symbols.join(','), since: this.cursorState.since()};
    if (this.auth.value) p.token = this.auth.value;
    return base.replace(/^http/, 'ws') + '/ws?' + T._qs(p);
  };

  /** Opens the socket as this generation's stream (streamInfo is set by _stream). */
  C._openSocket = function (gen) {
    var self = this, info = this.streamInfo, ws;
    if (info) info.socketOpened = false;
    this.socketChanged = false;
    try {
      ws = this.ws = new WebSocket(this._socketURL());
    } catch (e) {
      return this._later(function () { self._streamEnded({}); }, 0);
    }
    ws.onopen = function () { if (info) info.socketOpened = true; };
    ws.onmessage = function (e) {
      if (gen !== self.generation) return;
      var m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m && typeof m.event === 'string') self._event(m.event, m.data, gen, T.Wire.cursorId(m.id));
    };
    ws.onclose = function (e) {
      if (gen !== self.generation) return;
      if (e && e.code === 1008 && self.socketChanged) return self._socketRefusedChange();
      self._streamEnded({});
    };
  };

  /**
   * The server closed the socket (1008) for a symbol we just added: a delayed
   * one on a socket opened with live symbols only (or the other way round),
   * or one outside the token's claims. Not a proxy, not a cut: open a socket
   * with the whole set from the cursor, as the server asks (a refused symbol
   * is then named and dropped).
   */
  C._socketRefusedChange = function () {
    this.streamInfo = null;
    this.socketChanged = false;
    this.start();
  };

  /** Sends a subscription change on a socket that said hello; false when there is none. */
  C._socketSend = function (message) {
    if (!this.ws || this.ws.readyState !== 1 || !this.streamInfo || !this.streamInfo.hello) return false;
    if (message.subscribe) this.socketChanged = true;
    this.ws.send(JSON.stringify(message));
    return true;
  };

  C._closeSocket = function () {
    if (!this.ws) return;
    var ws = this.ws;
    this.ws = null;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    try { ws.close(1000); } catch (e) {}
  };

  /** Probing upward from streaming: a socket that says hello in time wins. */
  C._probeSocket = function () {
    var self = this, done = false, opened = Date.now(), isOpen = false, ws;
    try { ws = new WebSocket(this._socketURL()); } catch (e) { this.ladder.streamEnded({lived: 0, hello: false, opened: false}); return; }
    function finish(hello) {
      if (done) return;
      done = true; clearTimeout(timer);
      ws.onmessage = ws.onclose = null;
      try { ws.close(1000); } catch (e) {}
      if (hello) { self.ladder.streamHello('websocket'); self.start(); }
    }
    var timer = setTimeout(function () { if (!done) { self.ladder.helloTimedOut(); finish(false); } }, this.ladder.limits.helloTimeout);
    ws.onopen = function () { isOpen = true; };
    ws.onmessage = function (e) { if (/^\{"event":"hello"/.test(e.data)) finish(true); };
    ws.onclose = function () {
      if (!done) { self.ladder.streamEnded({lived: Date.now() - opened, hello: false, opened: isOpen}); finish(false); }
    };
  };
})(typeof window !== 'undefined' ? window : globalThis);
