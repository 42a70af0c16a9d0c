"""The one HTTP client papertriage uses: polite, bounded and testable.

- One ``httpx.Client``: connect/read timeouts, a User-Agent naming papertriage, its
  version and the config's contact, redirects followed, only http/https URLs.
- Retries with exponential backoff and jitter on connection errors, timeouts, 429 and
  5xx, honoring ``Retry-After`` (seconds or a date) and Hugging Face's ``RateLimit``
  header (``"api";r=0;t=55``); a bounded number of attempts, then a ServiceError.
- Spacing per group of hosts: every arXiv request of a run shares the group "arxiv",
  with at least 3 s from the end of one response to the start of the next (arXiv's
  API terms). Requests are sequential, so there is one connection at a time.
- A cap on the body size, read as a stream.
- Deadlines: each attempt must complete (connect, headers, body) within
  ``request_deadline`` seconds, enforced on every socket operation (deadline.py), so a
  server dripping a byte at a time cannot hold it; a whole fetch (every request, retry
  and wait of one Fetcher) ends by ``fetch_deadline``, so a fetch never holds the fetch
  lock for longer than that.
- Hostile headers are read safely: a Retry-After, RateLimit or Content-Length with
  thousands of digits is a very long number, not a crash.

The clock (monotonic time + sleep) and the random source are injected, so tests
check the waits without sleeping.
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from .. import __version__
from ..errors import FetchError, ServiceError, UnexpectedResponse

ARXIV_GROUP = "arxiv"
GROUP_INTERVALS = {ARXIV_GROUP: 3.0}
_RATELIMIT_T = re.compile(r"(?:^|;)\s*t=(\d+)")
_RATELIMIT_R = re.compile(r"(?:^|;)\s*r=(\d+)")
_LONGEST_NUMBER = 12  # digits read from a header; a longer number is taken as infinite


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    request_deadline: float = 60.0  # one attempt, connect to last byte
    fetch_deadline: float = 1800.0  # everything one Fetcher does
    attempts: int = 4
    backoff: float = 2.0
    max_backoff: float = 60.0
    max_wait: float = 300.0
    max_bytes: int = 50_000_000
    contact: str | None = None


@dataclass(frozen=True)
class Reply:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    attempts: int = 1

    @property
    def content_type(self) -> str:
        return (self.headers.get("content-type") or "").split(";")[0].strip().lower()


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def system_clock() -> Clock:
    """The clock Fetcher uses when none is given (tests replace this function)."""
    return SystemClock()


# Called with (seconds, reason) before each wait longer than a moment.
WaitHook = Callable[[float, str], None]


def user_agent(contact: str | None) -> str:
    return f"papertriage/{__version__}" + (f" (+{contact})" if contact else "")


def check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (reading it checks it: ValueError for 'host:80x')
    except ValueError as exc:
        raise FetchError(f"{_clip(url)}: not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(f"{_clip(url)}: not an http(s) URL")


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"


def group_for(url: str) -> str:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # not a URL: check_url says so
        host = ""
    return ARXIV_GROUP if host == "arxiv.org" or host.endswith(".arxiv.org") else host


def make_client(settings: HttpSettings, transport: Any = None, budget: Any = None) -> Any:
    """The shared httpx.Client (imported here: the CLI starts without httpx); with a
    deadline.Budget, every connection it opens keeps to that budget."""
    import httpx

    client = httpx.Client(
        timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
        headers={"User-Agent": user_agent(settings.contact)},
        follow_redirects=True,
        max_redirects=5,
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        transport=transport,
    )
    if budget is not None:
        from .deadline import bound

        bound(client, budget)
    return client


class Spacer:
    """When the next request of each group may start."""

    def __init__(self, clock: Clock, on_wait: WaitHook | None = None) -> None:
        self.clock = clock
        self.on_wait = on_wait
        self._ready_at: dict[str, float] = {}

    def hold(self, group: str, seconds: float) -> None:
        ready = self.clock.monotonic() + seconds
        self._ready_at[group] = max(self._ready_at.get(group, 0.0), ready)

    def delay(self, group: str) -> float:
        return self._ready_at.get(group, 0.0) - self.clock.monotonic()

    def wait(self, group: str, reason: str) -> None:
        delay = self.delay(group)
        if delay > 0:
            if self.on_wait and delay >= 1:
                self.on_wait(delay, reason)
            self.clock.sleep(delay)


class Fetcher:
    """GET with retries, spacing, a size cap and deadlines; one instance per fetch run.

    The fetch's time bound (``fetch_deadline``) starts when the Fetcher is made."""

    def __init__(
        self,
        settings: HttpSettings | None = None,
        client: Any = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        on_wait: WaitHook | None = None,
    ) -> None:
        self.settings = settings or HttpSettings()
        self._budget = _new_budget() if client is None else None
        self.client = client or make_client(self.settings, budget=self._budget)
        self.clock = clock or system_clock()
        self.rng = rng or random.Random()
        self.spacer = Spacer(self.clock, on_wait)
        self.requests = 0
        self._fetch_end = self.clock.monotonic() + self.settings.fetch_deadline
        self._attempt_end = math.inf
        self._cut_by_fetch = False

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    def get(
        self,
        url: str,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        group: str | None = None,
        *,
        method: str = "GET",
        content: bytes | None = None,
    ) -> Reply:
        """The final reply: 2xx, 304 or a status not worth retrying. Raises ServiceError.
        (`method`/`content`: the same retries and limits for a POST, see ``post``.)"""
        import httpx

        check_url(url)
        group = group or group_for(url)
        shown = _shown_url(url, params)
        attempts = max(1, self.settings.attempts)
        reason = "spacing requests"
        for attempt in range(1, attempts + 1):
            self._start_attempt(group, reason, shown)
            delay: float | None = None
            try:
                reply = self._once(url, params, headers, attempt, method, content)
            except httpx.TimeoutException as exc:
                problem, status = f"timed out ({type(exc).__name__})", None
                if _is_deadline(exc):
                    problem = self._overrun(shown)
            except (httpx.UnsupportedProtocol, httpx.TooManyRedirects) as exc:
                raise ServiceError(shown, str(exc)) from None
            except httpx.TransportError as exc:
                problem, status = f"connection failed ({exc or type(exc).__name__})", None
            except httpx.DecodingError as exc:
                raise UnexpectedResponse(shown, f"undecodable body ({exc})") from None
            except httpx.InvalidURL as exc:  # a redirect to one, say
                raise ServiceError(shown, f"service error: invalid URL ({exc})") from None
            except httpx.HTTPError as exc:  # whatever else httpx may raise: this URL fails
                raise ServiceError(shown, f"service error: {type(exc).__name__}: {exc}") from None
            else:
                self._note_rate_limit(group, reply.headers)
                if reply.status != 429 and reply.status < 500:
                    self.spacer.hold(group, GROUP_INTERVALS.get(group, 0.0))
                    return reply
                problem, status = f"HTTP {reply.status}", reply.status
                delay = retry_after(reply.headers)
            finally:
                self.requests += 1
                self._end_attempt()
            self.spacer.hold(group, GROUP_INTERVALS.get(group, 0.0))
            if attempt == attempts:
                tries = f" after {attempts} attempts" if attempts > 1 else ""
                raise ServiceError(shown, f"service error: {problem}{tries}", status)
            if delay is None:
                delay = self._backoff(attempt)
                reason = f"{problem}; retrying"
            else:
                reason = f"{problem}; the service asked to wait"
            if delay > self.settings.max_wait:
                raise ServiceError(
                    shown,
                    f"service error: {problem}, asked to retry after {_seconds(delay)} "
                    f"(more than http.max_wait {self.settings.max_wait:.0f} s)",
                    status,
                )
            self.spacer.hold(group, delay)
        raise AssertionError("unreachable")

    def _start_attempt(self, group: str, reason: str, shown: str) -> None:
        """Wait for the group's turn, then start the attempt's clock: the request's
        deadline, or what is left of the fetch's if that ends first."""
        bound = self.settings.fetch_deadline
        delay = max(0.0, self.spacer.delay(group))
        left = self._fetch_end - self.clock.monotonic()
        if left <= 0:
            raise ServiceError(
                shown,
                f"service error: not requested: the fetch reached http.fetch_deadline ({bound:g} s)",
            )
        if delay >= left:
            raise ServiceError(
                shown,
                f"service error: not requested: waiting {_seconds(delay)} ({reason}) "
                f"would pass http.fetch_deadline ({bound:g} s)",
            )
        self.spacer.wait(group, reason)
        left = self._fetch_end - self.clock.monotonic()
        budget = min(self.settings.request_deadline, left)
        self._cut_by_fetch = left < self.settings.request_deadline
        self._attempt_end = self.clock.monotonic() + budget
        if self._budget is not None:
            self._budget.start(budget)

    def _end_attempt(self) -> None:
        self._attempt_end = math.inf
        if self._budget is not None:
            self._budget.stop()

    def _overrun(self, shown: str) -> str:
        """What an attempt that ran out of time is: a timeout, or the end of the fetch."""
        if self._cut_by_fetch:
            raise ServiceError(
                shown,
                f"service error: stopped at http.fetch_deadline ({self.settings.fetch_deadline:g} s),"
                " the bound on a whole fetch",
            )
        return f"no complete response within http.request_deadline ({self.settings.request_deadline:g} s)"

    def _once(
        self,
        url: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str] | None,
        attempt: int,
        method: str = "GET",
        content: bytes | None = None,
    ) -> Reply:
        limit = self.settings.max_bytes
        with self.client.stream(
            method, url, params=params, headers=headers, content=content
        ) as resp:
            shown = str(resp.url)
            size = resp.headers.get("content-length")
            if size and size.isascii() and size.isdigit() and _number(size) > limit:
                raise UnexpectedResponse(
                    shown, f"response of {_clip(size, 20)} bytes exceeds http.max_bytes"
                )
            body = bytearray()
            for chunk in resp.iter_bytes():
                body += chunk
                if self.clock.monotonic() >= self._attempt_end:  # (the sockets check it too)
                    _deadline_passed()
                if len(body) > limit:
                    raise UnexpectedResponse(
                        shown, f"response larger than http.max_bytes ({limit} bytes)"
                    )
            return Reply(shown, resp.status_code, resp.headers, bytes(body), attempt)

    def post(self, url: str, content: bytes, headers: Mapping[str, str]) -> Reply:
        """POST with the retries, spacing and limits of `get` (a webhook delivery)."""
        return self.get(url, None, headers, method="POST", content=content)

    def _backoff(self, attempt: int) -> float:
        base = min(self.settings.max_backoff, self.settings.backoff * 2 ** (attempt - 1))
        return float(
            base * (0.5 + self.rng.random() / 2)
        )  # "equal jitter": half fixed, half random

    def _note_rate_limit(self, group: str, headers: Mapping[str, str]) -> None:
        """Hugging Face says how many calls are left in the window: at 0, wait for the reset."""
        value = headers.get("ratelimit")
        if not value:
            return
        left, reset = _RATELIMIT_R.search(value), _RATELIMIT_T.search(value)
        if left and reset and _number(left.group(1)) == 0:
            self.spacer.hold(group, min(_number(reset.group(1)), self.settings.max_wait))


def retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Seconds to wait from Retry-After (seconds or HTTP date) or RateLimit's t=, if given."""
    value = (headers.get("retry-after") or "").strip()
    if value.isascii() and value.isdigit():  # '²'.isdigit() is True, float('²') fails
        return _number(value)
    if value:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
    m = _RATELIMIT_T.search(headers.get("ratelimit") or "")
    return _number(m.group(1)) if m else None


def _number(digits: str) -> float:
    """A header's run of ASCII digits as a number; past a dozen digits, infinity (int()
    refuses over 4,300 digits, and no wait or size that long means anything)."""
    return float(digits) if len(digits) <= _LONGEST_NUMBER else math.inf


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value < 10**_LONGEST_NUMBER else "an unbounded time"


def _deadline_passed() -> None:
    import httpx

    from .deadline import DEADLINE

    raise httpx.ReadTimeout(DEADLINE)


def _is_deadline(exc: Exception) -> bool:
    from .deadline import DEADLINE

    return str(exc) == DEADLINE


def _new_budget() -> Any:
    from .deadline import Budget

    return Budget()


def _shown_url(url: str, params: Mapping[str, str] | None) -> str:
    """The URL with its query, as requested; one httpx refuses is a FetchError."""
    import httpx

    try:
        return str(httpx.URL(url, params=params))
    except httpx.InvalidURL as exc:
        raise FetchError(f"{_clip(url)}: not a usable URL ({exc})") from None
