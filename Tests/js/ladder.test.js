// The transport ladder's rules, one observation at a time (Public/ticker/ladder.js).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Ladder = require('../../Public/ticker/ladder.js');

const held = (took, status = 200, ticks = 0) => ({wait: 25, took, status, ticks});

test('a stream that says hello and lives is streaming', () => {
  const l = new Ladder();
  assert.equal(l.streamHello().mode, 'streaming');
  const d = l.streamEnded({lived: 60000, hello: true});
  assert.equal(d.mode, 'streaming');
  assert.equal(d.delay, Ladder.DEFAULTS.reconnectDelay);
});

test('no hello in time while the request is open means buffering: step down at once', () => {
  const l = new Ladder({websocket: false});
  const d = l.helloTimedOut();
  assert.equal(d.mode, 'long-polling');
  assert.match(d.reason, /buffered/);
});

test('streams cut twice soon after hello step down; once does not', () => {
  const l = new Ladder();
  l.streamHello();
  assert.equal(l.streamEnded({lived: 2000, hello: true}).mode, 'streaming');
  l.streamHello();
  assert.equal(l.streamEnded({lived: 2000, hello: true}).mode, 'long-polling');
});

test('a stream that lived past healthyStream clears earlier cuts', () => {
  const l = new Ladder();
  l.streamHello(); l.streamEnded({lived: 2000, hello: true});
  l.streamHello(); l.streamEnded({lived: 20000, hello: true});
  l.streamHello();
  assert.equal(l.streamEnded({lived: 2000, hello: true}).mode, 'streaming');
});

test('connection refused (no hello, request failed) retries the same rung with back-off', () => {
  const l = new Ladder({websocket: false});
  const delays = [];
  for (let i = 0; i < 6; i++) {
    const d = l.streamEnded({lived: 3, hello: false});
    assert.equal(d.mode, 'streaming');
    delays.push(d.delay);
  }
  assert.deepEqual(delays, [500, 1000, 2000, 4000, 4000, 4000]);
});

test('a server bye retries the same rung after its hint, never steps down', () => {
  const l = new Ladder();
  for (let i = 0; i < 5; i++) {
    l.streamHello();
    const d = l.streamEnded({lived: 100, hello: true, bye: true, retry: 1000});
    assert.equal(d.mode, 'streaming');
    assert.equal(d.delay, 1000);
  }
});

test('a restart (bye, refused a few times, hello) stays on streaming and resets back-off', () => {
  const l = new Ladder();
  l.streamHello();
  l.streamEnded({lived: 30000, hello: true, bye: true, retry: 1000});
  for (let i = 0; i < 4; i++) l.streamEnded({lived: 5, hello: false});
  assert.equal(l.streamHello().mode, 'streaming');
  assert.equal(l.streamEnded({lived: 5, hello: false}).delay, 500);
});

test('killed without bye: one early end after hello, then refused, then back: still streaming', () => {
  const l = new Ladder();
  l.streamHello();
  assert.equal(l.streamEnded({lived: 3000, hello: true}).mode, 'streaming');
  for (let i = 0; i < 5; i++) assert.equal(l.streamEnded({lived: 2, hello: false}).mode, 'streaming');
  assert.equal(l.streamHello().mode, 'streaming');
});

test('503 and network errors on long polls are outages: same rung, back-off', () => {
  const l = new Ladder({start: 'long-polling'});
  assert.deepEqual([l.pollAnswered(held(0.01, 503)), l.pollAnswered(held(0.02, 0)), l.pollAnswered(held(0.05, 502))]
    .map(d => [d.mode, d.delay]), [['long-polling', 500], ['long-polling', 1000], ['long-polling', 2000]]);
  assert.equal(l.pollAnswered(held(25)).delay, 0);
});

test('held long polls cut early (gateway error or early empty answer) twice in a row step down', () => {
  const l = new Ladder({start: 'long-polling'});
  assert.equal(l.pollAnswered(held(2, 504)).mode, 'long-polling');
  assert.equal(l.pollAnswered(held(2, 200, 0)).mode, 'polling');
  const m = new Ladder({start: 'long-polling'});
  m.pollAnswered(held(2, 0));
  assert.equal(m.pollAnswered(held(2, 0)).mode, 'polling');
});

