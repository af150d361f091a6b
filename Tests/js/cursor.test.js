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
  c.learn(undefined); c.learn('7'); c.learn(NaN);
  assert.equal(c.since(), null);
});
