// Tokens as the connection carries them (Public/ticker/auth.js with the rest
// of the library), against stand-ins for EventSource, fetch, XHR and
// WebSocket: which URLs go out with which token and cursor, what a refresh
// costs (no tick lost or repeated), and that no refusal moves the ladder.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');

const streams = [], sockets = [], xhrs = [], fetches = [];
class FakeEventSource {
  constructor(url) { this.url = url; this.listeners = {}; streams.push(this); }
  addEventListener(name, fn) { this.listeners[name] = fn; }
  emit(name, data, id) { this.listeners[name]({data: JSON.stringify(data), lastEventId: id === undefined ? '' : String(id)}); }
  fail() { this.readyState = 2; this.onerror({}); }
  close() { this.closed = true; }
}
class FakeWebSocket {
  constructor(url) { this.url = url; this.readyState = 0; sockets.push(this); }
  send(m) { (this.sent = this.sent || []).push(m); }
  close() { this.closed = true; }
  refuse() { this.readyState = 3; this.onclose({code: 1006}); }
}
class FakeXHR {
  constructor() { this.responseText = ''; this.status = 0; xhrs.push(this); }
  open(method, url) { this.url = url; }
  send() {}
  abort() { this.aborted = true; }
  getResponseHeader() { return 'text/plain'; }
  grow(text) { this.status = 200; this.responseText += text; this.onprogress(); }
  end(status, text) { this.status = status; if (text !== undefined) this.responseText = text; this.onloadend(); }
}
/** fetch: each call waits until the test answers it. */
globalThis.fetch = (url) => new Promise((resolve, reject) => {
  const f = {url, done: false,
    answer(status, body) { f.done = true; resolve({status, ok: status === 200, json: () => Promise.resolve(body)}); },
    fail(e) { f.done = true; reject(e); }};
  fetches.push(f);
});
globalThis.EventSource = FakeEventSource;
globalThis.XMLHttpRequest = FakeXHR;
for (const part of ['ladder', 'cursor', 'token', 'wire', 'connection', 'streams', 'socket', 'polls', 'auth']) require(`../../Public/ticker/${part}.js`);
require('../../Public/ticker/api.js');
const Ticker = globalThis.Ticker;

const settle = async () => { for (let i = 0; i < 5; i++) await new Promise(r => setTimeout(r, 0)); };
const last = (list) => list[list.length - 1];
const query = (url) => Object.fromEntries(new URL(url).searchParams);
const tick = (id, symbol = 'A', delayed) => Object.assign({id, symbol, price: '1', ts: '2026-11-26T10:00:00Z'}, delayed ? {delayed: true} : {});

/** After each test: every connection closed, every fetch still waiting failed (its timers end). */
const connections = [];
test.afterEach(() => {
  connections.splice(0).forEach(c => c.close());
  fetches.forEach(f => { if (!f.done) f.fail(new Error('test over')); });
});

function connect(options = {}) {
  const got = {ticks: [], status: [], errors: [], asked: 0};
  const c = new Ticker.Connection(Object.assign({url: 'http://h:1', symbols: ['A'], bridge: false, probeInterval: 1e9,
    onTick: (t, info) => { if (!info.snapshot) got.ticks.push((t.delayed ? 'd' : '') + t.id); },
    onStatus: s => got.status.push(s), onError: e => got.errors.push(e)}, options));
  connections.push(c);
  return {c, got};
}
/** A token function handing out T1, T2, ... and counting how often it was asked. */
const tokens = (got, answer = n => Promise.resolve('T' + n)) => () => { got.asked += 1; return answer(got.asked); };

test('a fixed token goes on every URL: bridging poll, stream, quotes', async () => {
  const {c} = connect({token: 'secret', bridge: true, transport: 'sse', symbols: ['A']});
  const poll = last(fetches);
  assert.deepEqual(query(poll.url), {symbols: 'A', token: 'secret'});
  poll.answer(200, {cursor: 5, snapshot: true, ticks: [tick(5)]});
  await settle();
  assert.deepEqual(query(last(streams).url), {symbols: 'A', since: '5', token: 'secret'});
  assert.deepEqual(query(last(fetches).url), {symbols: 'A', since: '5', wait: '1', token: 'secret'});
  c.subscribe('B');
  assert.ok(fetches.some(f => f.url === 'http://h:1/quotes?symbols=B&token=secret'));
  c.close();
});

test('a token function is asked before anything goes out; the socket carries its token', async () => {
  globalThis.WebSocket = FakeWebSocket;
  const before = sockets.length, got = {asked: 0};
  const {c} = connect({since: 9, token: tokens(got)});
  assert.equal(sockets.length, before, 'nothing opened before the token');
  await settle();
  assert.equal(got.asked, 1);
  assert.equal(last(sockets).url, 'ws://h:1/ws?symbols=A&since=9&token=T1');
  c.close();
  delete globalThis.WebSocket;
});

