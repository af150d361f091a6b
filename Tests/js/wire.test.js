// The xhr and multipart parsers, fed every input split at every byte boundary
// (bytes decoded by a streaming TextDecoder, as a browser does).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Wire = require('../../Public/ticker/wire.js');

const tick = (id, price = '189.23') => ({id, symbol: 'AAPL', price, size: 100, ts: '2026-11-24T12:00:00.123456Z'});

/** Every way of cutting `bytes` in two (and once per byte), decoded as a stream. */
function* splits(bytes) {
  for (let i = 0; i <= bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
  const each = [];
  for (let i = 0; i < bytes.length; i++) each.push(bytes.subarray(i, i + 1));
  yield each;
}

function feed(chunks, step) {
  const decoder = new TextDecoder();
  let state = null;
  const events = [];
  for (const c of chunks) {
    const r = step(state, decoder.decode(c, {stream: true}));
    state = r.state;
    events.push(...r.events);
  }
  return events;
}

const xhrStep = (state, text) => { const r = Wire.parseEventStream(state, text); return {state: r.rest, events: r.events}; };

const pad = ':' + ' '.repeat(40) + '\nretry: 1000\n\n';
const xhrText = pad +
  'event: hello\ndata: {"cursor":7,"heartbeat":15}\n\n' +
  'id: 7\nevent: snapshot\ndata: {"ticks":[' + JSON.stringify(tick(7)) + ']}\n\n' +
  'id: 8\nevent: tick\ndata: ' + JSON.stringify(tick(8, '€1.5 ünïcode')) + '\n\n' +
  ': hb\nid: 12\n\n' +
  'id: 13\r\nevent: tick\r\ndata: ' + JSON.stringify(tick(13)) + '\r\n\r\n';
const xhrExpected = [
  {event: 'hello', data: {cursor: 7, heartbeat: 15}, id: null},
  {event: 'snapshot', data: {ticks: [tick(7)]}, id: 7},
  {event: 'tick', data: tick(8, '€1.5 ünïcode'), id: 8},
  {event: 'heartbeat', data: {cursor: 12}, id: 12},
  {event: 'tick', data: tick(13), id: 13}
];

test('xhr: events, ids and heartbeat cursors, split at every byte boundary', () => {
  const bytes = new TextEncoder().encode(xhrText);
  for (const chunks of splits(bytes)) assert.deepEqual(feed(chunks, xhrStep), xhrExpected);
});

test('xhr: an incomplete event waits for the rest', () => {
  const r = Wire.parseEventStream('', 'event: tick\ndata: {"id":1}\n');
  assert.deepEqual(r.events, []);
  assert.deepEqual(Wire.parseEventStream(r.rest, '\n').events, [{event: 'tick', data: {id: 1}, id: null}]);
});

test('multipart: the boundary comes from the Content-Type', () => {
  assert.equal(Wire.multipartBoundary('multipart/x-mixed-replace; boundary=tickerpart'), 'tickerpart');
  assert.equal(Wire.multipartBoundary('multipart/x-mixed-replace;boundary="a b;c"'), 'a b;c');
  assert.equal(Wire.multipartBoundary('text/plain'), null);
});

function multipartText(b) {
  const part = (o) => 'Content-Type: application/json\r\n\r\n' + JSON.stringify(o) + '\r\n--' + b + '\r\n';
  return '--' + b + '\r\n' +
    part({event: 'hello', data: {cursor: 7}}) +
    part({event: 'ticks', data: [tick(8), tick(9, '€ü')], id: 9}) +
    part({event: 'heartbeat', data: {cursor: 12}, id: 12});
}
const multipartExpected = [
  {event: 'hello', data: {cursor: 7}, id: null},
  {event: 'ticks', data: [tick(8), tick(9, '€ü')], id: 9},
  {event: 'heartbeat', data: {cursor: 12}, id: 12}
];

for (const b of ['tickerpart', 'x', 'a-much-longer-boundary-0123456789']) {
  test('multipart with boundary "' + b + '", split at every byte boundary', () => {
    const bytes = new TextEncoder().encode(multipartText(b));
    const step = (s, text) => Wire.parseMultipart(s, text, b);
    for (const chunks of splits(bytes)) assert.deepEqual(feed(chunks, step), multipartExpected);
  });
}

test('multipart: a preamble before the first delimiter and the closing delimiter', () => {
  const text = 'ignored preamble\r\n' + multipartText('q').replace(/--q\r\n$/, '--q--\r\n');
  const r = Wire.parseMultipart(null, text, 'q');
  assert.deepEqual(r.events, multipartExpected.slice(0, 3));
  assert.equal(r.state.done, true);
});

test('forever frame messages: the postMessage form only', () => {
  assert.deepEqual(Wire.frameMessage({ticker: ['tick', tick(5), 5]}), {event: 'tick', data: tick(5), id: 5});
  assert.deepEqual(Wire.frameMessage({ticker: ['hello', {cursor: 1}]}), {event: 'hello', data: {cursor: 1}, id: null});
  for (const junk of [null, 'x', {}, {ticker: 'tick'}, {ticker: [1, 2]}, {ticker: ['tick']}]) assert.equal(Wire.frameMessage(junk), null);
});

// ---- delayed quotes: a stream mixing live and delayed symbols ----

const delayedTick = (id) => Object.assign(tick(id), {symbol: 'MSFT', delayed: true});
const mixedText = pad +
  'event: hello\ndata: {"cursor":"120:80","heartbeat":15,"delay":900,"delayed":["MSFT"]}\n\n' +
  'id: 121:80\nevent: tick\ndata: ' + JSON.stringify(tick(121)) + '\n\n' +
  'id: 121:81\r\nevent: tick\r\ndata: ' + JSON.stringify(delayedTick(81)) + '\r\n\r\n' +
  ': hb\nid: 130:90\n\n' +
  'event: token-expired\ndata: {"cursor":"130:90"}\n\n' +
  'id: 1:2:3\nevent: tick\ndata: ' + JSON.stringify(tick(131)) + '\n\n';
const mixedExpected = [
  {event: 'hello', data: {cursor: '120:80', heartbeat: 15, delay: 900, delayed: ['MSFT']}, id: null},
  {event: 'tick', data: tick(121), id: '121:80'},
  {event: 'tick', data: delayedTick(81), id: '121:81'},
  {event: 'heartbeat', data: {cursor: '130:90'}, id: '130:90'},
  {event: 'token-expired', data: {cursor: '130:90'}, id: null},
  {event: 'tick', data: tick(131), id: null}   // not a cursor: ignored, never half-read
];

test('xhr: pair cursors, delayed ticks and token-expired, split at every byte boundary', () => {
  const bytes = new TextEncoder().encode(mixedText);
  for (const chunks of splits(bytes)) assert.deepEqual(feed(chunks, xhrStep), mixedExpected);
});

test('multipart: pair cursors come through as the strings they are, split at every byte boundary', () => {
  const b = 'tickerpart';
  const part = (o) => 'Content-Type: application/json\r\n\r\n' + JSON.stringify(o) + '\r\n--' + b + '\r\n';
  const text = '--' + b + '\r\n' + part({event: 'ticks', data: [tick(121), delayedTick(81)], id: '121:81'}) +
    part({event: 'heartbeat', data: {cursor: '130:90'}, id: '130:90'}) + part({event: 'token-expired', data: {cursor: 7}});
  const expected = [{event: 'ticks', data: [tick(121), delayedTick(81)], id: '121:81'},
    {event: 'heartbeat', data: {cursor: '130:90'}, id: '130:90'}, {event: 'token-expired', data: {cursor: 7}, id: null}];
  const step = (s, t) => Wire.parseMultipart(s, t, b);
  for (const chunks of splits(new TextEncoder().encode(text))) assert.deepEqual(feed(chunks, step), expected);
});

test('forever frame messages and cursor ids: a pair is kept as text, junk is dropped', () => {
  assert.deepEqual(Wire.frameMessage({ticker: ['tick', delayedTick(81), '121:81']}), {event: 'tick', data: delayedTick(81), id: '121:81'});
  assert.equal(Wire.frameMessage({ticker: ['tick', tick(5), 'x5']}).id, null);
  assert.deepEqual(['7', 7, '7:8', '7:', ':8', '7:8:9', '-1', null].map(Wire.cursorId), [7, 7, '7:8', null, null, null, null, null]);
});
