/*
 * The streaming rung: EventSource (sse), XHR streaming (xhr, multipart) and the
 * forever frame (iframe). Each reports hello, events and its end to the
 * connection; the ladder decides what follows.
 */
(function (global) {
  'use strict';
  var T = global.Ticker, C = T.Connection.prototype, Wire = T.Wire;

  C._streamURL = function (transport, extra) {
    var p = {symbols: this.symbols.join(','), transport: transport === 'sse' ? null : transport};
    p.since = this.cursorState.since();
    for (var k in extra || {}) p[k] = extra[k];
    return this._url('/stream', p);
  };

  C._stream = function () {
    var self = this, gen = this.generation;
    this.streamInfo = {opened: Date.now(), hello: false, rung: this.ladder.mode};
    this.helloTimer = this._later(function () {
      var d = self.ladder.helloTimedOut();
      self.status({buffered: true});
      self._apply(d);
    }, this.ladder.limits.helloTimeout);
    if (!this.bridge) return this._openStream(gen);
    // Until the stream proves itself (hello), polls keep the page live: behind
    // a buffering proxy that costs no blank seconds. A first visit takes its
    // snapshot by poll, then streams from that cursor, so there is one
    // snapshot and every tick after it, whichever source delivers it.
    if (this.cursorState.since() !== null) {
      this._openStream(gen);
      this._bridgePoll(gen);
      return;
    }
    this._fetchPoll(0, function (status, body) {
      if (gen !== self.generation) return;
      if (status === 200 && body) { self._pollBody(body); self._live(); }
      self._openStream(gen);
      self._bridgePoll(gen);
    });
  };

  C._openStream = function (gen) {
    var self = this, transport = this.transport;
    if (this.streamInfo && this.streamInfo.rung === 'websocket') return this._openSocket(gen);
    if (transport === 'sse' && typeof EventSource === 'undefined') transport = 'xhr';
    if (transport === 'sse') {
      var es = this.es = new EventSource(this._streamURL('sse'));
      ['hello', 'snapshot', 'tick', 'conflated', 'reset', 'bye', 'status', 'heartbeat', 'token-expired'].forEach(function (name) {
        es.addEventListener(name, function (e) {
          self._event(name, JSON.parse(e.data), gen, Wire.cursorId(e.lastEventId));
        });
      });
      es.onerror = function () { if (gen === self.generation) self._streamEnded({}); };
    } else if (transport === 'iframe') {
      this._frameStream(gen);
    } else {
      this._xhrStream(transport, gen);
    }
  };

  /** xhr and multipart: parse the response text as it grows. */
  C._xhrStream = function (transport, gen) {
    var self = this, seen = 0, rest = '', mstate = null, boundary = null;
    var x = this.xhr = new XMLHttpRequest();
    x.open('GET', this._streamURL(transport));
    x.onprogress = function () {
      if (gen !== self.generation) return;
      var text = x.responseText, chunk = text.slice(seen), r;
      seen = text.length;
      if (transport === 'multipart') {
        boundary = boundary || Wire.multipartBoundary(x.getResponseHeader('Content-Type'));
        if (!boundary) return;
        r = Wire.parseMultipart(mstate, chunk, boundary);
        mstate = r.state;
      } else {
        r = Wire.parseEventStream(rest, chunk);
        rest = r.rest;
      }
      for (var i = 0; i < r.events.length && gen === self.generation; i++) {
        self._event(r.events[i].event, r.events[i].data, gen, r.events[i].id);
      }
    };
    x.onloadend = function () {
      if (gen !== self.generation) return;
      if (x.status === 401 || x.status === 403) {
        var body = null;
        try { body = JSON.parse(x.responseText); } catch (e) {}
        self.streamInfo = null;
        return self._refusal(x.status, body);
      }
      if (x.status === 503 || x.status === 0 || x.status >= 500) self._streamEnded({status: x.status});
      else self._streamEnded({});
    };
    x.send();
  };

  /**
   * The forever frame. Chunks either postMessage({ticker: [event, data, id]})
   * to the parent (works across origins) or call parent.Ticker._push (the
   * older same-origin form); both arrive here.
   */
  C._frameStream = function (gen) {
    var self = this;
    var f = document.createElement('iframe');
    f.style.display = 'none';
    // Across origins the frame posts its events to this page's origin only.
    var origin = /^https?:/.test(location.origin) ? {origin: location.origin} : null;
    f.src = this._streamURL('iframe', origin);
    this.frame = f;
    T._frames.add(f, function (name, data, id) { self._event(name, data, gen, id); });
    f.onload = function () { if (gen === self.generation) self._streamEnded({}); };
    // Added after the page's own load, or the page would never finish loading.
    if (document.readyState === 'complete') document.body.appendChild(f);
    else window.addEventListener('load', function () { if (gen === self.generation) document.body.appendChild(f); });
  };

  /** A stream ended (error, close, or bye): let the ladder decide. */
  C._streamEnded = function (o) {
    if (!this.streamInfo) return;
    var info = this.streamInfo;
    this.streamInfo = null;
    var d = this.ladder.streamEnded({lived: Date.now() - info.opened, hello: info.hello, bye: !!o.bye, retry: o.retry,
                                     opened: info.socketOpened});
    this.state = 'reconnecting';
    this.status({reconnecting: true, reason: d.reason});
    this._apply(d);
  };

  /**
   * A poll while the stream is unproven: the snapshot first, then polls held
   * for a second (answered as soon as a tick exists). It never moves the ladder.
   */
  C._bridgePoll = function (gen) {
    var self = this;
    if (gen !== this.generation || !this.streamInfo || this.streamInfo.hello) return;
    this._fetchPoll(1, function (status, body) {
      if (gen !== self.generation || !self.streamInfo || self.streamInfo.hello) return;
      if (status === 200) { self._pollBody(body); self._live(); }
      self._later(function () { self._bridgePoll(gen); }, status === 200 ? 0 : self.bridgeInterval);
    });
  };

  /** Try one step up now and then; the ladder falls back if it fails. */
  C._probe = function () {
    if (this.closed) return;
    var up = this.ladder.probe();
    if (up === 'websocket') return this._probeSocket();
    if (up !== 'streaming') return;   // a probe to long polling rides on the next poll
    var self = this;
    if (typeof EventSource === 'undefined') { this.ladder.helloTimedOut(); return; }
    var es = new EventSource(this._streamURL('sse')), done = false, opened = Date.now();
    function finish(hello) {
      if (done) return;
      done = true; clearTimeout(timer); es.close();
      if (hello) { self.ladder.streamHello(); self.start(); }
    }
    var timer = setTimeout(function () { if (!done) { self.ladder.helloTimedOut(); finish(false); } }, this.ladder.limits.helloTimeout);
    es.addEventListener('hello', function () { finish(true); });
    es.onerror = function () { if (!done) { self.ladder.streamEnded({lived: Date.now() - opened, hello: false}); finish(false); } };
  };
})(typeof window !== 'undefined' ? window : globalThis);
