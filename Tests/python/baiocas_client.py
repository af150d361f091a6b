#!/usr/bin/env python3
"""A second third-party Bayeux client (baiocas, from PyPI; tornado) for CometTicker's tests.

Handshakes with http://HOST:PORT/cometd over long-polling, subscribes to the
given channels, and prints "<tick id> <channel>" on stdout for every tick
delivered (flushed); other events go to stderr, one line each. After
--unsubscribe-after ticks it unsubscribes from --unsubscribe.

  .build/venv/bin/python Tests/python/baiocas_client.py --url http://127.0.0.1:8080/cometd \
      --subscribe /quotes/AAPL,/quotes/*
"""
import argparse
import sys

from tornado.ioloop import IOLoop

from baiocas.channel_id import ChannelId
from baiocas.client import Client
from baiocas.transports.long_polling import LongPollingHttpTransport


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--url", required=True)
    p.add_argument("--subscribe", required=True, help="comma-separated channels")
    p.add_argument("--unsubscribe")
    p.add_argument("--unsubscribe-after", type=int, default=0)
    p.add_argument("--seconds", type=float, default=60)
    args = p.parse_args()

    loop = IOLoop.current()
    client = Client(args.url)
    client.register_transport(LongPollingHttpTransport())
    state = {"received": 0}

    def on_tick(channel, message):
        data = message.data
        print(data["id"], message.channel, flush=True)
        state["received"] += 1
        if args.unsubscribe and state["received"] == args.unsubscribe_after:
            client.get_channel(args.unsubscribe).unsubscribe(function=on_tick)
            log(f"unsubscribed {args.unsubscribe}")

    def on_meta(channel, message):
        log(f"{message.channel} successful={message.successful} {message.get('subscription', '')} {message.get('error', '')}")

    def on_handshake(channel, message):
        # Subscribing is possible once the handshake has chosen a transport.
        if message.successful and not state.get("subscribed"):
            state["subscribed"] = True
            for name in args.subscribe.split(","):
                client.get_channel(name).subscribe(on_tick)

    client.get_channel(ChannelId.META_HANDSHAKE).add_listener(on_handshake)
    for meta in (ChannelId.META_HANDSHAKE, ChannelId.META_SUBSCRIBE, ChannelId.META_UNSUBSCRIBE, ChannelId.META_UNSUCCESSFUL):
        client.get_channel(meta).add_listener(on_meta)
    client.handshake()
    loop.call_later(args.seconds, loop.stop)
    loop.start()


if __name__ == "__main__":
    main()
