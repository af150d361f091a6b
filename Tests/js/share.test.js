// One connection for all tabs (Public/ticker/share.js), with Node's real
// BroadcastChannel, a Web Locks stand-in and a connection stand-in.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
require('../../Public/ticker/cursor.js');
const Ticker = globalThis.Ticker;

/** Web Locks: one holder per name, the rest wait in order. */
const held = new Map();
globalThis.navigator = {locks: {request(name, cb) {
  const q = held.get(name) || [];
  held.set(name, q);
  const run = () => Promise.resolve(cb()).then(() => { q.shift(); if (q.length) q[0](); });
  q.push(run);
  if (q.length === 1) run();
}}};

/** The connection a leader opens: the test pushes ticks and status through it. */
const opened = [];
class FakeConnection {
  constructor(o) { this.o = o; this.symbols = o.symbols.slice(); this.cursorState = new Ticker.CursorState(o.since); this.ladder = {mode: 'streaming'}; this.closed = false; opened.push(this); }
  deliver(t) { if (this.cursorState.accept(t.id, t.delayed)) this.o.onTick(t, {transport: 'streaming'}); }
  snapshot(ticks, cursor) { this.cursorState.snapshot(cursor); ticks.forEach(t => this.o.onTick(t, {snapshot: true, transport: 'streaming'})); }
  status() { this.o.onStatus({transport: 'streaming', state: 'live', cursor: this.cursorState.cursor}); }
  subscribe(s, since) { if (since !== undefined) this.cursorState.rewind(since); if (!this.symbols.includes(s)) this.symbols.push(s); }
  unsubscribe(s) { this.symbols = this.symbols.filter(x => x !== s); }
  close() { this.closed = true; }
}
Ticker.Connection = FakeConnection;
const SharedConnection = require('../../Public/ticker/share.js');

const settle = () => new Promise(r => setTimeout(r, 20));
const tick = (id, symbol = 'AAPL', ts = '2026-11-26T10:00:00Z') => ({id, symbol, price: String(100 + id), ts});

function tab(symbols, url, extra = {}) {
  const got = {live: [], snapshot: [], status: [], errors: []};
  const c = new SharedConnection({url, symbols, token: extra.token, onError: e => got.errors.push(e),
    onTick: (t, info) => (info && info.snapshot ? got.snapshot : got.live).push(t.id),
    onStatus: s => got.status.push(s)});
  return {c, got};
}

test('the first tab leads; a second gets a snapshot and the live ticks, over one connection', async () => {
  opened.length = 0;
  const a = tab(['AAPL'], 'http://one');
  await settle();
  assert.equal(a.c.leader, true);
  const conn = opened[0];
  conn.snapshot([tick(5)], 5); conn.status(); conn.deliver(tick(6));
  const b = tab(['AAPL'], 'http://one');
  await settle();
  assert.equal(b.c.leader, false);
  assert.deepEqual(b.got.snapshot, [6]);
  assert.equal(b.got.status.at(-1).shared, 'follower');
  conn.deliver(tick(7)); conn.deliver(tick(8, 'MSFT'));
  await settle();
  assert.deepEqual(a.got.live, [6, 7]);
  assert.deepEqual(b.got.live, [7]);
  assert.equal(opened.length, 1);
  a.c.close(); b.c.close();
  await settle();
});

test('when the leader closes, the next tab resumes from its own cursor and nothing is lost', async () => {
  opened.length = 0;
  const a = tab(['AAPL'], 'http://two');
  await settle();
  const b = tab(['AAPL'], 'http://two');
  const c = tab(['AAPL'], 'http://two');
  await settle();
  opened[0].snapshot([tick(1)], 1); opened[0].status();
  for (const id of [2, 3, 4]) opened[0].deliver(tick(id));
  await settle();
  a.c.close();
  await settle();
  assert.equal(b.c.leader, true);
  assert.equal(opened.length, 2);
  assert.equal(opened[1].o.since, 4);               // resumes where the old leader was
  for (const id of [3, 4, 5, 6]) opened[1].deliver(tick(id));   // overlap is harmless
  await settle();
  assert.deepEqual(b.got.live, [2, 3, 4, 5, 6]);
  assert.deepEqual(c.got.live, [2, 3, 4, 5, 6]);
  b.c.close(); c.c.close();
  await settle();
});

test('a tab behind the new leader makes it rewind; a tab with another symbol adds it', async () => {
  opened.length = 0;
  const a = tab(['AAPL'], 'http://three');
  await settle();
  const b = tab(['AAPL'], 'http://three');
  await settle();
  opened[0].snapshot([], 10); opened[0].status();
  opened[0].deliver(tick(11));
  await settle();
  b.c.view.rewind(10);                               // as if b had missed 11
  const m = tab(['MSFT'], 'http://three');
  await settle();
  assert.ok(opened[0].symbols.includes('MSFT'));
  m.c.unsubscribe('MSFT'); m.c.subscribe('NVDA');
  await settle();
  assert.deepEqual(opened[0].symbols.sort(), ['AAPL', 'NVDA']);
  m.c.unsubscribe('NVDA'); m.c.subscribe('MSFT');
  await settle();
  a.c.close();
  await settle();
  const leader = [b, m].find(t => t.c.leader);
  assert.ok(leader);
  assert.ok(opened[1].symbols.includes('AAPL') && opened[1].symbols.includes('MSFT'));
  assert.equal(opened[1].cursorState.since(), 10);   // rewound to the furthest-behind tab
  b.c.close(); m.c.close();
  await settle();
});

test('tokens and delayed quotes: the leader\'s connection carries the token, refusals reach every tab, pairs rewind', async () => {
  opened.length = 0;
  const token = () => 'T';
  const a = tab(['AAPL', 'MSFT'], 'http://four', {token});
  await settle();
  assert.equal(opened[0].o.token, token);
  const b = tab(['AAPL', 'MSFT'], 'http://four', {token});
  await settle();
  const conn = opened[0];
  conn.snapshot([], '20:10'); conn.status();
  conn.deliver(tick(21)); conn.deliver(Object.assign(tick(11, 'MSFT'), {delayed: true}));
  conn.o.onError({status: 403, error: 'not entitled to NVDA', symbols: ['NVDA']});
  await settle();
  assert.deepEqual(b.got.live, [21, 11]);
  assert.deepEqual(b.got.errors.map(e => e.error), ['not entitled to NVDA']);
  assert.deepEqual(a.got.errors.map(e => e.error), ['not entitled to NVDA']);
  assert.equal(b.got.status.at(-1).cursor, '20:10');
  // A tab that re-joins behind in the delayed order makes the leader go back in that order only.
  b.c.view.rewind('21:5');
  b.c._send({type: 'join', tab: b.c.tab, symbols: b.c.symbols, since: b.c.view.since()});
  await settle();
  assert.equal(conn.cursorState.since(), '20:5');
  a.c.close(); b.c.close();
  await settle();
});
