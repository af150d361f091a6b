// Day figures and change, exactly as SQL's day_quotes() computes them (Public/board/day.js).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Day = require('../../Public/board/day.js');

test('session start: local midnight in UTC, or 09:30 in New York across DST', () => {
  assert.equal(new Date(Day.sessionStart(Date.parse('2026-11-26T00:08:52Z'), 'UTC', '00:00')).toISOString(), '2026-11-26T00:00:00.000Z');
  assert.equal(new Date(Day.sessionStart(Date.parse('2026-07-15T12:00:00Z'), 'America/New_York', '09:30')).toISOString(), '2026-07-14T13:30:00.000Z');
  assert.equal(new Date(Day.sessionStart(Date.parse('2026-07-15T13:30:00Z'), 'America/New_York', '09:30')).toISOString(), '2026-07-15T13:30:00.000Z');
  assert.equal(new Date(Day.sessionStart(Date.parse('2026-12-15T15:00:00Z'), 'America/New_York', '09:30')).toISOString(), '2026-12-15T14:30:00.000Z');
});

test('change and percent as SQL: exact decimals, percent rounded half away from zero', () => {
  assert.deepEqual(Day.change('99.00', '101.00'), {change: '-2.00', pct: '-1.98', sign: -1});
  assert.deepEqual(Day.change('121.20', '120.00'), {change: '+1.20', pct: '+1.00', sign: 1});
  assert.deepEqual(Day.change('1.08345', '1.08'), {change: '+0.00345', pct: '+0.32', sign: 1});
  assert.deepEqual(Day.change('100.005', '100'), {change: '+0.005', pct: '+0.01', sign: 1});   // 0.005 % rounds up
  assert.deepEqual(Day.change('99.995', '100'), {change: '-0.005', pct: '-0.01', sign: -1});
  assert.deepEqual(Day.change('5', '5'), {change: '0.00', pct: '0.00', sign: 0});
  assert.equal(Day.change('5', null), null);
});

test('newer: event time first, microseconds, then id', () => {
  const t = (id, ts) => ({id, ts});
  assert.equal(Day.newer(t(1, '2026-11-26T10:00:00.000002Z'), t(2, '2026-11-26T10:00:00.000001Z')), true);
  assert.equal(Day.newer(t(9, '2026-11-25T10:00:00.000000Z'), t(2, '2026-11-26T10:00:00.000000Z')), false);
  assert.equal(Day.newer(t(3, '2026-11-26T10:00:00.000000Z'), t(2, '2026-11-26T10:00:00.000000Z')), true);
  assert.equal(Day.newer(t(1, 'x'), null), true);
});

test('day figures from /history: previous close, else the day open', () => {
  const bars = [{open: '103.00', high: '103.00', low: '102.02', volume: 6}, {open: '99.00', high: '99.00', low: '99.00', volume: 7}];
  assert.deepEqual(Day.fromHistory([{price: '101.00'}], bars),
    {reference: '101.00', referenceFrom: 'previous close', open: '103.00', high: '103.00', low: '99.00', volume: 13});
  assert.equal(Day.fromHistory([], bars).reference, '103.00');
  assert.equal(Day.fromHistory([], []).reference, null);
});

test('live ticks update the day, and a late tick of the session can become its open', () => {
  const start = Date.parse('2026-11-26T00:00:00Z');
  const d = Day.fromHistory([], []);
  let open = Day.addTick(d, {id: 5, price: '10.5', size: 2, ts: '2026-11-26T01:00:00Z'}, start, null);
  open = Day.addTick(d, {id: 6, price: '10.1', size: 1, ts: '2026-11-26T00:30:00Z'}, start, open);   // backfilled
  open = Day.addTick(d, {id: 7, price: '9.00', size: 1, ts: '2026-11-25T23:00:00Z'}, start, open);   // yesterday: ignored
  assert.deepEqual(d, {reference: '10.1', referenceFrom: 'day open', open: '10.1', high: '10.5', low: '10.1', volume: 3});
});
