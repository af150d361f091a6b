/*
 * ticker.js: the CometTicker client library. No build step, no dependencies.
 *
 *   var t = Ticker.connect({symbols: ['AAPL'], onTick: fn, onStatus: fn, since: null});
 *   t.subscribe('MSFT'); t.unsubscribe('AAPL'); t.close();
 *
 * It streams first (EventSource; or the xhr, iframe or multipart transports
 * with {transport: ...}); when a proxy buffers the stream (no `hello` within
 * helloTimeout) or keeps cutting it, it steps down to long polling; when long
 * polls are cut or fail, to plain polling; and every probeInterval it tries one
 * step up again. The cursor goes with every request, and ticks are
 * de-duplicated by id, so switching loses and repeats nothing.
 */
(function (global) {
  'use strict';

  var MODES = ['streaming', 'long-polling', 'polling'];

  /**
   * The transport ladder as a plain state machine: events in, mode out.
   * It does no IO, so it is tested on its own (Tests/BrowserTests).
   */
  function Ladder(options) {
    options = options || {};
    this.mode = options.start || 'streaming';
    this.failures = 0;
    this.probing = null;           // the mode being tried upward, if any
    this.streamFailuresToStepDown = options.streamFailuresToStepDown || 2;
    this.pollFailuresToStepDown = options.pollFailuresToStepDown || 2;
  }
  Ladder.MODES = MODES;
  Ladder.prototype._down = function () {
    var i = MODES.indexOf(this.mode);
    if (i < MODES.length - 1) this.mode = MODES[i + 1];
    this.failures = 0;
    return this.mode;
  };
  /**
   * A stream said hello. Failures are not forgotten yet: a proxy that cuts
   * streams lets the hello through and then cuts; only `streamHealthy` clears them.
   */
  Ladder.prototype.streamHello = function () {
    this.mode = 'streaming'; this.probing = null;
    return this.mode;
  };
  /** A stream has stayed open for a good while: it works. */
  Ladder.prototype.streamHealthy = function () {
    if (this.mode === 'streaming') this.failures = 0;
    return this.mode;
  };
  /** No hello in time: the stream is being buffered. Step down at once. */
  Ladder.prototype.streamBuffered = function () {
    if (this.probing === 'streaming') { this.probing = null; return this.mode; }
    return this.mode === 'streaming' ? this._down() : this.mode;
  };
  /** A stream that had said hello ended early (cut by a proxy). */
  Ladder.prototype.streamCut = function () {
    if (this.mode !== 'streaming') return this.mode;
    this.failures += 1;
    return this.failures >= this.streamFailuresToStepDown ? this._down() : this.mode;
  };
  /** A poll answered normally. */
  Ladder.prototype.pollOk = function () {
    if (this.probing === 'long-polling') { this.mode = 'long-polling'; this.probing = null; }
    this.failures = 0;
    return this.mode;
  };
  /**
   * A poll failed. `gateway` is true for a proxy's cut (502/504, or a held
   * request answered far earlier or later than asked): one of those is enough.
   */
  Ladder.prototype.pollFailed = function (gateway) {
    if (this.probing === 'long-polling') { this.probing = null; return this.mode; }
    if (this.mode !== 'long-polling') return this.mode;
    this.failures += 1;
    return (gateway || this.failures >= this.pollFailuresToStepDown) ? this._down() : this.mode;
  };
  /** Time to try one step up; returns the mode to probe, or null. */
  Ladder.prototype.probe = function () {
    var i = MODES.indexOf(this.mode);
    if (i === 0 || this.probing) return null;
    this.probing = MODES[i - 1];
    return this.probing;
  };

  function qs(params) {
    var out = [];
    for (var k in params) if (params[k] !== null && params[k] !== undefined) out.push(k + '=' + encodeURIComponent(params[k]));
    return out.join('&');
  }

  /** One live connection: the ladder plus the transports and the cursor. */
  function Connection(options) {
    this.base = options.url || '';
    this.symbols = (options.symbols || []).map(function (s) { return String(s).toUpperCase(); });
    this.onTick = options.onTick || function () {};
    this.onSnapshot = options.onSnapshot || null;
    this.onStatus = options.onStatus || function () {};
    this.cursor = options.since === undefined ? null : options.since;
    this.lastId = this.cursor === null ? 0 : this.cursor;
    this.transport = options.transport || 'sse';
    this.helloTimeout = options.helloTimeout || 4000;
    this.wait = options.wait || 25;
    this.pollInterval = options.pollInterval || 2000;
    this.probeInterval = options.probeInterval || 60000;
    this.ladder = new Ladder(options.ladder);
    this.closed = false;
    this.generation = 0;   // bumps on every switch; stale callbacks see a different number
    this.timers = [];
    this.received = 0;
    this.start();
    var self = this;
    this.probeTimer = setInterval(function () { self._probe(); }, this.probeInterval);
  }

  Connection.prototype.status = function (extra) {
    var s = {transport: this.ladder.mode, cursor: this.cursor, received: this.received};
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
    if (this.frame) { this.frame.parentNode && this.frame.parentNode.removeChild(this.frame); this.frame = null; }
    for (var g in Ticker._frames) if (Ticker._frames[g].owner === this) delete Ticker._frames[g];
    if (this.abort) { this.abort.abort(); this.abort = null; }
  };

  Connection.prototype.start = function () {
    this._stop();
    if (this.closed || !this.symbols.length) return;
    this.status();
    if (this.ladder.mode === 'streaming') this._stream();
    else this._poll();
  };

  // ---- ticks, whatever the transport ----

  Connection.prototype._ticks = function (ticks) {
    for (var i = 0; i < ticks.length; i++) {
      var t = ticks[i];
      if (t.id <= this.lastId) continue;          // de-duplicate by id
      if (this.symbols.indexOf(t.symbol) < 0) continue;
      this.lastId = t.id;
      this.cursor = Math.max(this.cursor || 0, t.id);
      this.received += 1;
      this.onTick(t, {transport: this.ladder.mode});
    }
  };

  Connection.prototype._snapshot = function (ticks, cursor) {
    if (this.initialCursor === undefined && cursor !== undefined) this.initialCursor = cursor;
    if (this.cursor === null || cursor !== undefined) {
      if (cursor !== undefined) this.cursor = Math.max(this.cursor || 0, cursor);
      if (this.lastId < (this.cursor || 0)) this.lastId = this.cursor;
    }
    var cb = this.onSnapshot;
    for (var i = 0; i < ticks.length; i++) {
      if (cb) cb(ticks[i]); else this.onTick(ticks[i], {snapshot: true, transport: this.ladder.mode});
    }
  };

  /** Server events shared by every streaming transport. */
  Connection.prototype._event = function (name, data, gen) {
    if (gen !== this.generation) return;
    if (name === 'hello') {
      clearTimeout(this.helloTimer);
      this.helloAt = Date.now();
      if (this.cursor === null) { this.cursor = data.cursor; this.initialCursor = data.cursor; }
      this.ladder.streamHello();
      var self = this;
      this._later(function () { self.ladder.streamHealthy(); }, 15000);
      this.status({hello: true});
    } else if (name === 'snapshot') {
      this._snapshot(data.ticks);
    } else if (name === 'tick') {
      this._ticks([data]);
    } else if (name === 'ticks') {
      this._ticks(data);
    } else if (name === 'conflated') {
      this.lastId = 0;
      this.status({conflated: data});
    } else if (name === 'reset') {
      this.cursor = data.cursor; this.lastId = data.cursor;
      this.status({reset: data});
    } else if (name === 'heartbeat') {
      if (data.cursor > (this.cursor || 0)) this.cursor = data.cursor;
    } else if (name === 'bye') {
      this._streamEnded(true, data.retry);
    }
  };

  // ---- streaming ----

  Connection.prototype._streamURL = function (transport) {
    var p = {symbols: this.symbols.join(','), transport: transport === 'sse' ? null : transport};
    if (this.cursor !== null) p.since = this.lastId > 0 ? this.lastId : this.cursor;
    return this.base + '/stream?' + qs(p);
  };

  Connection.prototype._stream = function () {
    var self = this, gen = this.generation;
    this.helloAt = 0;
    this.openedAt = Date.now();
    this.helloTimer = this._later(function () {
      self.ladder.streamBuffered();
      self.status({buffered: true});
      self.start();
    }, this.helloTimeout);
    var transport = this.transport;
    if (transport === 'sse' && typeof EventSource === 'undefined') transport = 'xhr';
    if (transport === 'sse') {
      var es = this.es = new EventSource(this._streamURL('sse'));
      ['hello', 'snapshot', 'tick', 'conflated', 'reset', 'bye'].forEach(function (name) {
        es.addEventListener(name, function (e) { self._event(name, JSON.parse(e.data), gen); });
      });
      es.onerror = function () { if (gen === self.generation) self._streamEnded(false); };
    } else if (transport === 'iframe') {
      var f = this.frame = document.createElement('iframe');
      f.style.display = 'none';
      var handler = function (name, data) { self._event(name, data, gen); };
      handler.owner = this;
      Ticker._frames[gen + ':' + Math.random()] = handler;
      f.src = this._streamURL('iframe');
      f.onload = function () { if (gen === self.generation) self._streamEnded(false); };
      document.body.appendChild(f);
    } else {
      this._xhrStream(transport, gen);
    }
  };

  /** xhr and multipart: read the response text as it grows. */
  Connection.prototype._xhrStream = function (transport, gen) {
    var self = this, seen = 0;
    var x = this.xhr = new XMLHttpRequest();
    x.open('GET', this._streamURL(transport));
    x.onprogress = function () {
      var text = x.responseText;
      if (transport === 'multipart') {
        var parts = text.slice(seen).split('\r\n--tickerpart\r\n');
        for (var i = 0; i < parts.length - 1; i++) {
          var body = parts[i].split('\r\n\r\n')[1];
          seen += parts[i].length + 16;
          if (body) { var m = JSON.parse(body); self._event(m.event, m.data, gen); }
        }
        if (seen === 0 && text.indexOf('--tickerpart\r\n') === 0) seen = 14;
      } else {
        var end;
        while ((end = text.indexOf('\n\n', seen)) >= 0) {
          var block = text.slice(seen, end); seen = end + 2;
          var ev = 'message', data = null;
          block.split('\n').forEach(function (line) {
            if (line.indexOf('event: ') === 0) ev = line.slice(7);
            else if (line.indexOf('data: ') === 0) data = line.slice(6);
          });
          if (data !== null) self._event(ev, JSON.parse(data), gen);
        }
      }
    };
    x.onloadend = function () { if (gen === self.generation) self._streamEnded(false); };
    x.send();
  };

  Connection.prototype._streamEnded = function (graceful, retry) {
    var self = this;
    if (this.es) { this.es.close(); this.es = null; }
    if (!this.helloAt) return; // never said hello: the hello timer decides
    var lived = Date.now() - this.openedAt;
    if (!graceful && lived < 15000) this.ladder.streamCut();
    this.status({reconnecting: true});
    this._later(function () { self.start(); }, graceful ? (retry || 1000) : 1000);
  };

  // ---- long polling and polling ----

  Connection.prototype._poll = function () {
    var self = this, gen = this.generation;
    var long = (this.ladder.probing || this.ladder.mode) === 'long-polling';
    var wait = (long && this.cursor !== null) ? this.wait : 0;
    var p = {symbols: this.symbols.join(',')};
    if (this.cursor !== null) { p.since = Math.max(this.cursor, this.lastId); p.wait = wait; }
    var started = Date.now();
    var ctl = this.abort = (typeof AbortController !== 'undefined') ? new AbortController() : null;
    var killer = this._later(function () { if (ctl) ctl.abort(); }, (wait + 10) * 1000);
    fetch(this.base + '/poll?' + qs(p), {cache: 'no-store', signal: ctl ? ctl.signal : undefined})
      .then(function (r) {
        if (!r.ok) { var e = new Error('HTTP ' + r.status); e.gateway = r.status === 502 || r.status === 504; throw e; }
        return r.json();
      })
      .then(function (body) {
        clearTimeout(killer);
        if (gen !== self.generation) return;
        var took = (Date.now() - started) / 1000;
        if (body.snapshot) self._snapshot(body.ticks, body.cursor);
        else {
          if (body.reset) { self.lastId = body.cursor; }
          self._ticks(body.ticks);
          self.cursor = Math.max(self.cursor || 0, body.cursor);
        }
        // A held poll that came back empty far too early was cut by something.
        if (wait > 0 && !body.ticks.length && took < wait * 0.5) {
          self.ladder.pollFailed(true);
        } else {
          self.ladder.pollOk();
        }
        self.status();
        self._next(self.ladder.mode === 'polling' && !self.ladder.probing ? self.pollInterval : 0);
      })
      .catch(function (err) {
        clearTimeout(killer);
        if (gen !== self.generation) return;
        var took = (Date.now() - started) / 1000;
        // A proxy's cut: a gateway error, or a held poll that broke off well
        // before its wait (or long after it).
        self.ladder.pollFailed(!!(err && err.gateway) || took > wait + 5 || (wait > 0 && took < wait * 0.9));
        self.status({error: String(err && err.message || err)});
        self._next(self.ladder.mode === 'polling' ? self.pollInterval : 1000);
      });
  };

  Connection.prototype._next = function (delay) {
    var self = this;
    this._later(function () {
      var mode = self.ladder.probing || self.ladder.mode;
      if (mode === 'streaming') { self.start(); return; }
      self._poll();
    }, delay);
  };

  /** Try one step up now and then; the ladder falls back if it fails. */
  Connection.prototype._probe = function () {
    if (this.closed) return;
    var up = this.ladder.probe();
    if (!up) return;
    if (up === 'streaming') {
      // Probe with a separate stream; switch only once it says hello.
      var self = this, probeURL = this._streamURL('sse');
      if (typeof EventSource === 'undefined') { this.ladder.probing = null; return; }
      var es = new EventSource(probeURL), done = false;
      var timer = setTimeout(function () { if (!done) { done = true; es.close(); self.ladder.streamBuffered(); } }, this.helloTimeout);
      es.addEventListener('hello', function () {
        if (done) return;
        done = true; clearTimeout(timer); es.close();
        self.ladder.streamHello();
        self.start();
      });
      es.onerror = function () { if (!done) { done = true; clearTimeout(timer); es.close(); self.ladder.streamBuffered(); } };
    }
    // A probe to long polling rides on the next poll (see _next).
  };

  // ---- public handle ----

  Connection.prototype.subscribe = function (symbol) {
    symbol = String(symbol).toUpperCase();
    if (this.symbols.indexOf(symbol) >= 0) return;
    this.symbols.push(symbol);
    // New symbol: take its snapshot, then carry on from the cursor.
    var self = this;
    fetch(this.base + '/quotes?' + qs({symbols: symbol})).then(function (r) { return r.json(); })
      .then(function (b) { if (b.quotes) self._snapshot(b.quotes); }).catch(function () {});
    this.start();
  };
  Connection.prototype.unsubscribe = function (symbol) {
    symbol = String(symbol).toUpperCase();
    this.symbols = this.symbols.filter(function (s) { return s !== symbol; });
    this.start();
  };
  Connection.prototype.close = function () {
    this.closed = true;
    clearInterval(this.probeTimer);
    this._stop();
  };

  var Ticker = global.Ticker || {};
  Ticker.Ladder = Ladder;
  Ticker._frames = {};
  /** Forever-frame chunks call parent.Ticker._push(name, data, id). */
  Ticker._push = function (name, data) {
    for (var g in Ticker._frames) Ticker._frames[g](name, data);
  };
  Ticker.connect = function (options) {
    var c = new Connection(options);
    return {
      subscribe: function (s) { c.subscribe(s); },
      unsubscribe: function (s) { c.unsubscribe(s); },
      close: function () { c.close(); },
      get transport() { return c.ladder.mode; },
      get cursor() { return c.cursor; },
      _connection: c
    };
  };
  global.Ticker = Ticker;
})(typeof window !== 'undefined' ? window : this);
