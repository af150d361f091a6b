// Ages, dated times and axis labels (Public/board/format.js).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Format = require('../../Public/board/format.js');

test('ages', () => {
  assert.deepEqual([0, 4999, 61000, 7300000, 90000000].map(Format.age), ['0s', '4s', '1m', '2h', '1d']);
});

test('delays as a delayed row shows them', () => {
  assert.deepEqual([900, 2, 90, 60, 3600, 7200, 5400].map(Format.delay),
    ['delayed 15 min', 'delayed 2 s', 'delayed 90 s', 'delayed 1 min', 'delayed 60 min', 'delayed 2 h', 'delayed 90 min']);
});

test('latency is for live ticks only', () => {
  const now = Date.parse('2026-11-26T04:00:00.250Z');
  assert.equal(Format.latency({ts: '2026-11-26T04:00:00.000Z'}, now), '250 ms');
  // A delayed tick (here --delay 2s) is old on purpose: not a latency.
  assert.equal(Format.latency({ts: '2026-11-26T03:59:58.000Z', delayed: true}, now), null);
  assert.equal(Format.latency({ts: '2026-11-26T03:59:58.000Z'}, now), '2250 ms');
  assert.equal(Format.latency({ts: '2026-11-26T04:00:01.000Z'}, now), null);
  assert.equal(Format.latency({ts: '2026-11-26T03:50:00.000Z'}, now), null);
});

test('times before today carry their date', () => {
  const now = new Date(2026, 10, 26, 9, 0, 0).getTime();
  assert.equal(Format.time(new Date(2026, 10, 26, 8, 5, 7).getTime(), now), '08:05:07');
  assert.equal(Format.time(new Date(2026, 10, 25, 16, 0, 1).getTime(), now), 'Nov 25 16:00:01');
  assert.equal(Format.time(new Date(2025, 11, 31, 16, 0, 1).getTime(), now), 'Dec 31 2025 16:00:01');
});

test('price labels are distinct even on a narrow range', () => {
  for (const [lo, hi] of [[189.21, 189.26], [100, 100], [0.00012, 0.00019], [410, 440], [1.0831, 1.0834]]) {
    const labels = Format.priceTicks(lo, hi, 5).map(t => t.label);
    assert.ok(labels.length >= 2, lo + '..' + hi + ': ' + labels);
    assert.equal(new Set(labels).size, labels.length, lo + '..' + hi + ': ' + labels);
  }
  assert.deepEqual(Format.priceTicks(189.21, 189.26, 5).map(t => t.label), ['189.21', '189.22', '189.23', '189.24', '189.25', '189.26']);
});

test('time labels fall on round instants', () => {
  const from = new Date(2026, 10, 26, 9, 0, 10).getTime();
  const labels = Format.timeTicks(from, from + 10 * 60000, 5).map(t => t.label);
  assert.equal(new Set(labels).size, labels.length);
  assert.ok(labels.every(l => /^\d\d:\d\d$/.test(l)), labels.join());
  assert.ok(Format.timeTicks(from, from + 30000, 5).every(t => /^\d\d:\d\d:\d\d$/.test(t.label)));
});