test('token-expired on a stream: one refresh, the same rung from the cursor, no tick lost or repeated', async () => {
  const got = {asked: 0};
  const {c, got: seen} = connect({since: 5, token: tokens(got)});
  await settle();
  const es = last(streams);
  assert.deepEqual(query(es.url), {symbols: 'A', since: '5', token: 'T1'});
  es.emit('hello', {cursor: 5, heartbeat: 15});
  es.emit('tick', tick(6), 6); es.emit('tick', tick(7), 7);
  es.emit('token-expired', {cursor: 7});
  es.emit('token-expired', {cursor: 7});   // a stale second signal changes nothing
  await settle();
  assert.equal(got.asked, 2);
  const again = last(streams);
  assert.notEqual(again, es);
  assert.ok(es.closed);
  assert.deepEqual(query(again.url), {symbols: 'A', since: '7', token: 'T2'});
  again.emit('hello', {cursor: 7, heartbeat: 15});
  again.emit('tick', tick(7), 7); again.emit('tick', tick(8), 8);
  assert.deepEqual(seen.ticks, ['6', '7', '8']);
  assert.equal(c.ladder.mode, 'streaming');
  assert.equal(c.ladder.cuts, 0, 'not counted as a cut stream');
  assert.equal(c.ladder.outages, 0);
  c.close();
});

test('xhr: a token-expired event split at every boundary renews once and resumes exactly', async () => {
  const body = ':' + ' '.repeat(20) + '\n\nevent: hello\ndata: {"cursor":"20:10","heartbeat":15,"delay":900,"delayed":["B"]}\n\n' +
    'id: 21:10\nevent: tick\ndata: ' + JSON.stringify(tick(21)) + '\n\n' +
    'id: 21:11\nevent: tick\ndata: ' + JSON.stringify(tick(11, 'B', true)) + '\n\n' +
    'event: token-expired\ndata: {"cursor":"21:11"}\n\n';
  for (let i = 0; i <= body.length; i++) {
    const got = {asked: 0};
    const {c, got: seen} = connect({since: '20:10', symbols: ['A', 'B'], transport: 'xhr', token: tokens(got)});
    await settle();
    const x = last(xhrs);
    assert.deepEqual(query(x.url), {symbols: 'A,B', transport: 'xhr', since: '20:10', token: 'T1'});
    x.grow(body.slice(0, i)); x.grow(body.slice(i));
    await settle();
    assert.equal(got.asked, 2, 'split at ' + i);
    const y = last(xhrs);
    assert.deepEqual(query(y.url), {symbols: 'A,B', transport: 'xhr', since: '21:11', token: 'T2'});
    y.grow(body.slice(0, body.indexOf('event: token-expired')));   // the server replays from the pair: nothing new
    y.grow('id: 22:11\nevent: tick\ndata: ' + JSON.stringify(tick(22)) + '\n\n');
    assert.deepEqual(seen.ticks, ['21', 'd11', '22']);
    const s = last(seen.status);
    assert.equal(s.delay, 900);
    assert.deepEqual(s.delayed, ['B']);
    assert.equal(c.ladder.mode, 'streaming');
    c.close();
  }
});

test('a long poll answered 401 expired renews the token and polls again on the same rung', async () => {
  const got = {asked: 0};
  const {c, got: seen} = connect({since: 40, ladder: {start: 'long-polling'}, token: tokens(got)});
  await settle();
  last(fetches).answer(200, {cursor: 41, ticks: [tick(41)]});
  await settle();
  assert.deepEqual(query(last(fetches).url), {symbols: 'A', since: '41', wait: '25', token: 'T1'});
  last(fetches).answer(401, {error: 'token expired', reason: 'expired'});
  await settle();
  assert.equal(got.asked, 2);
  assert.deepEqual(query(last(fetches).url), {symbols: 'A', since: '41', wait: '25', token: 'T2'});
  last(fetches).answer(200, {cursor: '43:42', delay: 900, delayed: ['A'], ticks: [tick(41), tick(43), tick(42, 'A', true)]});
  await settle();
  assert.deepEqual(seen.ticks, ['41', '43', 'd42']);
  assert.equal(query(last(fetches).url).since, '43:42');
  assert.equal(c.ladder.mode, 'long-polling');
  assert.equal(c.ladder.outages, 0);
  c.close();
});

