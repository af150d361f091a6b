/*
 * The polling rungs: long polls (held up to `wait` s) and plain polls. The
 * answer's status and timing go to the ladder as they are.
 */
(function (global) {
  'use strict';
  var T = global.Ticker, C = T.Connection.prototype;

  /** GET /poll; calls back (status, body, took seconds); status 0 is a network error. */
  C._fetchPoll = function (wait, done) {
    var since = this.cursorState.since();
    var p = {symbols: this.symbols.join(',')};
    if (since !== null) { p.since = since; p.wait = wait; }
    var started = Date.now(), self = this, gen = this.generation;
    var ctl = typeof AbortController !== 'undefined' ? new AbortController() : null;
    var killer = setTimeout(function () { if (ctl) ctl.abort(); }, (wait + 10) * 1000);
    var status = 0;
    // A refusal (401, 403) is the token's business, never the ladder's.
    function refused(body) {
      if (status !== 401 && status !== 403) return false;
      if (gen === self.generation) self._refusal(status, body);
      return true;
    }
    fetch(this._url('/poll', p), {cache: 'no-store', signal: ctl ? ctl.signal : undefined})
      .then(function (r) { status = r.status; return r.ok || status === 401 || status === 403 ? r.json() : null; })
      .then(function (body) { clearTimeout(killer); if (!refused(body)) done(status, body, (Date.now() - started) / 1000); },
            function () { clearTimeout(killer); if (!refused(null)) done(status === 200 ? 0 : status, null, (Date.now() - started) / 1000); });
    return ctl;
  };

  /** What a poll answer says: a snapshot, a reset, ticks, the cursor, the database. */
  C._pollBody = function (body) {
    if (!body) return;
    this.auth.accepted();
    this._delays(body);
    if (body.snapshot) this._snapshot(body.ticks || [], body.cursor);
    else {
      if (body.reset) this.cursorState.reset(body.cursor);
      this._ticks(body.ticks || []);
      this.cursorState.learn(body.cursor);
    }
    this._database(body.database || 'up');
  };

  C._poll = function () {
    var self = this, gen = this.generation;
    var long = (this.ladder.probing || this.ladder.mode) === 'long-polling';
    var wait = long && this.cursorState.since() !== null ? this.wait : 0;
    this.abort = this._fetchPoll(wait, function (status, body, took) {
      if (gen !== self.generation) return;
      self.abort = null;
      if (status === 200 && body) self._pollBody(body);
      var d = self.ladder.pollAnswered({wait: wait, took: took, status: body ? status : (status === 200 ? 0 : status),
                                        ticks: body && body.ticks ? body.ticks.length : 0,
                                        bye: !!(body && body.bye), retry: body && body.retry});
      if (status === 200 && body && !body.bye) self._live();
      else { self.state = 'reconnecting'; }
      self.status(status === 200 ? {reason: d.reason} : {error: status ? 'HTTP ' + status : 'network error', reason: d.reason});
      self._apply(d);
    });
  };
})(typeof window !== 'undefined' ? window : globalThis);
