"""Parsing a big file in a second process while this one writes the store.

Importing the Kaggle snapshot, normalizing records (Python) costs about as much as
SQLite storing and indexing them. With two cores the two overlap: a forked worker reads
and parses the file, turns each batch into the finished rows (store.ingest.prepare:
normalized fields, JSON lists, title key, the sighting's raw text) and sends them down a
pipe, and this process merges them into the store as they come, which for a new paper
is SQLite's work alone. A thread here takes up to ``AHEAD`` batches off the pipe
while the writer runs SQLite, so neither side waits on the other's batch; that and the
pipe's small buffer bound memory: the worker waits while they are full. A bad line in the worker comes back as the InputError
the serial path raises; Ctrl-C or a kill of this process ends the worker (it ignores
SIGINT, and it is killed when the import stops for any reason).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..store.ingest import Prepared, prepare

if TYPE_CHECKING:
    from multiprocessing.connection import Connection


def available() -> bool:
    """Fork is cheap and safe here (Linux); elsewhere imports stay in one process."""
    return sys.platform == "linux" and (os.cpu_count() or 1) > 1


# Batches received ahead of the writer: while it runs SQLite (which releases the GIL), a
# thread of this process takes the next batches off the pipe, so the worker never
# waits for the writer to finish a batch before it can hand over the next one.
AHEAD = 2


def batches(name: str, origin: str, fmt: str, size: int) -> Iterator[tuple[Prepared, int]]:
    """Batches of papers parsed and prepared from the file `name` by a worker, with its
    read position."""
    import multiprocessing
    import queue
    import threading

    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_work, args=(name, origin, fmt, size, sender, receiver), daemon=True
    )
    worker.start()
    sender.close()
    inbox: queue.Queue[tuple[Any, ...]] = queue.Queue(maxsize=AHEAD)
    stop = threading.Event()

    def receive() -> None:
        while not stop.is_set():
            try:
                message = receiver.recv()
            except (EOFError, OSError):
                message = ("eof",)
            while not stop.is_set():
                try:
                    inbox.put(message, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if message[0] != "papers":
                return

    pump = threading.Thread(target=receive, name="papertriage-batches", daemon=True)
    pump.start()
    try:
        while True:
            message = inbox.get()
            if message[0] == "papers":
                yield Prepared(message[1]), message[2]
            elif message[0] == "error":
                raise InputError(*message[1:])
            elif message[0] == "eof":
                raise InputError(origin, "the parsing process stopped unexpectedly")
            else:
                return
    finally:
        stop.set()
        if worker.is_alive():
            worker.kill()
        worker.join()
        pump.join()
        receiver.close()


def _work(
    name: str, origin: str, fmt: str, size: int, sender: Connection, receiver: Connection
) -> None:
    # The fork copied the parent's read end: close it, or a SIGKILLed parent leaves this
    # worker blocked for ever on a full pipe that it is itself keeping open.
    receiver.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    from ..sources.formats import batches, iter_papers, open_input, position

    message: tuple[Any, ...] = ("done",)
    try:
        fh, _size = open_input(name)
        with fh:
            for batch in batches(iter_papers(fh, origin, fmt), size):
                # plain tuples: they pickle several times faster than the dataclass
                sender.send(("papers", list(prepare(batch)), position(fh)))
    except InputError as exc:
        message = ("error", exc.origin, exc.detail, exc.where)
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        message = ("error", origin, f"truncated or unreadable ({exc})", None)
    try:
        sender.send(message)
    except (BrokenPipeError, OSError):
        pass  # the parent has stopped reading
    sender.close()
