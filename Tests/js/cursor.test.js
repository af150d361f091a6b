// Cursor and de-duplication (Public/ticker/cursor.js).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const CursorState = require('../../Public/ticker/cursor.js');

test('a fresh state asks for a snapshot, then resumes from what it learnt', () => {
  const c = new CursorState();
  assert.equal(c.since(), null);
  c.learn(100);
  assert.equal(c.since(), 100);
  assert.equal(c.initial, 100);
});

test('ticks at or below a snapshot are not new; each id passes once', () => {
  const c = new CursorState();
  c.snapshot(100);
  assert.equal(c.accept(99), false);
  assert.equal(c.accept(100), false);
  assert.equal(c.accept(101), true);
  assert.equal(c.accept(101), false);
  assert.equal(c.since(), 101);
});

test('two overlapping sources (a poll and a stream) deliver each tick once', () => {
  const c = new CursorState(10);
  const got = [];
  for (const id of [11, 12, 13]) if (c.accept(id)) got.push(id);      // bridging polls
  for (const id of [11, 12, 13, 14, 15]) if (c.accept(id)) got.push(id); // the stream, from 10
  assert.deepEqual(got, [11, 12, 13, 14, 15]);
});

test('heartbeats move the cursor but let later ticks through', () => {
  const c = new CursorState(10);
  c.learn(50);
  assert.equal(c.since(), 50);
  assert.equal(c.accept(51), true);
  c.learn(40);
  assert.equal(c.since(), 51);
});

test('reset and conflation', () => {
  const c = new CursorState(10);
  c.accept(20);
  c.reset(500);
  assert.equal(c.accept(499), false);
  assert.equal(c.accept(501), true);
  c.conflated();
  assert.equal(c.accept(400), true);   // latest of another symbol, lower id
});

test('rewind lets ticks after the given cursor pass again', () => {
  const c = new CursorState(10);
  c.accept(30);
  c.rewind(20);
  assert.equal(c.since(), 20);
  assert.equal(c.accept(25), true);
  c.rewind(null);
  assert.equal(c.since(), 25);
});

test('nonsense cursors are ignored', () => {
  const c = new CursorState();
  c.learn(undefined); c.learn('7x'); c.learn(NaN); c.learn('1:2:3'); c.learn(-4); c.learn({});
  assert.equal(c.since(), null);
  c.learn('7');   // an SSE id line is text
  assert.equal(c.since(), 7);
});

// ---- delayed quotes: live and delayed ticks, and the "L:D" pair cursor ----

test('a pair cursor goes back exactly as it came and is never compared', () => {
  const c = new CursorState();
  c.learn('120:80');
  assert.equal(c.since(), '120:80');
  assert.equal(c.initial, '120:80');
  c.learn('119:85');   // whatever the server says last is where it resumes us
  assert.equal(c.since(), '119:85');
  c.learn(500);        // no longer a mixed stream: plain again
  assert.equal(c.since(), 500);
  assert.equal(new CursorState('7:3').since(), '7:3');
});

test('on a mixed stream live and delayed ticks each pass once, in their own order', () => {
  const c = new CursorState();
  c.snapshot('120:80');
  const got = [];
  const deliver = (id, delayed) => { if (c.accept(id, delayed)) got.push((delayed ? 'd' : 'l') + id); };
  deliver(80, true); deliver(120, false);            // inside the snapshot
  deliver(121, false); deliver(81, true); deliver(125, false); deliver(90, true);
  deliver(121, false); deliver(81, true);            // a bridging poll overlapping the stream
  deliver(122, true);                                 // a delayed tick can overtake nothing live
  assert.deepEqual(got, ['l121', 'd81', 'l125', 'd90', 'd122']);
  assert.equal(c.since(), '120:80', 'ticks do not move a pair: the event ids that carry them do');
  c.learn('125:122');
  assert.equal(c.since(), '125:122');
});

test('a tick of another symbol moves a plain cursor, never a pair', () => {
  const c = new CursorState(10);
  c.pass(15);
  assert.equal(c.since(), 15);
  c.learn('20:12');
  c.pass(30);
  assert.equal(c.since(), '20:12');
});

test('reset to a pair sets both floors; conflation clears both', () => {
  const c = new CursorState(10);
  c.reset('500:300');
  assert.equal(c.accept(499, false), false);
  assert.equal(c.accept(300, true), false);
  assert.equal(c.accept(301, true), true);
  assert.equal(c.since(), '500:300');
  c.conflated();
  assert.equal(c.accept(200, false), true);
  assert.equal(c.accept(100, true), true);
});

test('a plain cursor counts for both orders: delayed ticks at or below it are old', () => {
  const c = new CursorState(50);
  assert.equal(c.accept(50, true), false);
  assert.equal(c.accept(51, true), true);
  assert.equal(c.since(), 51);
});

test('rewinding with pairs goes back in each order to the lower position', () => {
  const c = new CursorState();
  c.snapshot('100:60');
  c.accept(101, false); c.accept(61, true);
  c.rewind('90:70');
  assert.equal(c.since(), '90:60');
  assert.equal(c.accept(95, false), true);
  assert.equal(c.accept(61, true), false, 'a rewind never moves a floor forward');
  assert.equal(c.accept(62, true), true);
  assert.equal(CursorState.behind('90:70', '100:60'), true);
  assert.equal(CursorState.behind('100:60', '100:60'), false);
  assert.equal(CursorState.behind(40, '30:50'), true);
  assert.equal(CursorState.behind(null, 5), false);
});
