/*
 * The page's address, pure (Tests/js/address.test.js): a `?token=` is read
 * once and taken out of the address bar, so that it does not stay in the
 * history, in bookmarks or on a screen share; the page keeps it in memory.
 */
(function (global) {
  'use strict';

  /** The URL's `token` and the URL without it (`href` unchanged when there is none). */
  function takeToken(href) {
    var u = new URL(href);
    var token = u.searchParams.get('token');
    if (token === null) return {token: null, href: href};
    u.searchParams.delete('token');
    return {token: token || null, href: u.toString()};
  }

  var Address = {takeToken: takeToken};
  var Board = global.Board = global.Board || {};
  Board.Address = Address;
  if (typeof module === 'object' && module.exports) module.exports = Address;
})(typeof window !== 'undefined' ? window : globalThis);