test('a bad token is reported once with the server\'s message and never retried', async () => {
  const got = {asked: 0};
  const {c, got: seen} = connect({since: 40, ladder: {start: 'long-polling'}, token: tokens(got)});
  await settle();
  last(fetches).answer(401, {error: 'token signature does not verify', reason: 'bad-signature'});
  await settle();
  const count = fetches.length;
  await new Promise(r => setTimeout(r, 50));
  assert.equal(fetches.length, count, 'no further request');
  assert.equal(got.asked, 1);
  assert.deepEqual(seen.errors.map(e => [e.status, e.reason, e.error]), [[401, 'bad-signature', 'token signature does not verify']]);
  assert.equal(last(seen.status).state, 'refused');
  assert.equal(last(seen.status).error, 'token signature does not verify');
  assert.equal(c.ladder.mode, 'long-polling');
  c.close();
});

test('a symbol outside the claims is dropped with the server\'s message; the others go on', async () => {
  const {c, got} = connect({since: 7, symbols: ['A', 'MSFT'], transport: 'xhr', token: 't'});
  last(xhrs).end(403, '{"error":"not entitled to MSFT","reason":"not-entitled","symbols":["MSFT"]}');
  assert.deepEqual(got.errors.map(e => [e.status, e.error, e.symbols]), [[403, 'not entitled to MSFT', ['MSFT']]]);
  assert.deepEqual(query(last(xhrs).url), {symbols: 'A', transport: 'xhr', since: '7', token: 't'});
  assert.equal(c.ladder.mode, 'streaming');
  assert.equal(c.ladder.cuts + c.ladder.outages, 0);
  c.close();
});

test('EventSource hides the status: /quotes tells a refusal from an outage, and only an outage reaches the ladder', async () => {
  const {c, got} = connect({since: 7, transport: 'sse', token: 't'});
  last(streams).fail();
  let check = last(fetches);
  assert.equal(check.url, 'http://h:1/quotes?symbols=A&token=t');
  check.answer(200, {cursor: 7, quotes: []});   // not a refusal: the server was away
  await settle();
  assert.equal(c.ladder.outages, 1);
  await new Promise(r => setTimeout(r, 600));  // the back-off
  last(streams).fail();
  check = last(fetches);
  check.answer(403, {error: 'not entitled to A', reason: 'not-entitled', symbols: ['A']});
  await settle();
  assert.equal(c.ladder.outages, 1, 'the refusal did not count');
  assert.equal(c.ladder.mode, 'streaming');
  assert.equal(last(got.status).state, 'refused');
  assert.deepEqual(c.symbols, []);
  c.close();
});

test('a socket refused for its token does not step down to streaming', async () => {
  globalThis.WebSocket = FakeWebSocket;
  const {c, got} = connect({since: 3, token: 't'});
  const opened = streams.length;
  last(sockets).refuse();
  last(fetches).answer(401, {error: 'token expired', reason: 'expired'});
  await settle();
  assert.equal(c.ladder.mode, 'websocket');
  assert.equal(streams.length, opened, 'no stream opened');
  assert.deepEqual(got.errors.map(e => e.error), ['the access token expired'], 'a fixed token cannot be renewed');
  c.close();
  delete globalThis.WebSocket;
});

test('a socket closed (1008) for a symbol just added reopens with the whole set from the cursor, counting no cut', async () => {
  globalThis.WebSocket = FakeWebSocket;
  const {c, got} = connect({since: 30, token: 't'});
  const ws = last(sockets);
  ws.readyState = 1; ws.onopen();
  ws.onmessage({data: JSON.stringify({event: 'hello', data: {cursor: 30, heartbeat: 15}})});
  ws.onmessage({data: JSON.stringify({event: 'tick', data: tick(31), id: 31})});
  c.subscribe('MSFT');
  assert.deepEqual(ws.sent, ['{"subscribe":["MSFT"]}']);
  ws.readyState = 3; ws.onclose({code: 1008, reason: 'MSFT are delayed for this token'});
  const again = last(sockets);
  assert.notEqual(again, ws);
  assert.equal(again.url, 'ws://h:1/ws?symbols=A%2CMSFT&since=31&token=t');
  again.readyState = 1; again.onopen();
  again.onmessage({data: JSON.stringify({event: 'hello', data: {cursor: '31:31', heartbeat: 15, delay: 900, delayed: ['MSFT']}})});
  for (const [t, id] of [[tick(31), '31:31'], [tick(32), '32:31'], [tick(32, 'MSFT', true), '32:32']]) {
    again.onmessage({data: JSON.stringify({event: 'tick', data: t, id})});
  }
  assert.deepEqual(got.ticks, ['31', '32', 'd32']);
  assert.equal(c.ladder.mode, 'websocket');
  assert.equal(c.ladder.cuts + c.ladder.outages, 0);
  assert.equal(c.cursor, '32:32');
  delete globalThis.WebSocket;
});
