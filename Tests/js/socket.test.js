// The WebSocket rung as the connection carries it out (Public/ticker/socket.js
// with connection.js and streams.js), against stand-ins for WebSocket and
// EventSource: what is opened, with which cursor, and what is sent.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');

const sockets = [];
class FakeWebSocket {
  constructor(url) { this.url = url; this.sent = []; this.readyState = 0; sockets.push(this); }
  send(m) { this.sent.push(m); }
  close() { this.readyState = 3; this.closed = true; }
  open() { this.readyState = 1; if (this.onopen) this.onopen(); }
  message(o) { if (this.onmessage) this.onmessage({data: JSON.stringify(o)}); }
  drop() { this.readyState = 3; if (this.onclose) this.onclose({code: 1006}); }
}
const streams = [];
class FakeEventSource {
  constructor(url) { this.url = url; this.listeners = {}; streams.push(this); }
  addEventListener(name, fn) { this.listeners[name] = fn; }
  emit(name, data, id) { this.listeners[name]({data: JSON.stringify(data), lastEventId: id ? String(id) : ''}); }
  close() { this.closed = true; }
}
globalThis.WebSocket = FakeWebSocket;
globalThis.EventSource = FakeEventSource;
globalThis.fetch = () => new Promise(() => {});
for (const part of ['ladder', 'cursor', 'token', 'wire', 'connection', 'streams', 'socket', 'polls', 'auth']) require(`../../Public/ticker/${part}.js`);
require('../../Public/ticker/api.js');
const Ticker = globalThis.Ticker;

function connect(options = {}) {
  const got = {ticks: [], status: []};
  const c = new Ticker.Connection(Object.assign({url: 'http://h:1', symbols: ['A'], bridge: false, probeInterval: 1e9,
    onTick: (t, info) => { if (!info.snapshot) got.ticks.push(t.id); }, onStatus: s => got.status.push(s.transport)}, options));
  return {c, got, ws: sockets[sockets.length - 1]};
}
const hello = cursor => ({event: 'hello', data: {cursor, heartbeat: 15, symbols: ['A']}});

test('the socket comes first: hello, ticks once each, symbol changes sent on it', () => {
  const {c, got, ws} = connect();
  assert.equal(ws.url, 'ws://h:1/ws?symbols=A');
  ws.open();
  ws.message(hello(5));
  ws.message({event: 'snapshot', data: {ticks: [{id: 5, symbol: 'A'}]}, id: 5});
  for (const id of [6, 7, 7]) ws.message({event: 'tick', data: {id, symbol: 'A'}, id});
  assert.deepEqual(got.ticks, [6, 7]);
  assert.equal(got.status[got.status.length - 1], 'websocket');
  const opened = sockets.length;
  c.subscribe('b');
  c.unsubscribe('A');
  assert.deepEqual(ws.sent, ['{"subscribe":["B"]}', '{"unsubscribe":["A"]}']);
  assert.equal(sockets.length, opened, 'no reconnect for a symbol change');
  c.close();
  assert.ok(ws.closed);
});

test('a refused Upgrade steps down to streaming at once, carrying the cursor', () => {
  const {c, got, ws} = connect({since: 42});
  assert.equal(ws.url, 'ws://h:1/ws?symbols=A&since=42');
  ws.drop();
  const es = streams[streams.length - 1];
  assert.equal(es.url, 'http://h:1/stream?symbols=A&since=42');
  es.emit('hello', {cursor: 50});
  es.emit('tick', {id: 43, symbol: 'A'}, 43);
  assert.deepEqual(got.ticks, [43]);
  assert.equal(got.status[got.status.length - 1], 'streaming');
  c.close();
});

test('a socket that opens but says nothing within helloTimeout steps down to streaming', async () => {
  const {c, got, ws} = connect({since: 9, helloTimeout: 100});
  const before = streams.length;
  ws.open();
  // Due before the stream's own hello timer (armed at >= 100 ms, for 100 ms).
  await new Promise(r => setTimeout(r, 150));
  assert.ok(ws.closed, 'the silent socket is closed');
  assert.equal(streams.length, before + 1);
  assert.equal(streams[streams.length - 1].url, 'http://h:1/stream?symbols=A&since=9');
  assert.ok(got.status.includes('streaming'));
  streams[streams.length - 1].emit('hello', {cursor: 9});
  assert.equal(c.ladder.mode, 'streaming');
  c.close();
});

test('probing from streaming returns to the socket once it says hello', () => {
  const {c, got, ws} = connect({since: 3});
  ws.drop();
  streams[streams.length - 1].emit('hello', {cursor: 3});
  assert.equal(c.ladder.mode, 'streaming');
  c._probe();
  const probe = sockets[sockets.length - 1];
  assert.equal(probe.url, 'ws://h:1/ws?symbols=A&since=3');
  probe.open();
  probe.message(hello(3));
  assert.ok(probe.closed, 'the probe itself is closed');
  assert.equal(c.ladder.mode, 'websocket');
  const live = sockets[sockets.length - 1];
  assert.notEqual(live, probe);
  live.open();
  live.message(hello(3));
  assert.equal(got.status[got.status.length - 1], 'websocket');
  c.close();
});
