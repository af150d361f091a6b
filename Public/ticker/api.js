/*
 * The CometTicker client library's public face. No build step, no dependencies:
 * the server serves `/ticker.js` as this folder's parts joined in order
 * (ladder, cursor, token, wire, connection, streams, socket, polls, auth, share, api; see
 * Sources/Comet/Routes/StaticFiles.swift), so a page needs one script tag:
 *
 *   <script src="http://127.0.0.1:8080/ticker.js"></script>
 *
 *   var t = Ticker.connect({symbols: ['AAPL'], onTick: fn, onStatus: fn, onError: fn, since: null, share: true,
 *                           token: 'T' | function () { return 'T' or a promise of it; }});
 *   t.subscribe('MSFT'); t.unsubscribe('AAPL'); t.close();
 *
 * It opens a WebSocket first (/ws; a refused Upgrade or no hello in time steps
 * down to streaming with the cursor, and probing returns to it), then streams
 * (EventSource; or xhr, iframe, multipart with {transport}, which skips the socket),
 * showing short polls until the stream says hello; a proxy that buffers (no
 * hello in time) or cuts streams and held polls moves it down to long polling
 * and polling, and every probeInterval it tries one step up. A server that is
 * restarting (refused, bye, 503) is retried on the same rung with back-off.
 * With {share: true}, tabs of one origin share one connection (share.js).
 * With {token}, every request carries it; an expired one is renewed and the
 * connection resumes on its rung from its cursor (token.js, auth.js).
 */
(function (global) {
  'use strict';
  var Ticker = global.Ticker = global.Ticker || {};

  /** Forever frames: each frame's handler, found by the window that posts. */
  var frames = [];
  Ticker._frames = {
    add: function (frame, handler) { frames.push({frame: frame, handler: handler}); },
    remove: function (frame) {
      frames = frames.filter(function (f) { return f.frame !== frame; });
      if (frame.parentNode) frame.parentNode.removeChild(frame);
    }
  };
  /** The older same-origin frame script calls parent.Ticker._push(name, data, id). */
  Ticker._push = function (name, data, id) {
    frames.slice().forEach(function (f) { f.handler(name, data, id === undefined ? null : id); });
  };
  if (typeof window !== 'undefined' && window.addEventListener) {
    window.addEventListener('message', function (e) {
      var m = Ticker.Wire.frameMessage(e.data);
      if (!m) return;
      frames.slice().forEach(function (f) { if (f.frame.contentWindow === e.source) f.handler(m.event, m.data, m.id); });
    });
  }

  /** The public handle of a connection (own or shared). */
  function handle(c) {
    return {
      subscribe: function (s) { c.subscribe(s); },
      unsubscribe: function (s) { c.unsubscribe(s); },
      close: function () { c.close(); },
      get transport() { return c.ladder ? c.ladder.mode : c.transport; },
      get cursor() { return c.cursor; },
      _connection: c
    };
  }

  var C = Ticker.Connection && Ticker.Connection.prototype;
  if (C) {
    C.subscribe = function (symbol, since) {
      symbol = String(symbol).toUpperCase();
      if (since !== undefined) this.cursorState.rewind(since);
      if (this.symbols.indexOf(symbol) >= 0) { if (since !== undefined) this.start(); return; }
      this.symbols.push(symbol);
      // On an open socket the server adds it and sends its snapshot.
      if (this._socketSend && this._socketSend({subscribe: [symbol]})) return;
      // A new symbol: its latest quote, then everything after the cursor.
      var self = this;
      fetch(this._url('/quotes', {symbols: symbol})).then(function (r) { return r.json(); })
        .then(function (b) { if (b.quotes) self._snapshot(b.quotes); }).catch(function () {});
      this.start();
    };
    C.unsubscribe = function (symbol) {
      symbol = String(symbol).toUpperCase();
      this.symbols = this.symbols.filter(function (s) { return s !== symbol; });
      if (this._socketSend && this._socketSend({unsubscribe: [symbol]})) return;
      this.start();
    };
    C.close = function () {
      this.closed = true;
      clearInterval(this.probeTimer);
      clearTimeout(this.renewTimer);
      this._stop();
    };
  }

  Ticker.connect = function (options) {
    if (options.share && Ticker.SharedConnection && Ticker.SharedConnection.supported()) {
      return handle(new Ticker.SharedConnection(options));
    }
    return handle(new Ticker.Connection(options));
  };
})(typeof window !== 'undefined' ? window : globalThis);
