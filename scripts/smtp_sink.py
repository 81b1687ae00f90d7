"""A mail server on loopback for knead's end-to-end tests, on aiosmtpd (PyPI).

Every message it accepts is written whole to DIR as NNNNN.eml (written aside, then renamed, so a reader never
sees half a message). --slow-rcpt WORD SECONDS holds the reply to a recipient containing WORD, so a test can
stop a server in the middle of a send; --fail-first N answers the first N messages with a 451 (try later).

    python smtp_sink.py --port 2525 --dir /tmp/mail [--slow-rcpt slow 30] [--fail-first 1]
"""

import argparse
import asyncio
import itertools
import os
import signal
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out, slow_word, slow_seconds, fail_first):
        self.out = out
        self.numbers = itertools.count()
        self.slow_word = slow_word
        self.slow_seconds = slow_seconds
        self.fail_left = fail_first

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.slow_word and self.slow_word in address:
            await asyncio.sleep(self.slow_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_left > 0:
            self.fail_left -= 1
            return "451 4.3.0 try again later"
        n = next(self.numbers)
        aside = os.path.join(self.out, f".{n:05}.tmp")
        with open(aside, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(aside, os.path.join(self.out, f"{n:05}.eml"))
        return "250 2.0.0 accepted"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--slow-rcpt", nargs=2, metavar=("WORD", "SECONDS"))
    p.add_argument("--fail-first", type=int, default=0)
    a = p.parse_args()
    word, seconds = (a.slow_rcpt[0], float(a.slow_rcpt[1])) if a.slow_rcpt else (None, 0.0)
    controller = Controller(Sink(a.dir, word, seconds, a.fail_first), hostname="127.0.0.1", port=a.port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
