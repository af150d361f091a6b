import Foundation
import Postgres
import Testing
import TickerTestSupport

/// Bayeux callback-polling in Chromium: a page on another origin talks to
/// `/cometd` only through `<script>` tags (JSONP, no CORS needed) and shows
/// the ticks it gets.
@Suite(.serialized) struct BayeuxBrowserTests {
    /// A page on its own origin with a minimal callback-polling Bayeux client.
    func thirdPartyPage(api: Int) throws -> TestServer {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bayeux-page-\(api)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
            <!DOCTYPE html><html><body><ul id="ticks"></ul>
            <script>
              var base = 'http://127.0.0.1:\(api)/cometd', n = 0, clientId = null;
              window.ids = [];
              // One request: a <script> whose callback gets the reply array.
              function send(messages, handle) {
                var name = 'bayeux_cb' + (++n), s = document.createElement('script');
                window[name] = function (replies) { delete window[name]; s.remove(); handle(replies); };
                s.onerror = function () { delete window[name]; s.remove(); setTimeout(connect, 1000); };
                s.src = base + '?jsonp=' + name + '&message=' + encodeURIComponent(JSON.stringify(messages));
                document.head.appendChild(s);
              }
              function show(replies) {
                replies.forEach(function (m) {
                  if (m.channel.indexOf('/quotes/') !== 0) return;
                  window.ids.push(m.data.id);
                  var li = document.createElement('li');
                  li.setAttribute('data-id', m.data.id);
                  li.textContent = m.data.symbol + ' ' + m.data.price;
                  document.getElementById('ticks').appendChild(li);
                });
              }
              function connect() {
                send([{channel: '/meta/connect', clientId: clientId, connectionType: 'callback-polling'}],
                     function (r) { show(r); connect(); });
              }
              // After load: scripts added before it would hold the page's load event open.
              window.onload = function () {
              send([{channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['callback-polling']}], function (r) {
                clientId = r[0].clientId;
                send([{channel: '/meta/subscribe', clientId: clientId, subscription: '/quotes/AAPL'}], function (r) {
                  window.subscribed = r[0].successful;
                  show(r);
                  connect();
                });
              });
              };
            </script></body></html>
            """.write(to: dir.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        return try TestServer(target: TestCluster.database()) { $0.publicDirectory = dir }
    }

    @Test func callbackPollingThroughScriptTagsFromAnotherOriginShowsTicks() throws {
        let api = try TestServer(target: TestCluster.database()) {
            $0.corsOrigins = [] // no CORS at all: script tags need none
            $0.bayeux.connectTimeoutSeconds = 5
        }
        let page = try thirdPartyPage(api: api.port)
        let browser = try Browser()
        try browser.open("http://127.0.0.1:\(page.port)/")
        #expect(browser.waitFor("return window.subscribed === true", timeout: 10))
        Thread.sleep(forTimeInterval: 0.3) // the first connect is answered at once; the next one is held
        for p in ["189.10", "189.20", "189.30"] {
            try api.insert("INSERT INTO ticks (symbol, price) VALUES ('AAPL', $1)", [p])
            try api.insert("INSERT INTO ticks (symbol, price) VALUES ('MSFT', $1)", [p])
            Thread.sleep(forTimeInterval: 0.2)
        }
        let rows = try PGConnection(api.target.adminURL).exec("SELECT id FROM ticks WHERE symbol = 'AAPL' ORDER BY id")
        let ids = (0..<rows.rowCount).compactMap { rows.int64($0, 0) }.map(Int.init)
        #expect(browser.waitFor("return window.ids.length >= 3", timeout: 10))
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try browser.run("return window.ids") as? [Int] == ids)
        let shown = try browser.run("return document.getElementById('ticks').innerText") as? String ?? ""
        #expect(shown.contains("AAPL 189.10") && shown.contains("AAPL 189.30") && !shown.contains("MSFT"), "\(shown)")
    }
}
