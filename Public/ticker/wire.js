/*
 * Parsers of the streaming wire formats, as pure functions of (state, chunk):
 * a chunk may end anywhere, even inside a line or a multi-byte character
 * (the caller decodes bytes with a streaming TextDecoder), and what is not yet
 * complete comes back as state for the next chunk. Tests/js/wire.test.js
 * feeds every input split at every byte boundary.
 */
(function (global) {
  'use strict';

  /**
   * A cursor from the wire: a plain id as a number, a pair "L:D" (a stream
   * mixing live and delayed symbols) as the string it is, anything else null.
   */
  function cursorId(value) {
    if (typeof value === 'number') return isFinite(value) ? value : null;
    if (typeof value !== 'string') return null;
    if (/^\d+$/.test(value)) return +value;
    return /^\d+:\d+$/.test(value) ? value : null;
  }

  /** One SSE-framed block (the `xhr` transport) as {event, data, id}; null when empty. */
  function eventFromBlock(block) {
    var ev = null, data = null, id = null;
    var lines = block.split('\n');
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].replace(/\r$/, '');
      if (!line || line.charAt(0) === ':') continue;
      var colon = line.indexOf(':');
      var field = colon < 0 ? line : line.slice(0, colon);
      var value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') ev = value;
      else if (field === 'data') data = data === null ? value : data + '\n' + value;
      else if (field === 'id' && cursorId(value) !== null) id = cursorId(value);
    }
    if (data === null) return id === null ? null : {event: 'heartbeat', data: {cursor: id}, id: id};
    return {event: ev || 'message', data: JSON.parse(data), id: id};
  }

  /**
   * The `xhr` transport (SSE framing over text/plain): `rest` is the text
   * after the last complete event. Heartbeats (`: hb` + `id: N`) come out as
   * {event: 'heartbeat', data: {cursor: N}} so the cursor stays fresh.
   */
  function parseEventStream(rest, chunk) {
    var text = (rest || '') + chunk, events = [], start = 0, m;
    var blank = /\r?\n\r?\n/g;
    while ((m = blank.exec(text)) !== null) {
      var e = eventFromBlock(text.slice(start, m.index));
      if (e) events.push(e);
      start = m.index + m[0].length;
    }
    return {events: events, rest: text.slice(start)};
  }

  /** The boundary named by a multipart Content-Type, or null. */
  function multipartBoundary(contentType) {
    var m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType || '');
    return m ? (m[1] || m[2]) : null;
  }

  /**
   * `multipart/x-mixed-replace` with the given boundary. State {started, text}:
   * before the first delimiter line everything is preamble. Each part is
   * headers, a blank line and one JSON body ({event, data, id}); the result's
   * `events` are those bodies, `done` is true after the closing delimiter.
   */
  function parseMultipart(state, chunk, boundary) {
    var delim = '--' + boundary;
    var started = !!(state && state.started), text = ((state && state.text) || '') + chunk;
    var events = [], done = !!(state && state.done);
    if (!started) {
      var at = text.indexOf(delim);
      while (at > 0 && text.charAt(at - 1) !== '\n') at = text.indexOf(delim, at + 1);
      var eol = at < 0 ? -1 : text.indexOf('\n', at);
      if (eol < 0) return {state: {started: false, text: text, done: done}, events: events};
      text = text.slice(eol + 1);
      started = true;
    }
    for (;;) {
      var end = text.indexOf('\n' + delim);
      if (end < 0) break;
      var after = end + 1 + delim.length;
      var lineEnd = text.indexOf('\n', after);
      var closing = text.slice(after, after + 2) === '--';
      if (lineEnd < 0 && !closing) break;   // the delimiter line is not complete yet
      var part = text.slice(0, end).replace(/\r$/, '');
      var sep = /\r?\n\r?\n/.exec(part);
      var body = sep ? part.slice(sep.index + sep[0].length) : '';
      if (body) {
        var m = JSON.parse(body);
        events.push({event: m.event, data: m.data, id: m.id === undefined ? null : cursorId(m.id)});
      }
      if (closing) { done = true; text = ''; break; }
      text = text.slice(lineEnd + 1);
    }
    return {state: {started: started, text: text, done: done}, events: events};
  }

  /**
   * A forever frame's postMessage payload: {ticker: [event, data, id?]} (see
   * docs in README, "The client library"); null for anything else.
   */
  function frameMessage(payload) {
    if (!payload || typeof payload !== 'object' || !Array.isArray(payload.ticker)) return null;
    var m = payload.ticker;
    if (typeof m[0] !== 'string' || m.length < 2) return null;
    return {event: m[0], data: m[1], id: cursorId(m[2])};
  }

  var Wire = {
    parseEventStream: parseEventStream,
    multipartBoundary: multipartBoundary,
    parseMultipart: parseMultipart,
    frameMessage: frameMessage,
    cursorId: cursorId
  };
  var Ticker = global.Ticker = global.Ticker || {};
  Ticker.Wire = Wire;
  if (typeof module === 'object' && module.exports) module.exports = Wire;
})(typeof window !== 'undefined' ? window : globalThis);
