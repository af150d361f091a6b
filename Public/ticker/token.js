/*
 * The access token, a plain value (Tests/js/token.test.js). A page gives
 * Ticker.connect a token (a string) or a function that returns one (or a
 * promise of one); the connection puts it on every request as `token=` (the
 * one carrier every transport has: EventSource, <script>, iframes and
 * WebSocket cannot set headers, so fetch and XHR use it too).
 *
 * What the server may say, and what follows:
 * - the token expired (a `token-expired` event, or a 401 with reason
 *   `expired`): ask the function for a new one, once per expiry, and resume on
 *   the same rung from the cursor. A function that keeps handing out tokens
 *   the server finds expired (or keeps failing) is asked again with back-off.
 * - anything else (a bad signature, a malformed token, a symbol outside the
 *   claims): the server's one-line message goes to the page; no retry, since
 *   asking again would be refused again.
 * With no token given, the browser's cookie (`ticker_token`) may carry one
 * that the site renews: an expiry is then retried as it is, with back-off.
 * A fixed string cannot be renewed: its expiry is a refusal.
 * Neither is evidence of a proxy, so neither moves the transport ladder.
 */
(function (global) {
  'use strict';

  var DEFAULTS = {
    refreshBase: 1000,   // ms: the second refresh in a row waits this, doubling
    refreshMax: 30000    // ms: the longest wait between refreshes
  };

  function TokenSource(token, options) {
    options = options || {};
    this.limits = {};
    for (var k in DEFAULTS) this.limits[k] = options[k] !== undefined ? options[k] : DEFAULTS[k];
    this.source = typeof token === 'function' ? token : null;
    this.value = typeof token === 'string' && token ? token : null;
    this.enabled = !!(this.source || this.value);
    this.pending = false;   // a refresh is under way: requests wait for it
    this.failures = 0;      // refreshes in a row that did not give a working token
  }
  TokenSource.DEFAULTS = DEFAULTS;

  /** True when no request may go out before the function is asked (first use, or a refresh). */
  TokenSource.prototype.needed = function () {
    return this.pending || (!!this.source && this.value === null);
  };

  /** The delay before the next refresh: none the first time, then back-off. */
  TokenSource.prototype._delay = function () {
    if (!this.failures) return 0;
    return Math.min(this.limits.refreshMax, this.limits.refreshBase * Math.pow(2, this.failures - 1));
  };

  /**
   * The server says the token expired. Returns {action: 'refresh', delay} (ask
   * the function after `delay` ms), {action: 'wait'} (a refresh is already
   * under way: this is the same expiry), {action: 'retry', delay} (no token of
   * ours: try again as we are, the cookie may have been renewed) or
   * {action: 'refuse', error} (a fixed token cannot be renewed).
   */
  TokenSource.prototype.expired = function () {
    if (this.pending) return {action: 'wait'};
    if (!this.source && this.value) return {action: 'refuse', error: 'the access token expired'};
    var delay = this._delay();
    this.failures += 1;
    if (!this.source) return {action: 'retry', delay: delay};
    this.pending = true;
    return {action: 'refresh', delay: delay};
  };

  /** The first request needs a token: ask the function now. */
  TokenSource.prototype.begin = function () {
    if (this.pending) return {action: 'wait'};
    this.pending = true;
    return {action: 'refresh', delay: 0};
  };

  /**
   * The function answered. A usable token ends the refresh; anything else
   * (an error, an empty answer) is a failed refresh, tried again with back-off.
   */
  TokenSource.prototype.refreshed = function (value) {
    this.pending = false;
    if (typeof value === 'string' && value) { this.value = value; return {action: 'start'}; }
    return this.expired();
  };

  /** A request went through with the token (hello, a poll answered): back-off starts over. */
  TokenSource.prototype.accepted = function () {
    this.failures = 0;
  };

  /**
   * A 401/403 answer: its JSON body ({error, reason, symbols}) or null.
   * Returns {action: 'renew'} for an expired token, {action: 'drop', symbols,
   * error} when only some symbols are refused (the rest may stream), else
   * {action: 'refuse', error, reason}.
   */
  TokenSource.classify = function (status, body, symbols) {
    var reason = body && body.reason, error = (body && body.error) || 'HTTP ' + status;
    if (status === 401 && reason === 'expired') return {action: 'renew'};
    var refused = status === 403 && body && Array.isArray(body.symbols) ? body.symbols : [];
    var left = (symbols || []).filter(function (s) { return refused.indexOf(s) < 0; });
    if (refused.length && left.length && left.length < (symbols || []).length) {
      return {action: 'drop', symbols: refused, error: error, reason: reason || 'not-entitled'};
    }
    return {action: 'refuse', error: error, reason: reason || (status === 403 ? 'forbidden' : 'unauthorized'), symbols: refused};
  };

  var Ticker = global.Ticker = global.Ticker || {};
  Ticker.TokenSource = TokenSource;
  if (typeof module === 'object' && module.exports) module.exports = TokenSource;
})(typeof window !== 'undefined' ? window : globalThis);
