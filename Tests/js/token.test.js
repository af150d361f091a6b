// The access token's rules (Public/ticker/token.js), one observation at a time.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const TokenSource = require('../../Public/ticker/token.js');

test('no token: nothing to ask, nothing added', () => {
  const t = new TokenSource();
  assert.equal(t.enabled, false);
  assert.equal(t.needed(), false);
  assert.equal(t.value, null);
});

test('a fixed token is used as is and cannot be renewed', () => {
  const t = new TokenSource('abc');
  assert.equal(t.enabled, true);
  assert.equal(t.needed(), false);
  assert.equal(t.value, 'abc');
  assert.deepEqual(t.expired(), {action: 'refuse', error: 'the access token expired'});
});

test('no token of ours (a cookie may carry one): an expiry is retried as is, with back-off', () => {
  const t = new TokenSource();
  assert.deepEqual([1, 2, 3].map(() => t.expired()), [{action: 'retry', delay: 0}, {action: 'retry', delay: 1000}, {action: 'retry', delay: 2000}]);
  assert.equal(t.needed(), false);
  t.accepted();
  assert.equal(t.expired().delay, 0);
});

test('a token function is asked before the first request', () => {
  const t = new TokenSource(() => 'x');
  assert.equal(t.needed(), true);
  assert.deepEqual(t.begin(), {action: 'refresh', delay: 0});
  assert.deepEqual(t.begin(), {action: 'wait'}, 'once');
  assert.deepEqual(t.refreshed('T1'), {action: 'start'});
  assert.equal(t.value, 'T1');
  assert.equal(t.needed(), false);
});

test('one refresh per expiry: signals during a refresh wait for it', () => {
  const t = new TokenSource(() => 'x');
  t.refreshed('T1');
  assert.deepEqual(t.expired(), {action: 'refresh', delay: 0});
  assert.equal(t.needed(), true, 'no request goes out with the old token meanwhile');
  assert.deepEqual(t.expired(), {action: 'wait'});   // the stream's event and a poll's 401
  assert.deepEqual(t.refreshed('T2'), {action: 'start'});
  t.accepted();
  assert.deepEqual(t.expired(), {action: 'refresh', delay: 0}, 'a later expiry refreshes at once again');
});

test('a function that keeps giving expired tokens, or failing, is asked with back-off', () => {
  const t = new TokenSource(() => 'x');
  const delays = [];
  for (let i = 0; i < 7; i++) {
    delays.push(t.expired().delay);
    assert.equal(t.refreshed('stale').action, 'start');   // ...and the server says expired again
  }
  assert.deepEqual(delays, [0, 1000, 2000, 4000, 8000, 16000, 30000]);
  const failing = new TokenSource(() => 'x');
  failing.expired();
  assert.deepEqual(failing.refreshed(null), {action: 'refresh', delay: 1000});
  assert.deepEqual(failing.refreshed(''), {action: 'refresh', delay: 2000});
  assert.deepEqual(failing.refreshed('ok'), {action: 'start'});
  failing.accepted();
  assert.equal(failing.expired().delay, 0, 'a token that worked starts the back-off over');
});

test('the server\'s answers: expired renews, symbols outside the claims are dropped, the rest refuse', () => {
  assert.deepEqual(TokenSource.classify(401, {error: 'token expired', reason: 'expired'}, ['A']), {action: 'renew'});
  for (const reason of ['missing', 'malformed', 'bad-signature', 'algorithm', 'not-yet-valid']) {
    const d = TokenSource.classify(401, {error: 'token ' + reason, reason}, ['A']);
    assert.equal(d.action, 'refuse');
    assert.equal(d.error, 'token ' + reason);
    assert.equal(d.reason, reason);
  }
  const some = TokenSource.classify(403, {error: 'not entitled to MSFT', reason: 'not-entitled', symbols: ['MSFT']}, ['AAPL', 'MSFT']);
  assert.deepEqual(some, {action: 'drop', symbols: ['MSFT'], error: 'not entitled to MSFT', reason: 'not-entitled'});
  const all = TokenSource.classify(403, {error: 'not entitled to MSFT', reason: 'not-entitled', symbols: ['MSFT']}, ['MSFT']);
  assert.equal(all.action, 'refuse');
  assert.deepEqual(all.symbols, ['MSFT']);
  assert.deepEqual(TokenSource.classify(401, null, ['A']), {action: 'refuse', error: 'HTTP 401', reason: 'unauthorized', symbols: []});
  assert.equal(TokenSource.classify(403, {error: 'origin not allowed'}, ['A']).reason, 'forbidden');
});
