"""Parsing a big file in a second process while this one writes the store.

Importing the Kaggle snapshot, normalizing records (Python) costs about as much as
SQLite storing and indexing them. With two cores the two overlap: a forked worker reads
and parses the file, turns each batch into the finished rows (store.ingest.prepare:
normalized fields, JSON lists, title key, the sighting's raw text) and sends them down a
pipe, and this process merges them into the store as they come, which for a new paper
is SQLite's work alone. The pipe's small buffer bounds memory: the worker
waits while a batch is unread. A bad line in the worker comes back as the InputError
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


def batches(name: str, origin: str, fmt: str, size: int) -> Iterator[tuple[Prepared, int]]:
    """Batches of papers parsed and prepared from the file `name` by a worker, with its
    read position."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    worker = ctx.Process(
        target=_work, args=(name, origin, fmt, size, sender, receiver), daemon=True
    )
    worker.start()
    sender.close()
    try:
        while True:
            try:
                message = receiver.recv()
            except EOFError:
                raise InputError(origin, "the parsing process stopped unexpectedly") from None
            if message[0] == "papers":
                yield Prepared(message[1]), message[2]
            elif message[0] == "error":
                raise InputError(*message[1:])
            else:
                return
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join()


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
