"""The shared HTTP client: spacing, retries, Retry-After, timeouts, size cap, User-Agent."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fetch_helpers import FakeClock, RawServer, fixture_bytes, raw_response
from fuzzing import FUZZ
from papertriage.errors import FetchError
from papertriage.fetch.http import (
    Fetcher,
    HttpSettings,
    ServiceError,
    UnexpectedResponse,
    group_for,
    make_client,
    retry_after,
    user_agent,
)

API = "https://export.arxiv.org/api/query"
RSS = "https://rss.arxiv.org/rss/cs.LG"
HF = "https://huggingface.co/api/daily_papers"


@pytest.fixture
def clock():
    return FakeClock()


def make(clock, **settings):
    return Fetcher(HttpSettings(**settings), clock=clock, rng=random.Random(7))


def test_arxiv_hosts_share_one_three_second_spacing(httpx_mock, clock):
    httpx_mock.add_response(url=RSS, content=b"<rss/>")
    httpx_mock.add_response(url=f"{API}?id_list=2604.22002", content=b"<feed/>")
    httpx_mock.add_response(url=f"{HF}?date=2026-04-27", json=[])
    with make(clock) as f:
        f.get(RSS)
        at_first_end = clock.now
        f.get(API, {"id_list": "2604.22002"})
        f.get(HF, {"date": "2026-04-27"})  # another host: no wait
    assert clock.sleeps == [3.0]
    assert clock.now - at_first_end == 3.0
    assert group_for(RSS) == group_for(API) == "arxiv"
    assert group_for(HF) == "huggingface.co"


def test_an_explicit_group_spaces_a_mirror_like_arxiv(httpx_mock, clock):
    httpx_mock.add_response(url="http://127.0.0.1:9/rss/cs.LG", content=b"<rss/>", is_reusable=True)
    with make(clock) as f:
        for _ in range(3):
            f.get("http://127.0.0.1:9/rss/cs.LG", group="arxiv")
    assert clock.sleeps == [3.0, 3.0]


def test_429_waits_for_retry_after_then_succeeds(httpx_mock, clock):
    httpx_mock.add_response(url=HF, status_code=429, headers={"Retry-After": "7"})
    httpx_mock.add_response(url=HF, json=[{"paper": {"id": "2401.00001"}}])
    with make(clock) as f:
        reply = f.get(HF)
    assert reply.status == 200 and reply.attempts == 2
    assert clock.sleeps == [7.0]


def test_503_with_the_recorded_throttle_page_then_success(httpx_mock, clock):
    page = fixture_bytes("arxiv_oai/ListRecords_503_retry_after.html")
    httpx_mock.add_response(
        url=API,
        status_code=503,
        content=page,
        headers={"Retry-After": "10", "Content-Type": "text/html"},
    )
    httpx_mock.add_response(url=API, content=b"<feed/>")
    with make(clock) as f:
        reply = f.get(API)
    assert reply.body == b"<feed/>"
    # The 10 s the server asked for, not the 3 s arXiv spacing on top of it.
    assert clock.sleeps == [10.0]


def test_5xx_without_retry_after_backs_off_exponentially_with_jitter(httpx_mock, clock):
    for _ in range(3):
        httpx_mock.add_response(url=HF, status_code=502)
    httpx_mock.add_response(url=HF, json=[])
    with make(clock, backoff=2.0) as f:
        f.get(HF)
    first, second, third = clock.sleeps
    assert 1.0 <= first <= 2.0 and 2.0 <= second <= 4.0 and 4.0 <= third <= 8.0


def test_attempts_are_bounded_and_the_error_names_url_and_status(httpx_mock, clock):
    httpx_mock.add_response(url=f"{HF}?date=2026-04-27", status_code=503, is_reusable=True)
    with make(clock, attempts=3) as f, pytest.raises(ServiceError) as err:
        f.get(HF, {"date": "2026-04-27"})
    assert str(err.value) == (
        "service error: HTTP 503 after 3 attempts: GET https://huggingface.co/api/daily_papers?date=2026-04-27"
    )
    assert err.value.status == 503
    assert len(httpx_mock.get_requests()) == 3


def test_timeouts_are_retried_then_reported(httpx_mock, clock):
    httpx_mock.add_exception(httpx.ReadTimeout("read timed out"), url=HF)
    httpx_mock.add_response(url=HF, json=[])
    with make(clock) as f:
        assert f.get(HF).status == 200
    httpx_mock.add_exception(httpx.ConnectTimeout("connect timed out"), url=HF, is_reusable=True)
    with (
        make(clock, attempts=2) as f,
        pytest.raises(ServiceError, match=r"timed out \(ConnectTimeout\) after 2 attempts"),
    ):
        f.get(HF)


def test_connection_errors_are_retried(httpx_mock, clock):
    httpx_mock.add_exception(httpx.ConnectError("connection refused"), url=HF)
    httpx_mock.add_response(url=HF, json=[])
    with make(clock) as f:
        assert f.get(HF).attempts == 2


def test_a_retry_after_longer_than_max_wait_fails_at_once(httpx_mock, clock):
    httpx_mock.add_response(url=HF, status_code=429, headers={"Retry-After": "3600"})
    with (
        make(clock, max_wait=300) as f,
        pytest.raises(ServiceError, match="asked to retry after 3600 s"),
    ):
        f.get(HF)
    assert clock.sleeps == []


def test_404_is_returned_not_retried(httpx_mock, clock):
    httpx_mock.add_response(url=HF, status_code=404, json={"error": "Not Found"})
    with make(clock) as f:
        assert f.get(HF).status == 404
    assert len(httpx_mock.get_requests()) == 1


def test_body_size_is_capped(httpx_mock, clock):
    httpx_mock.add_response(url=HF, content=b"[" + b" " * 5000 + b"]")
    with make(clock, max_bytes=1000) as f, pytest.raises(UnexpectedResponse, match="max_bytes"):
        f.get(HF)


def test_only_http_urls(clock):
    with make(clock) as f, pytest.raises(FetchError, match="not an http"):
        f.get("file:///etc/passwd")


def test_user_agent_names_version_and_contact(httpx_mock, clock):
    httpx_mock.add_response(url=HF, json=[])
    with make(clock, contact="me@example.org") as f:
        f.get(HF)
    assert httpx_mock.get_request().headers["User-Agent"] == "papertriage/0.1.0 (+me@example.org)"
    assert user_agent(None) == "papertriage/0.1.0"


def test_hugging_face_ratelimit_header_at_zero_delays_the_next_request(httpx_mock, clock):
    httpx_mock.add_response(url=HF, json=[], headers={"RateLimit": '"api";r=0;t=20'})
    httpx_mock.add_response(url=HF, json=[], headers={"RateLimit": '"api";r=499;t=280'})
    httpx_mock.add_response(url=HF, json=[])
    with make(clock) as f:
        f.get(HF)
        f.get(HF)
        f.get(HF)
    assert clock.sleeps == [20.0]


def test_retry_after_forms():
    now = datetime(2026, 4, 27, 12, 0, 0, tzinfo=UTC)
    assert retry_after({"retry-after": "10"}) == 10.0
    assert retry_after({"retry-after": "Mon, 27 Apr 2026 12:00:30 GMT"}, now) == 30.0
    assert retry_after({"ratelimit": '"api";r=0;t=55'}) == 55.0
    assert retry_after({}) is None


# ---- deadlines: a server that drips cannot hold a request or a fetch ------------------

DRIP = raw_response(b"[" + b" " * 2000 + b"]", X_Padding="x" * 200)


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_dripping_server_is_cut_off_at_the_request_deadline(where):
    # One byte every 10 ms: each read returns well within read_timeout, so only the
    # deadline can end it. Dripped in full, the headers would take 2 s, the body 20 s.
    at_once = DRIP.index(b"\r\n\r\n") + 4 if where == "body" else 0
    with RawServer(DRIP, chunk=1, interval=0.01, at_once=at_once) as server:
        settings = HttpSettings(request_deadline=0.3, read_timeout=5, attempts=1)
        with Fetcher(settings) as f, pytest.raises(ServiceError) as err:
            f.get(server.url + "/api/daily_papers")
    assert "no complete response within http.request_deadline (0.3 s)" in str(err.value)
    assert server.sent < at_once + 100  # cut off after about 30 bytes, not served in full


def test_the_fetch_deadline_bounds_every_attempt_and_what_follows():
    with RawServer(DRIP, chunk=1, interval=0.01) as server:
        settings = HttpSettings(request_deadline=30, fetch_deadline=0.4, attempts=4)
        with Fetcher(settings) as f:
            with pytest.raises(ServiceError, match=r"stopped at http.fetch_deadline \(0.4 s\)"):
                f.get(server.url + "/a")
            with pytest.raises(ServiceError, match="not requested: the fetch reached"):
                f.get(server.url + "/b")
    assert server.connections == 1  # no retry after the bound, no second request


def test_waits_that_would_pass_the_fetch_deadline_fail_at_once(httpx_mock, clock):
    httpx_mock.add_response(
        url=HF, status_code=429, headers={"Retry-After": "100"}, is_reusable=True
    )
    with (
        make(clock, fetch_deadline=250, max_wait=300) as f,
        pytest.raises(ServiceError, match=r"waiting 100 s .* would pass http.fetch_deadline"),
    ):
        f.get(HF)
    assert clock.sleeps == [100.0, 100.0]
    assert len(httpx_mock.get_requests()) == 3


def test_the_body_is_read_against_the_deadline_on_the_fetchers_clock(clock):
    def dribble():
        for _ in range(100):
            clock.now += 1.0  # each chunk "takes" a second
            yield b" "

    client = httpx.Client(
        transport=httpx.MockTransport(lambda r: httpx.Response(200, content=dribble()))
    )
    settings = HttpSettings(request_deadline=10, attempts=2)
    with Fetcher(settings, client=client, clock=clock, rng=random.Random(7)) as f:
        with pytest.raises(ServiceError, match=r"request_deadline \(10 s\) after 2 attempts"):
            f.get(HF)


def test_the_client_bounds_its_connection_pools():
    from papertriage.fetch.deadline import Budget, bound

    with make_client(HttpSettings()) as client:
        assert bound(client, Budget()) == 1  # the default pool: bound when made
    assert bound(make_client(HttpSettings()), Budget()) == 1


# ---- hostile headers and URLs -----------------------------------------------------------

HUGE = "9" * 5000
HOSTILE_HEADERS = [
    {"Retry-After": HUGE},
    {"Retry-After": "-" + HUGE},
    {"Retry-After": "Mon, 99 Foo 99999 99:99:99 GMT"},
    {"RateLimit": f'"api";r=0;t={HUGE}'},
    {"RateLimit": f'"api";r={HUGE};t=1'},
    {"RateLimit": '"api";r=0;t=-1'},
    {"Content-Length": HUGE},
]


@pytest.mark.parametrize("status", ["200 OK", "429 Too Many Requests", "503 Unavailable"])
@pytest.mark.parametrize("headers", HOSTILE_HEADERS, ids=lambda h: next(iter(h)))
def test_hostile_headers_from_a_real_server_give_a_reply_or_one_line(status, headers):
    names = {k.replace("-", "_"): v for k, v in headers.items()}
    with RawServer(raw_response(b"[]", status, **names)) as server:
        settings = HttpSettings(attempts=2, max_wait=5, fetch_deadline=10, request_deadline=2)
        clock = FakeClock()
        with Fetcher(settings, clock=clock) as f:
            try:
                reply = f.get(server.url + "/api/daily_papers")
            except FetchError as exc:
                assert "\n" not in str(exc) and len(str(exc)) < 400
            else:
                assert reply.status == 200
    assert sum(clock.sleeps) <= 10


HEADER_TEXT = st.sampled_from(
    ["", "0", "1", HUGE, "-1", "1e9", "nan", "inf", "²", "t=", "r=0", ";", "GMT"]
) | st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30)


@FUZZ
@given(
    status=st.sampled_from([200, 304, 400, 429, 500, 503]),
    retry=st.lists(HEADER_TEXT, max_size=3).map("".join),
    limit=st.lists(HEADER_TEXT | st.sampled_from(['"api";', "r=", ";t="]), max_size=5).map("".join),
    length=HEADER_TEXT,
)
def test_any_header_values_give_a_reply_or_a_one_line_error(status, retry, limit, length):
    headers = {"Retry-After": retry, "RateLimit": limit}
    if length.isascii() and length.isdigit():
        headers["Content-Length"] = length

    def answer(request):
        raw = {k: v.encode("latin-1") for k, v in headers.items()}  # as on the wire
        return httpx.Response(status, headers=raw, content=b"[]")

    clock = FakeClock()
    client = httpx.Client(transport=httpx.MockTransport(answer))
    settings = HttpSettings(attempts=3, max_wait=60, fetch_deadline=300)
    with Fetcher(settings, client=client, clock=clock, rng=random.Random(1)) as f:
        try:
            reply = f.get(HF)
        except FetchError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 400
        else:
            assert reply.status == status
    assert sum(clock.sleeps) <= 300
    assert retry_after(headers) is None or retry_after(headers) >= 0


@pytest.mark.parametrize(
    "url",
    [
        "http://[",
        "http://localhost:notaport",
        "http://huggingface.co:80x",
        "http://a.org/" + "a" * 70_000,
    ],
)
def test_an_unusable_url_is_a_fetch_error(clock, url):
    with make(clock) as f, pytest.raises(FetchError) as err:
        f.get(url, {"q": "x"})
    assert "\n" not in str(err.value) and len(str(err.value)) < 400
