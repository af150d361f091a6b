/*
 * The dashboard: a quote board fed by ticker.js (one connection shared by all
 * tabs), day figures from the server or /history, a chart, and a banner that
 * says when what you see may be stale.
 *
 * Where the server wants a token (`ticker serve --auth-key-file`), open the
 * page with `?token=T`, or let the site set the `ticker_token` cookie. When T
 * expires the page asks `window.tickerToken()` (a page embedding the
 * dashboard sets it: a token, or a promise of one) and resumes where it was.
 */
(function () {
  'use strict';
  var Day = Board.Day;
  var DEFAULT = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'NVDA', 'META', 'TSLA', 'JPM'];
  var INTERVALS = ['1s', '5s', '1m', '5m', '15m', '1h', '1d'];
  var SYMBOL = /^[A-Z0-9^][A-Z0-9.=^\/_-]{0,19}$/;
  var params = new URLSearchParams(location.search);
  // The exchange's session: from the server when it says so, else these (Schema/005's defaults).
  var session = {timeZone: params.get('tz') || 'UTC', opens: params.get('opens') || '00:00'};
  var count = 0, selected = null, conn = null, historyTimer = null, lastStatus = {state: 'connecting'}, lastDataAt = Date.now();

  function $(id) { return document.getElementById(id); }
  function json(r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); }

  // ---- access ----
  // Read once, then out of the address bar (history, bookmarks, screen
  // shares); kept in memory for the stream and our own requests.
  var taken = Board.Address.takeToken(location.href);
  if (taken.href !== location.href) history.replaceState(history.state, '', taken.href);
  var urlToken = taken.token, token = urlToken;
  /** The token ticker.js asks for: the URL's first, then the embedding page's. */
  function tokenFunction() {
    if (typeof window.tickerToken !== 'function') return token;
    return Promise.resolve(window.tickerToken()).then(function (t) { if (t) token = t; return token; });
  }
  /** A request of our own (quotes, history) with the same token as the stream. */
  function api(path, params) {
    var p = new URLSearchParams(params);
    if (token) p.set('token', token);
    return fetch(path + '?' + p);
  }

  function initialSymbols() {
    var q = params.get('symbols');
    var list = q ? q.split(',') : (JSON.parse(localStorage.getItem('ticker.symbols') || 'null') || DEFAULT);
    return list.map(function (s) { return s.trim().toUpperCase(); }).filter(function (s, i, a) { return s && a.indexOf(s) === i; });
  }
  var symbols = initialSymbols();

  function save() {
    localStorage.setItem('ticker.symbols', JSON.stringify(symbols));
    var u = new URL(location.href);
    u.searchParams.set('symbols', symbols.join(','));
    history.replaceState(null, '', u);
  }

  var table = new Board.Table($('rows'), {onSelect: select, onRemove: removeSymbol, staleAfter: +(params.get('staleAfter') || 60) * 1000});
  var chart = new Board.Chart($('chart'));
  if (INTERVALS.indexOf(params.get('interval')) >= 0) chart.interval = params.get('interval');

  // ---- day figures ----

  /**
   * The day of each symbol: the server's figures when /quotes carries them
   * (`session`, `day`: /work/notes/11-server.md), else two /history reads each.
   */
  function loadDays(list) {
    var asOf = Date.now();
    api('quotes', {symbols: list.join(',')}).then(json).then(function (b) {
      if (!b.day || !b.session) throw new Error('no day figures in /quotes');
      session.timeZone = b.session.time_zone || session.timeZone;
      session.opens = b.session.opens || session.opens;
      var start = Date.parse(b.session.start);
      list.forEach(function (sym) {
        var d = b.day[sym];
        if (d) setDay(sym, {reference: d.reference, referenceFrom: d.reference_from, open: d.open, high: d.high, low: d.low, volume: +d.volume || 0}, start, asOf);
      });
    }).catch(function () { list.forEach(function (sym) { loadDayFromHistory(sym, asOf); }); });
  }

  function loadDayFromHistory(sym, asOf) {
    var start = Day.sessionStart(asOf, session.timeZone, session.opens), iso = new Date(start).toISOString();
    var before = api('history', {symbol: sym, to: iso, limit: 1}).then(json);
    var bars = api('history', {symbol: sym, from: iso, interval: '1h', limit: 48}).then(json);
    Promise.all([before, bars]).then(function (b) { setDay(sym, Day.fromHistory(b[0].ticks, b[1].bars), start, asOf); }).catch(function () {});
  }

  function setDay(sym, day, start, asOf) {
    table.setDay(sym, day, start, asOf);
    if (sym === selected && day.reference !== null) { chart.reference = +day.reference; chart.draw(); }
    // At the next session's start, everything is measured against a new reference.
    clearTimeout(loadDays.rollover);
    var next = Day.sessionStart(start + 36 * 3600000, session.timeZone, session.opens);
    loadDays.rollover = setTimeout(function () { loadDays(symbols); }, Math.min(Math.max(next - Date.now(), 1000), 86400000) + 500);
  }

  function loadSpark(sym) {
    api('history', {symbol: sym, limit: 120}).then(json).then(function (b) {
      if (b.ticks) table.setSpark(sym, b.ticks.map(function (t) { return +t.price; }));
    }).catch(function () {});
  }

  function addRow(sym) {
    table.add(sym);
    loadSpark(sym);
    loadDays([sym]);
  }

  // ---- chart ----
  function select(sym) {
    selected = sym;
    Object.keys(table.rows).forEach(function (s) { table.rows[s].tr.classList.toggle('selected', s === sym); });
    $('chart-title').textContent = sym + ' · ' + chart.interval;
    var r = table.rows[sym];
    chart.reference = r && r.day && r.day.reference !== null ? +r.day.reference : null;
    api('history', {symbol: sym, interval: chart.interval, limit: 120}).then(json).then(function (b) {
      if (sym === selected) chart.setBars(b.bars || []);
    }).catch(function () {});
  }

  INTERVALS.forEach(function (iv) {
    var b = document.createElement('button');
    b.textContent = iv;
    if (iv === chart.interval) b.className = 'on';
    b.onclick = function () {
      chart.interval = iv;
      Array.prototype.forEach.call($('intervals').children, function (x) { x.classList.toggle('on', x === b); });
      if (selected) select(selected);
    };
    $('intervals').appendChild(b);
  });
  window.addEventListener('resize', function () { chart.draw(); });

  // ---- sorting ----
  Array.prototype.forEach.call(document.querySelectorAll('th[data-sort]'), function (th) {
    th.tabIndex = 0;
    th.onclick = th.onkeydown = function (e) {
      if (e.type === 'keydown' && e.key !== 'Enter' && e.key !== ' ') return;
      table.sortBy(th.getAttribute('data-sort'));
      showSort();
    };
  });
  function showSort() {
    Array.prototype.forEach.call(document.querySelectorAll('th[data-sort]'), function (th) {
      var on = th.getAttribute('data-sort') === table.sort.key;
      th.setAttribute('aria-sort', on ? (table.sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    });
  }
  showSort();

  // ---- symbols ----
  function removeSymbol(sym) {
    symbols = symbols.filter(function (s) { return s !== sym; });
    table.remove(sym);
    conn.unsubscribe(sym); save();
    if (selected === sym) { selected = null; if (symbols.length) select(symbols[0]); }
  }

  $('add').onsubmit = function (e) {
    e.preventDefault();
    var sym = $('symbol-input').value.trim().toUpperCase();
    $('symbol-input').value = '';
    if (!SYMBOL.test(sym)) { showError('not a symbol: ' + sym); return; }
    if (symbols.indexOf(sym) >= 0) return;
    symbols.push(sym); addRow(sym); conn.subscribe(sym); save();
  };

  function showError(text) { var p = $('error'); p.textContent = text; p.hidden = false; setTimeout(function () { p.hidden = true; }, 4000); }

  // ---- staleness ----
  /** The banner and greyed rows: connection lost, database away on the server. */
  function freshness() {
    var s = lastStatus, text = '';
    var ago = Board.Format.age(Date.now() - lastDataAt);
    if (s.state === 'refused') text = 'Refused by the server: ' + s.error;
    else if (s.database === 'down') text = 'The server has lost its database: prices are not updating (last update ' + ago + ' ago).';
    else if (s.state === 'reconnecting') text = 'Connection lost: reconnecting… prices may be stale (last update ' + ago + ' ago).';
    else if (s.state === 'authorizing' && Date.now() - lastDataAt > 5000) text = 'Access token expired: renewing… prices may be stale (last update ' + ago + ' ago).';
    var banner = $('banner');
    banner.textContent = text;
    banner.hidden = !text;
    banner.setAttribute('data-state', s.database === 'down' && s.state !== 'refused' ? 'database-down' : s.state);
    table.ageAll(!!text);
  }
  setInterval(freshness, 1000);

  var valid = symbols.filter(function (s) { return SYMBOL.test(s); });
  symbols.filter(function (s) { return valid.indexOf(s) < 0; }).forEach(function (s) { showError('not a symbol: ' + s); });
  symbols = valid.length ? valid : DEFAULT.slice();
  symbols.forEach(function (s) { table.add(s); });
  table.resort();

  /** Delayed rows and the status bar's delay, from what the server said last. */
  function showDelays(s) {
    var delayed = s.delayed || [];
    symbols.forEach(function (sym) { table.setDelayed(sym, delayed.indexOf(sym) >= 0 ? s.delay : 0); });
    $('delay').hidden = !delayed.length;
    $('delay').querySelector('b').textContent = delayed.length ? Board.Format.delay(s.delay).replace('delayed ', '') : '–';
  }

  window.tickIds = [];
  var options = {
    symbols: symbols,
    share: params.get('share') !== '0',
    token: urlToken ? tokenFunction : undefined,
    onError: function (e) {
      // A symbol outside the token's claims keeps its row, with the server's reason.
      (e.symbols || []).forEach(function (sym) { table.setRefused(sym, e.error); });
      if (!(e.symbols || []).length) showError(e.error);
    },
    onTick: function (t, info) {
      var live = !(info && info.snapshot);
      if (live) {
        // Kept for the browser tests and for anyone debugging in the console.
        window.tickIds.push(t.id);
        if (!window.firstLiveTickAt) window.firstLiveTickAt = performance.now();
        count += 1; $('count').textContent = count; $('cursor').textContent = t.id;
        // Delayed ticks wait on purpose: their age is not the latency.
        var lat = Board.Format.latency(t, Date.now());
        if (lat) $('latency').textContent = lat;
      }
      lastDataAt = Date.now();
      if (t.delayed && lastStatus.delay > 0) table.setDelayed(t.symbol, lastStatus.delay);
      if (historyTimer) setTimeout(loadHistory, 0);
      var shown = table.tick(t, live);
      if (live && shown && t.symbol === selected) chart.merge(t);
    },
    onStatus: function (s) {
      lastStatus = s;
      if (s.state === 'live' && s.database !== 'down') lastDataAt = Date.now();
      document.querySelector('[data-testid="transport"]').textContent = s.transport;
      if (s.cursor !== null && s.cursor !== undefined) $('cursor').textContent = s.cursor;
      $('note').textContent = s.conflated ? 'slow connection: showing latest values' : s.state === 'authorizing' ? 'getting an access token' :
        s.shared === 'follower' ? 'shared with another tab' : '';
      if (s.delayed) showDelays(s);
      freshness();
    }
  };
  ['transport', 'helloTimeout', 'probeInterval'].forEach(function (k) {
    if (params.get(k)) options[k] = k === 'transport' ? params.get(k) : +params.get(k);
  });
  conn = Ticker.connect(options);
  window.tickerConnection = conn;
  // Live data first; history (sparklines, day figures, chart) once it flows,
  // so the browser's few connections per host go to the stream and polls first.
  historyTimer = setTimeout(loadHistory, 600);
  function loadHistory() {
    if (!historyTimer) return;
    clearTimeout(historyTimer); historyTimer = null;
    symbols.forEach(loadSpark);
    loadDays(symbols);
    if (symbols.length) select(symbols[0]);
  }
})();
