// The WebSocket rung of the ladder (Public/ticker/ladder.js): the top rung,
// left for streaming on evidence of a proxy, returned to by probing.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Ladder = require('../../Public/ticker/ladder.js');

test('WebSocket is the top rung unless the page has none', () => {
  assert.equal(new Ladder().mode, 'websocket');
  assert.deepEqual(Ladder.MODES, ['websocket', 'streaming', 'long-polling', 'polling']);
  const l = new Ladder({websocket: false});
  assert.equal(l.mode, 'streaming');
  l.streamHello();
  assert.equal(l.probe(), null, 'no probing above the top rung');
});

test('a socket that says hello is websocket; one that lived stays there', () => {
  const l = new Ladder();
  assert.equal(l.streamHello('websocket').mode, 'websocket');
  const d = l.streamEnded({lived: 60000, hello: true, opened: true});
  assert.equal(d.mode, 'websocket');
  assert.equal(d.delay, Ladder.DEFAULTS.reconnectDelay);
});

test('a refused or stripped Upgrade (never opened) steps down to streaming at once', () => {
  const l = new Ladder();
  const d = l.streamEnded({lived: 20, hello: false, opened: false});
  assert.equal(d.mode, 'streaming');
  assert.equal(d.delay, 0);
  assert.match(d.reason, /upgrade/);
  // Streaming works behind that proxy: it stays there.
  assert.equal(l.streamHello().mode, 'streaming');
  assert.equal(l.streamEnded({lived: 60000, hello: true}).mode, 'streaming');
});

test('a socket that opens but gives no hello in time is buffered: step down to streaming', () => {
  const l = new Ladder();
  const d = l.helloTimedOut();
  assert.equal(d.mode, 'streaming');
  assert.equal(d.delay, 0);
  assert.match(d.reason, /no hello/);
});

test('a socket that opens and closes without hello steps down too', () => {
  const l = new Ladder();
  assert.equal(l.streamEnded({lived: 300, hello: false, opened: true}).mode, 'streaming');
});

test('a restart after sockets worked (bye, refused a few times, hello) stays on websocket', () => {
  const l = new Ladder();
  const shown = new Set();
  l.streamHello('websocket');
  shown.add(l.streamEnded({lived: 30000, hello: true, bye: true, retry: 1000, opened: true}).mode);
  for (let i = 0; i < 3; i++) {
    const d = l.streamEnded({lived: 3, hello: false, opened: false});
    shown.add(d.mode);
    assert.ok(d.delay > 0, 'with back-off');
  }
  assert.deepEqual([...shown], ['websocket']);
  assert.equal(l.streamHello('websocket').mode, 'websocket');
  assert.equal(l.refusals, 0);
});

test('refusals that go on after sockets worked try streaming', () => {
  const l = new Ladder();
  l.streamHello('websocket');
  const modes = [1, 2, 3, 4].map(() => l.streamEnded({lived: 3, hello: false, opened: false}).mode);
  assert.deepEqual(modes, ['websocket', 'websocket', 'websocket', 'streaming']);
});

test('the server away before any socket worked (refused, then streaming unreachable too) goes back to websocket', () => {
  const l = new Ladder();
  assert.equal(l.streamEnded({lived: 3, hello: false, opened: false}).mode, 'streaming');
  const d = l.streamEnded({lived: 3, hello: false});
  assert.equal(d.mode, 'websocket');
  assert.ok(d.delay > 0);
  // Back: the socket says hello, back-off is reset.
  assert.equal(l.streamHello('websocket').mode, 'websocket');
  assert.equal(l.outages, 0);
});

test('sockets cut soon after hello twice step down to streaming; once does not', () => {
  const l = new Ladder();
  l.streamHello('websocket');
  assert.equal(l.streamEnded({lived: 2000, hello: true, opened: true}).mode, 'websocket');
  l.streamHello('websocket');
  assert.equal(l.streamEnded({lived: 2000, hello: true, opened: true}).mode, 'streaming');
});

test('probing upward from streaming tries websocket; a failed probe keeps streaming, a hello returns', () => {
  const l = new Ladder();
  l.helloTimedOut();
  l.streamHello();
  assert.equal(l.probe(), 'websocket');
  assert.equal(l.probe(), null, 'one probe at a time');
  const failed = l.streamEnded({lived: 10, hello: false, opened: false});
  assert.equal(failed.mode, 'streaming');
  assert.equal(failed.reason, 'probe failed');
  assert.equal(l.probe(), 'websocket');
  assert.equal(l.helloTimedOut().mode, 'streaming', 'a buffered probe keeps streaming');
  assert.equal(l.probe(), 'websocket');
  assert.equal(l.streamHello('websocket').mode, 'websocket');
  assert.equal(l.probing, null);
});

test('from long polling, probing climbs to streaming first, then websocket', () => {
  const l = new Ladder({start: 'long-polling'});
  assert.equal(l.probe(), 'streaming');
  l.streamHello();
  assert.equal(l.probe(), 'websocket');
});
