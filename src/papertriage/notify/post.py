"""`digest --post URL`: the digest to a webhook, through the fetch's HTTP client (the
same timeouts, retries and size cap; fetch/http.py).

Formats: `json`, a generic body (title, day, the Markdown, the papers with the watch
that listed them); `ntfy`, the Markdown as the message with ntfy's Title and Markdown
headers; `slack`, {"text": ...} in Slack's mrkdwn, which Slack-compatible incoming
webhooks (Mattermost, Rocket.Chat, Discord's /slack endpoint) take. Any 2xx is
delivered; anything else is a DeliveryError.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from email.header import Header
from typing import Any

from ..errors import DeliveryError, FetchError
from ..fetch.http import Fetcher, HttpSettings
from .markdown import to_slack

FORMATS = ("json", "ntfy", "slack")


def body(
    fmt: str, markdown: str, subject: str, facts: dict[str, Any]
) -> tuple[bytes, dict[str, str]]:
    """The request body and headers of one format."""
    if fmt == "ntfy":
        title = subject if subject.isascii() else Header(subject, "utf-8").encode()
        headers = {"Title": title, "Markdown": "yes", "Tags": "newspaper",
                   "Content-Type": "text/markdown; charset=utf-8"}  # fmt: skip
        return markdown.encode(), headers
    if fmt == "slack":
        data: dict[str, Any] = {"text": to_slack(markdown)}
    elif fmt == "json":
        data = {"title": subject, **facts, "markdown": markdown}
    else:
        raise DeliveryError(f"unknown post format {fmt!r}: one of {', '.join(FORMATS)}")
    return json.dumps(data, ensure_ascii=False).encode(), {"Content-Type": "application/json"}


def post_digest(
    url: str,
    fmt: str,
    markdown: str,
    subject: str,
    facts: dict[str, Any],
    http: HttpSettings | None = None,
    client: Any = None,
) -> int:
    """POST the digest; returns the HTTP status (2xx), else raises DeliveryError."""
    content, headers = body(fmt, markdown, subject, facts)
    try:
        with Fetcher(http, client=client) as fetcher:
            reply = fetcher.post(url, content, headers)
    except FetchError as exc:
        reason = str(exc).rsplit(": GET ", 1)[0]
        raise DeliveryError(f"POST {url}: {reason}") from None
    if not 200 <= reply.status < 300:
        text = reply.body[:200].decode(errors="replace").strip().splitlines()
        raise DeliveryError(f"POST {url}: HTTP {reply.status}" + (f" ({text[0]})" if text else ""))
    return reply.status


def facts_of(digest: Any) -> dict[str, Any]:
    """The generic body's fields of a digest (digest/build.py's Digest)."""
    papers: list[dict[str, Any]] = []
    for section in digest.watches:
        papers += [_paper(p, section.name) for p in section.papers]
    papers += [_paper(p, None) for p in digest.top]
    return {
        "day": digest.day,
        "new": digest.new,
        "watches": {w.name: w.matched for w in digest.watches},
        "papers": papers,
    }


def _paper(p: dict[str, Any], watch: str | None) -> dict[str, Any]:
    keys: Sequence[str] = ("id", "title", "abs_url", "hf_upvotes", "primary_category")
    return {**{k: p.get(k) for k in keys}, "watch": watch}
