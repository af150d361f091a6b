#!/usr/bin/env python3
"""A third-party Bayeux client (aiocometd-ng, from PyPI) for CometTicker's tests.

Connects to http://HOST:PORT/cometd with aiocometd-ng over long-polling or
websocket, subscribes to the given channels, and prints one line per tick
delivered on stdout: "<tick id> <channel>" (flushed), so a test can compare
the ids with the database rows for exactly-once delivery. Everything else
(subscribed, unsubscribed, errors) goes to stderr, one line each.

With --resume it uses CometTicker's resume extension (docs/BAYEUX.md): it
remembers the newest tick id it received and sends it as
ext {"ticker":{"since":N}} on every /meta/handshake, /meta/subscribe and
/meta/connect, so
after a network loss or a server restart (aiocometd-ng re-handshakes and
re-subscribes by itself) the server sends exactly the ticks it missed.

  .build/venv/bin/python Tests/python/bayeux_client.py --url http://127.0.0.1:8080/cometd \
      --transport websocket --subscribe /quotes/AAPL,/quotes/* --resume
"""
import argparse
import asyncio
import sys

from aiocometd_ng import Client, ConnectionType
from aiocometd_ng.extensions import Extension


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


class Resume(Extension):
    """CometTicker's resume extension: ext.ticker.since on handshake and subscribe."""

    def __init__(self, since=None):
        self.last = since

    async def outgoing(self, payload, headers):
        for message in payload:
            # On /meta/connect it acknowledges: an answer lost with its
            # connection is sent again.
            if self.last is not None and message.get("channel") in ("/meta/handshake", "/meta/subscribe", "/meta/connect"):
                message.setdefault("ext", {}).setdefault("ticker", {})["since"] = self.last

    async def incoming(self, payload, headers=None):
        for message in payload:
            tick_id = message.get("ext", {}).get("ticker", {}).get("id")
            if isinstance(tick_id, int) and message.get("channel", "").startswith("/quotes/"):
                self.last = tick_id if self.last is None else max(self.last, tick_id)


class Token(Extension):
    """CometTicker's tokens (#16): the JWT in the handshake's ext.ticker.token."""

    def __init__(self, token):
        self.token = token

    async def outgoing(self, payload, headers):
        for message in payload:
            if message.get("channel") == "/meta/handshake":
                message.setdefault("ext", {}).setdefault("ticker", {})["token"] = self.token

    async def incoming(self, payload, headers=None):
        pass


async def run(args):
    transport = ConnectionType.WEBSOCKET if args.transport == "websocket" else ConnectionType.LONG_POLLING
    extensions = [Resume(args.since)] if args.resume else []
    if args.token:
        extensions.append(Token(args.token))
    received = 0
    async with Client(args.url, [transport], extensions=extensions, connection_timeout=args.connection_timeout) as client:
        log(f"open {client.connection_type.value}")
        for channel in args.subscribe.split(","):
            await client.subscribe(channel)
            log(f"subscribed {channel}")
        async for message in client:
            channel = message.get("channel", "")
            data = message.get("data")
            if not channel.startswith("/quotes/") or not isinstance(data, dict):
                log(f"message {message}")
                continue
            if data.get("delayed"):
                log(f"delayed {data['id']}")
            print(data["id"], channel, flush=True)
            received += 1
            if args.unsubscribe and received == args.unsubscribe_after:
                await client.unsubscribe(args.unsubscribe)
                log(f"unsubscribed {args.unsubscribe}")
            if args.count is not None and received >= args.count:
                break


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True, help="http://HOST:PORT/cometd")
    p.add_argument("--transport", choices=["long-polling", "websocket"], default="long-polling")
    p.add_argument("--subscribe", required=True, help="comma-separated channels")
    p.add_argument("--unsubscribe", help="a channel to leave after --unsubscribe-after ticks")
    p.add_argument("--unsubscribe-after", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="use the ext.ticker.since resume extension")
    p.add_argument("--since", type=int, help="with --resume: start after this tick id")
    p.add_argument("--token", help="a JWT sent in the handshake's ext.ticker.token")
    p.add_argument("--count", type=int, help="exit after this many ticks")
    p.add_argument("--seconds", type=float, help="exit after this long")
    # 0: aiocometd-ng 0.5.6 waits for a lost connection with
    # asyncio.wait_for(loop=...), which Python 3.10+ refuses (TypeError), and then
    # gives up at the first connection loss; with 0 it never starts that wait and
    # keeps reconnecting by the server's advice.
    p.add_argument("--connection-timeout", type=float, default=0)
    args = p.parse_args()
    try:
        asyncio.run(asyncio.wait_for(run(args), args.seconds))
    except asyncio.TimeoutError:
        log(f"stopped after {args.seconds}s")
    except KeyboardInterrupt:
        pass
    except Exception as error:  # one line for the test's log
        log(f"failed: {type(error).__name__}: {error}")
        sys.exit(1)


if __name__ == "__main__":
    main()
