/*
 * The access token as the connection carries it out (the rules are in
 * token.js): every URL gets `token=`, an expired token is renewed and the
 * connection resumes on the same rung from its cursor, a refusal reaches the
 * page once. None of it goes through the ladder: a refusal is not a proxy.
 */
(function (global) {
  'use strict';
  var T = global.Ticker, C = T.Connection.prototype, TokenSource = T.TokenSource;

  /** base + path + query, with the token when there is one (always last, so logs that cut URLs cut it). */
  C._url = function (path, params) {
    var p = {};
    for (var k in params) p[k] = params[k];
    if (this.auth.value) p.token = this.auth.value;
    return this.base + path + '?' + T._qs(p);
  };

  /**
   * Carry out a token decision: ask the page's function (after the back-off
   * delay), then start again on the same rung from the cursor. The timer is
   * the connection's own: nothing that restarts requests meanwhile cancels it.
   */
  C._renew = function (d) {
    if (d.action === 'wait') return;
    if (d.action === 'refuse') return this._refused({action: 'refuse', error: d.error, reason: 'expired', status: 401});
    var self = this;
    this._stop();
    this.state = 'authorizing';
    this.status({authorizing: true});
    clearTimeout(this.renewTimer);
    if (d.action === 'retry') { this.renewTimer = setTimeout(function () { self.start(); }, d.delay); return; }
    this.renewTimer = setTimeout(function () {
      var answer;
      try { answer = self.auth.source(); } catch (e) { answer = null; }
      Promise.resolve(answer).then(null, function () { return null; }).then(function (token) {
        if (self.closed) return;
        var next = self.auth.refreshed(token);
        if (next.action === 'start') self.start();
        else self._renew(next);
      });
    }, d.delay);
  };

  /** A 401 or 403 (its JSON body, or null): renew, drop the refused symbols, or stop. */
  C._refusal = function (status, body) {
    var d = TokenSource.classify(status, body, this.symbols);
    if (d.action === 'renew') return this._renew(this.auth.expired());
    d.status = status;
    this._refused(d);
  };

  /**
   * Tell the page (onError, and onStatus with `refused`). Symbols outside the
   * claims leave the connection, which goes on with the rest; any other
   * refusal stops it until the page asks for something again (subscribe).
   */
  C._refused = function (d) {
    var refused = d.symbols || [];
    this.symbols = this.symbols.filter(function (s) { return refused.indexOf(s) < 0; });
    var info = {status: d.status, error: d.error, reason: d.reason, symbols: refused};
    this.onError(info);
    if (d.action === 'drop' && this.symbols.length) {
      this.status({refused: info});
      this.start();
      return;
    }
    this._stop();
    this.state = 'refused';
    this.status({refused: info, error: d.error});
  };

  /**
   * EventSource, forever frames and sockets hide the status of a refused
   * request. When one ends without hello and a token is in play, /quotes (which
   * obeys the same rules) says whether it was a refusal before the ladder
   * hears of a failure.
   */
  var ended = C._streamEnded;
  C._streamEnded = function (o) {
    var info = this.streamInfo;
    if (!info || info.hello || o.bye || o.status || o.checked || !this.auth.enabled) return ended.call(this, o);
    var self = this;
    this._stop();
    this.streamInfo = info;
    var gen = this.generation;
    fetch(this._url('/quotes', {symbols: this.symbols.join(',')}), {cache: 'no-store'}).then(function (r) {
      if (r.status !== 401 && r.status !== 403) return {status: r.status, body: null};
      return r.json().then(function (b) { return {status: r.status, body: b}; }, function () { return {status: r.status, body: null}; });
    }, function () { return {status: 0, body: null}; }).then(function (a) {
      if (gen !== self.generation || self.closed) return;
      if (a.status === 401 || a.status === 403) { self.streamInfo = null; return self._refusal(a.status, a.body); }
      var again = {checked: true};
      for (var k in o) again[k] = o[k];
      ended.call(self, again);
    });
  };
})(typeof window !== 'undefined' ? window : globalThis);
