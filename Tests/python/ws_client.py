#!/usr/bin/env python3
"""A third-party WebSocket client for CometTicker's end-to-end tests.

Connects to ws://HOST:PORT/ws?symbols=..[&since=..] with the `websockets`
package, prints the id of every tick it receives on stdout (one per line,
flushed), and on any close or network error reconnects with its cursor
(`since` = the newest id or cursor it has seen), so a test can compare the
printed ids with the database for exactly-once delivery across server and
PostgreSQL restarts. Everything else (hello, snapshot, reset, conflated, bye,
close codes, reconnects) goes to stderr as one line each.

Server messages are JSON text frames shaped like the multipart parts of
docs/PROTOCOL.md: {"event":NAME,"data":JSON,"id":N?}, where "tick" carries
one tick object and "ticks" a list of them. A bare tick object
({"id":..,"symbol":..}) is also understood. A `bye` delays the reconnect by
its `retry` milliseconds.

Run with the venv of Tests/python/venv.sh:
  .build/venv/bin/python Tests/python/ws_client.py --url ws://127.0.0.1:8080/ws \
      --symbols AAPL,MSFT --count 100 --subscribe-after 20 --subscribe NVDA
"""
import argparse
import asyncio
import json
import sys
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def ticks_in(message):
    """(event name, ticks, new cursor or None, data) of one server message.

    The cursor moves with ticks, heartbeats, snapshots and resets only: hello's
    and bye's cursor is the server's, and adopting it before the replayed
    ticks arrive would skip them on the next resume."""
    if not isinstance(message, dict):
        return "unknown", [], None, None
    if "event" not in message and "id" in message and "symbol" in message:
        return "tick", [message], message["id"], message
    name = message.get("event", "unknown")
    data = message.get("data")
    if name == "tick" and isinstance(data, dict):
        return name, [data], data["id"], data
    if name == "ticks" and isinstance(data, list) and data:
        return name, data, max(t["id"] for t in data), data
    cursor = None
    if name in ("heartbeat", "reset") and isinstance(data, dict) and isinstance(data.get("cursor"), int):
        cursor = data["cursor"]
    elif name in ("snapshot", "heartbeat") and isinstance(message.get("id"), int):
        cursor = message["id"]
    return name, [], cursor, data


class Client:
    def __init__(self, args):
        self.args = args
        self.symbols = [s for s in args.symbols.split(",") if s]
        self.cursor = args.since
        self.received = 0
        self.retry = None  # seconds, from the server's bye
        self.changes = []
        if args.subscribe:
            self.changes.append((args.subscribe_after, "subscribe", args.subscribe.split(",")))
        if args.unsubscribe:
            self.changes.append((args.unsubscribe_after, "unsubscribe", args.unsubscribe.split(",")))
        self.changes.sort(key=lambda c: c[0])

    def url(self):
        parts = urlsplit(self.args.url)
        query = {"symbols": ",".join(self.symbols)}
        if self.cursor is not None:
            query["since"] = str(self.cursor)
        return urlunsplit((parts.scheme, parts.netloc, parts.path or "/ws", urlencode(query, safe=","), ""))

    def done(self):
        return self.args.count is not None and self.received >= self.args.count

    async def run(self):
        delay = 0.1
        while not self.done():
            url = self.url()
            try:
                async with connect(url, open_timeout=self.args.open_timeout, max_size=2**22,
                                   origin=self.args.origin) as ws:
                    log(f"open {url}")
                    delay = 0.1
                    await self.session(ws)
                    if self.done():
                        await ws.close(1000, "done")
                        return
                    log(f"closed {ws.close_code} {ws.close_reason or ''}")
            except ConnectionClosed as closed:
                code = closed.rcvd.code if closed.rcvd else 1006
                reason = closed.rcvd.reason if closed.rcvd else ""
                log(f"closed {code} {reason}")
            except (OSError, InvalidHandshake, asyncio.TimeoutError) as error:
                log(f"connect failed: {type(error).__name__}: {error}")
            if not self.args.reconnect:
                return
            await asyncio.sleep(self.retry if self.retry is not None else delay)
            self.retry = None
            delay = min(delay * 2, 2.0)

    async def session(self, ws):
        async for raw in ws:
            if isinstance(raw, bytes):
                log("binary frame ignored")
                continue
            name, ticks, cursor, data = ticks_in(json.loads(raw))
            for tick in ticks:
                print(tick["id"], flush=True)
                self.received += 1
            if cursor is not None:
                self.cursor = cursor
            if not ticks:
                log(f"{name} {raw[:200]}")
            if name == "bye" and isinstance(data, dict) and isinstance(data.get("retry"), int):
                self.retry = data["retry"] / 1000
            while self.changes and self.received >= self.changes[0][0]:
                _, verb, symbols = self.changes.pop(0)
                await ws.send(json.dumps({verb: symbols}))
                if verb == "subscribe":
                    self.symbols += [s for s in symbols if s not in self.symbols]
                else:
                    self.symbols = [s for s in self.symbols if s not in symbols]
                log(f"sent {verb} {','.join(symbols)}")
            if self.done():
                return


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True, help="ws://HOST:PORT/ws")
    p.add_argument("--symbols", required=True, help="comma-separated")
    p.add_argument("--since", type=int, help="resume after this tick id")
    p.add_argument("--count", type=int, help="exit after this many ticks")
    p.add_argument("--seconds", type=float, help="exit after this long")
    p.add_argument("--subscribe", help="symbols to add after --subscribe-after ticks")
    p.add_argument("--subscribe-after", type=int, default=0)
    p.add_argument("--unsubscribe", help="symbols to drop after --unsubscribe-after ticks")
    p.add_argument("--unsubscribe-after", type=int, default=0)
    p.add_argument("--origin", help="Origin header to send")
    p.add_argument("--open-timeout", type=float, default=5.0)
    p.add_argument("--no-reconnect", dest="reconnect", action="store_false")
    args = p.parse_args()
    client = Client(args)
    try:
        asyncio.run(asyncio.wait_for(client.run(), args.seconds))
    except asyncio.TimeoutError:
        log(f"stopped after {args.seconds}s with {client.received} ticks")
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
