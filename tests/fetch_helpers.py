"""Shared by the fetch tests: a clock that never sleeps, and fixture bytes."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


class FakeClock:
    """Monotonic time that moves only when someone sleeps; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def fixture_bytes(rel: str) -> bytes:
    return (FIXTURES / rel).read_bytes()


class FixtureServer:
    """A real HTTP server on 127.0.0.1 (random port, own thread) serving fixture files.

    ``routes`` maps a path with its query ("/api/daily_papers?date=...") to a fixture
    path (``bodies``: to the bytes themselves); each body is served with a strong ETag,
    and a matching If-None-Match gets 304. ``delays`` (path, or "*" -> seconds) holds
    responses back, to widen the window in which a client can be killed; a killed
    client's broken pipe is then expected, not reported.
    """

    def __init__(
        self,
        routes: dict[str, str] | None = None,
        bodies: dict[str, bytes] | None = None,
        delays: dict[str, float] | None = None,
    ) -> None:
        import hashlib
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        served = {k: fixture_bytes(v) for k, v in (routes or {}).items()} | (bodies or {})
        wait = delays or {}
        seen: list[dict[str, str]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
                time.sleep(wait.get(self.path, wait.get("*", 0.0)))
                body = served.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                kind = (
                    "application/json"
                    if body.lstrip()[:1] in (b"[", b"{")
                    else "application/rss+xml"
                )
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                if not wait:
                    super().handle_error(request, client_address)

        self.seen = seen
        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


DEMO_ROUTES = {
    "/api/daily_papers?date=2026-08-12&limit=100&p=0": "hf_daily/2026-08-12.json",
    "/rss/cs.LG+cs.CL": "arxiv_rss/rss_cs.LG_2026-04-27_trimmed3.xml",
}


class RawServer:
    """A real HTTP server on 127.0.0.1 that answers every request with ``response``, raw
    bytes as given (hostile headers included): the first ``at_once`` bytes at once, then
    ``chunk`` bytes every ``interval`` seconds (a server that drips). ``sent`` counts the
    bytes it got out before the client hung up."""

    def __init__(
        self, response: bytes, chunk: int = 0, interval: float = 0.0, at_once: int = 0
    ) -> None:
        import socket
        import threading
        import time

        self.sent = 0
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

        def serve(conn: socket.socket) -> None:
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(response[:at_once])
                    self.sent += at_once
                    step = chunk or len(response)
                    for at in range(at_once, len(response), step):
                        if self._stop.is_set():
                            return
                        conn.sendall(response[at : at + step])
                        self.sent += len(response[at : at + step])
                        if interval:
                            time.sleep(interval)
                except OSError:  # the client gave up: what the deadline tests want
                    return

        def accept() -> None:
            while not self._stop.is_set():
                try:
                    conn, _ = self._sock.accept()
                except OSError:
                    return
                self.connections += 1
                threading.Thread(target=serve, args=(conn,), daemon=True).start()

        self._thread = threading.Thread(target=accept, daemon=True)

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()


def raw_response(body: bytes = b"[]", status: str = "200 OK", **headers: str) -> bytes:
    """An HTTP/1.1 response as bytes; header names from keywords (Retry_After: Retry-After)."""
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
    lines += [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
