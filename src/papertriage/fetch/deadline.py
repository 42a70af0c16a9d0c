"""A wall-clock bound on one request, enforced on every socket operation.

httpx's timeouts apply to each read, connect or write on its own: a server that sends
one byte every few seconds never trips a 30 s read timeout, and holds the request (and
the fetch lock) as long as it likes, headers included. So every connection pool of the
client is given a network backend whose streams clamp each operation's timeout to
what is left of the current request's budget, and time out once it is spent: the
request then fails as a timeout (``DEADLINE``), within the budget whatever the server
does.

Imported only by ``make_client`` (the CLI starts without httpx/httpcore).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpcore

# The message of the timeout raised when the budget is spent (http.py tells it apart).
DEADLINE = "papertriage: request deadline passed"
T = TypeVar("T")


class Budget:
    """The end of the current request on the real monotonic clock (None: unbounded)."""

    def __init__(self) -> None:
        self.until: float | None = None

    def start(self, seconds: float) -> None:
        self.until = time.monotonic() + seconds

    def stop(self) -> None:
        self.until = None

    def left(self, timeout: float | None, error: type[Exception]) -> float | None:
        """The timeout to use now: the given one, shortened to the time left."""
        if self.until is None:
            return timeout
        left = self.until - time.monotonic()
        if left <= 0:
            raise error(DEADLINE)
        return left if timeout is None else min(timeout, left)

    def spent(self) -> bool:
        # A socket timeout set to the time left fires at about `until` (poll() counts
        # whole milliseconds): within 10 ms of it, the timeout was the deadline.
        return self.until is not None and time.monotonic() >= self.until - 0.01

    def call(
        self, error: type[Exception], timeout: float | None, run: Callable[[float | None], T]
    ) -> T:
        """run(timeout) with the timeout shortened; a timeout at the end of the budget
        is the deadline."""
        try:
            return run(self.left(timeout, error))
        except httpcore.TimeoutException:
            if self.spent():
                raise error(DEADLINE) from None
            raise


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, budget: Budget) -> None:
        self._stream = stream
        self._budget = budget

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._budget.call(
            httpcore.ReadTimeout, timeout, lambda t: self._stream.read(max_bytes, t)
        )

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._budget.call(httpcore.WriteTimeout, timeout, lambda t: self._stream.write(buffer, t))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._budget.call(
            httpcore.ConnectTimeout,
            timeout,
            lambda t: self._stream.start_tls(ssl_context, server_hostname, t),
        )
        return _Stream(stream, self._budget)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, backend: httpcore.NetworkBackend, budget: Budget) -> None:
        self._backend = backend
        self._budget = budget

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._budget.call(
            httpcore.ConnectTimeout,
            timeout,
            lambda t: self._backend.connect_tcp(host, port, t, local_address, socket_options),
        )
        return _Stream(stream, self._budget)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._budget.call(
            httpcore.ConnectTimeout,
            timeout,
            lambda t: self._backend.connect_unix_socket(path, t, socket_options),
        )
        return _Stream(stream, self._budget)

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def bound(client: Any, budget: Budget) -> int:
    """Route every connection pool of an httpx.Client (proxies' too) through the budget.

    httpx has no public hook for httpcore's network backend, so this sets the pools'
    ``_network_backend``; tests/test_http.py checks it against a dripping server, so an
    httpx upgrade that moves it fails there. Returns how many pools were bound."""
    bound_pools = 0
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if backend is not None and not isinstance(backend, _Backend):
            pool._network_backend = _Backend(backend, budget)  # type: ignore[union-attr]
            bound_pools += 1
    return bound_pools