test('a restart of the server under long polling: early empty answer, refused, back: stays', () => {
  const l = new Ladder({start: 'long-polling'});
  assert.equal(l.pollAnswered(held(3, 200, 0)).mode, 'long-polling');     // held poll answered at shutdown
  for (let i = 0; i < 4; i++) assert.equal(l.pollAnswered(held(0.01, 0)).mode, 'long-polling');
  assert.equal(l.pollAnswered(held(25, 200, 0)).mode, 'long-polling');
  assert.equal(l.pollAnswered(held(3, 200, 0)).mode, 'long-polling');     // a lone early answer later is forgiven too
});

test('an explicit bye in a poll answer is an outage, not a cut', () => {
  const l = new Ladder({start: 'long-polling'});
  for (let i = 0; i < 3; i++) assert.equal(l.pollAnswered({wait: 25, took: 1, status: 200, ticks: 0, bye: true, retry: 800}).delay, 800);
  assert.equal(l.mode, 'long-polling');
});

test('a poll held far longer than asked was held by something', () => {
  const l = new Ladder({start: 'long-polling'});
  l.pollAnswered(held(31));
  assert.equal(l.pollAnswered(held(31)).mode, 'polling');
});

test('answers with ticks or after the full wait are fine; a quick answer with ticks is fine', () => {
  const l = new Ladder({start: 'long-polling'});
  for (const o of [held(0.2, 200, 3), held(25), held(0.01, 200, 1)]) assert.equal(l.pollAnswered(o).reason, 'ok');
});

test('plain polls wait pollInterval between requests and never step further down', () => {
  const l = new Ladder({start: 'polling'});
  assert.equal(l.pollAnswered({wait: 0, took: 0.01, status: 200, ticks: 0}).delay, 2000);
  assert.equal(l.pollAnswered({wait: 0, took: 0.01, status: 502, ticks: 0}).mode, 'polling');
});

test('probing: up one rung at a time; a failed probe keeps the rung', () => {
  const l = new Ladder({start: 'polling'});
  assert.equal(l.probe(), 'long-polling');
  assert.equal(l.probe(), null);                                  // one probe at a time
  assert.equal(l.pollAnswered(held(2, 504)).mode, 'polling');     // cut: probe failed
  assert.equal(l.probe(), 'long-polling');
  assert.equal(l.pollAnswered(held(25)).mode, 'long-polling');    // held fully: promoted
  assert.equal(l.probe(), 'streaming');
  assert.equal(l.helloTimedOut().mode, 'long-polling');           // buffered probe: stays
  assert.equal(l.probe(), 'streaming');
  assert.equal(l.streamEnded({lived: 5, hello: false}).mode, 'long-polling');
  assert.equal(l.probe(), 'streaming');
  assert.equal(l.streamHello().mode, 'streaming');
});

test('no probing while the server is away', () => {
  const l = new Ladder({start: 'long-polling'});
  l.pollAnswered(held(0.01, 503));
  assert.equal(l.probe(), null);
  l.pollAnswered(held(25));
  assert.equal(l.probe(), 'streaming');
});

test('thresholds are options', () => {
  const l = new Ladder({websocket: false, helloTimeout: 1000, streamCutsToStepDown: 1, backoffBase: 100, backoffMax: 300});
  l.streamHello();
  assert.equal(l.streamEnded({lived: 10, hello: true}).mode, 'long-polling');
  const m = new Ladder({websocket: false, backoffBase: 100, backoffMax: 300});
  assert.deepEqual([1, 2, 3].map(() => m.streamEnded({lived: 1, hello: false}).delay), [100, 200, 300]);
});

test('quick answers with ticks do not prove holding works: cuts between them still add up', () => {
  const l = new Ladder({start: 'long-polling'});
  l.pollAnswered(held(2, 504));
  l.pollAnswered(held(0.4, 200, 1));
  assert.equal(l.pollAnswered(held(2, 504)).mode, 'polling');
});

test('a cut explained by the refusals after it (the server stopping) no longer counts', () => {
  const l = new Ladder();
  l.streamHello();
  l.streamEnded({lived: 3000, hello: true});        // killed
  l.streamEnded({lived: 2, hello: false});          // refused: that was the server
  l.streamHello();
  assert.equal(l.streamEnded({lived: 3000, hello: true}).mode, 'streaming');
  const p = new Ladder({start: 'long-polling'});
  for (let i = 0; i < 3; i++) { p.pollAnswered(held(3, 200, 0)); p.pollAnswered(held(0.01, 0)); p.pollAnswered(held(0.3, 200, 2)); }
  assert.equal(p.mode, 'long-polling');
});
