// The dashboard takes ?token= out of the address bar (Public/board/address.js).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Address = require('../../Public/board/address.js');

test('a token is read and removed, the rest of the address kept', () => {
  const taken = Address.takeToken('http://127.0.0.1:8080/?symbols=AAPL,MSFT&token=eyJ.abc.d-_&interval=1m#top');
  assert.equal(taken.token, 'eyJ.abc.d-_');
  assert.equal(taken.href, 'http://127.0.0.1:8080/?symbols=AAPL%2CMSFT&interval=1m#top');
  assert.ok(!taken.href.includes('token'));
});

test('an address without a token is left as it is', () => {
  const href = 'http://127.0.0.1:8080/?symbols=AAPL,MSFT';
  assert.deepEqual(Address.takeToken(href), {token: null, href});
  assert.deepEqual(Address.takeToken('http://h/?token=&a=1'), {token: null, href: 'http://h/?a=1'});
});
