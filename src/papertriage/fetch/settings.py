"""The config sections `papertriage fetch` uses: contact, sources, categories, urls, http, complete.

Defaults, validation (errors name the file and the key), the environment overrides of
the base URLs, and the commented starter file that `papertriage config init` writes.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..config import check_keys, load_config
from ..errors import ConfigError
from .http import HttpSettings

DEFAULT_URLS = {
    "hf": "https://huggingface.co",
    "arxiv_api": "https://export.arxiv.org/api/query",
    "arxiv_rss": "https://rss.arxiv.org/rss",
}
ENV_URLS = {
    "hf": "PAPERTRIAGE_HF_URL",
    "arxiv_api": "PAPERTRIAGE_ARXIV_API_URL",
    "arxiv_rss": "PAPERTRIAGE_ARXIV_RSS_URL",
}
ENV_COMPLETE = "PAPERTRIAGE_COMPLETE"
SOURCE_NAMES = ("hf", "arxiv")
QUERY_SOURCES = ("hf-search", "arxiv-query")
NUMBER = (int, float)
HTTP_SCHEMA: dict[str, type | tuple[type, ...]] = {
    "connect_timeout": NUMBER,
    "read_timeout": NUMBER,
    "request_deadline": NUMBER,
    "fetch_deadline": NUMBER,
    "attempts": int,
    "backoff": NUMBER,
    "max_backoff": NUMBER,
    "max_wait": NUMBER,
    "max_bytes": int,
    "page_size": int,
    "max_pages": int,
    "max_results": int,
}
PAGING_DEFAULTS = {"page_size": 100, "max_pages": 10, "max_results": 100}
# The largest value each takes: beyond these a setting means nothing useful, and a
# number of thousands of digits would fail as a float (a day in seconds is plenty).
DAY = 86_400
HTTP_MAXIMA: dict[str, int] = {
    "connect_timeout": DAY,
    "read_timeout": DAY,
    "request_deadline": DAY,
    "fetch_deadline": 7 * DAY,
    "attempts": 100,
    "backoff": DAY,
    "max_backoff": DAY,
    "max_wait": DAY,
    "max_bytes": 10**10,
    "page_size": 100,  # Hugging Face's limit
    "max_pages": 10_000,
    "max_results": 100_000,
}
MAX_URL = 2000  # characters in a base URL (httpx refuses URLs over 64 kB in all)
MAX_CONTACT = 200


@dataclass(frozen=True)
class SourceSpec:
    name: str
    query: str | None = None

    def __str__(self) -> str:
        return f"{self.name} {self.query!r}" if self.query else self.name


@dataclass
class FetchSettings:
    urls: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_URLS))
    categories: list[str] = field(default_factory=list)
    sources: list[SourceSpec] = field(default_factory=lambda: [SourceSpec("hf")])
    http: HttpSettings = field(default_factory=HttpSettings)
    page_size: int = PAGING_DEFAULTS["page_size"]
    max_pages: int = PAGING_DEFAULTS["max_pages"]
    max_results: int = PAGING_DEFAULTS["max_results"]
    complete: bool = True  # complete HF papers from the arXiv API after a fetch
    path: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The settings in effect, shaped like the config file (for `config show`)."""
        http = {k: v for k, v in asdict(self.http).items() if k != "contact"}
        http.update(page_size=self.page_size, max_pages=self.max_pages)
        http["max_results"] = self.max_results
        sources: list[Any] = [
            s.name if s.query is None else {s.name: s.query} for s in self.sources
        ]
        return {
            "contact": self.http.contact,
            "sources": sources,
            "categories": list(self.categories),
            "urls": dict(self.urls),
            "http": http,
            "complete": self.complete,
        }


def load_fetch_settings(config: dict[str, Any] | None = None) -> FetchSettings:
    """The validated fetch settings from the config file (or a loaded config)."""
    config = load_config() if config is None else config
    path = str(config.get("_path", "config"))
    contact = config.get("contact")
    if contact is not None and (
        not contact.isprintable() or not contact.isascii() or len(contact) > MAX_CONTACT
    ):
        raise ConfigError(
            f"{path}: 'contact' should be printable ASCII (an e-mail or URL), "
            f"at most {MAX_CONTACT} characters"
        )
    http_conf = dict(config.get("http") or {})
    check_keys(path, "http", http_conf, HTTP_SCHEMA)
    for key, value in http_conf.items():
        if value is not None:
            _check_number(path, key, value)
    http_conf = {k: v for k, v in http_conf.items() if v is not None}
    paging = {k: http_conf.pop(k, v) for k, v in PAGING_DEFAULTS.items()}
    values: dict[str, Any] = {
        k: v if k in ("attempts", "max_bytes") else float(v) for k, v in http_conf.items()
    }
    http = HttpSettings(**values, contact=contact)
    return FetchSettings(
        urls=_urls(path, config.get("urls") or {}),
        categories=_categories(path, config.get("categories")),
        sources=_sources(path, config.get("sources")),
        http=http,
        complete=_complete(config.get("complete")),
        path=config.get("_path"),
        **paging,
    )


def _check_number(path: str, key: str, value: float) -> None:
    """Positive, finite (YAML's .nan and .inf are floats) and at most HTTP_MAXIMA[key]."""
    where = f"{path}: 'http.{key}'"
    if (isinstance(value, float) and not math.isfinite(value)) or value <= 0:
        raise ConfigError(f"{where} should be a positive number, not {_number(value)}")
    top = HTTP_MAXIMA[key]
    if value > top:
        why = " (Hugging Face's limit)" if key == "page_size" else ""
        raise ConfigError(f"{where} is at most {top}{why}, not {_number(value)}")


def _number(value: float) -> str:
    if isinstance(value, int) and abs(value) >= 10**15:
        sign = "a negative" if value < 0 else "a"
        return f"{sign} number of {len(str(abs(value)))} digits"
    return str(value)


def check_http_url(where: str, value: str) -> str:
    """A base URL httpx accepts once a path and a query are added, or a ConfigError."""
    if len(value) > MAX_URL:
        raise ConfigError(
            f"{where} is {len(value)} characters long; a base URL has at most {MAX_URL}"
        )
    shown = repr(value) if len(value) <= 100 else repr(value[:100]) + "…"
    if not value.isascii() or not value.isprintable() or " " in value:
        raise ConfigError(
            f"{where} should be an http(s) URL of printable ASCII without spaces "
            f"(punycode for an international host name), not {shown}"
        )
    try:
        parts = urlsplit(value)
        host, _ = parts.hostname, parts.port  # reading port checks it ('host:80x')
    except ValueError as exc:
        raise ConfigError(f"{where} is not a valid URL ({exc}): {shown}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"{where} should be an http(s) URL, not {shown}")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ConfigError(f"{where} is a base URL: no ?query or #fragment, not {shown}")
    import httpx  # the client's own parser has the last word (with a path, as requested)

    try:
        httpx.URL(value.rstrip("/") + "/api")
    except httpx.InvalidURL as exc:
        raise ConfigError(f"{where} is not a valid URL ({exc}): {shown}") from None
    return value.rstrip("/")


def _urls(path: str, conf: dict[str, Any]) -> dict[str, str]:
    check_keys(path, "urls", conf, dict.fromkeys(DEFAULT_URLS, str))
    urls = dict(DEFAULT_URLS)
    for key, value in conf.items():
        if value is not None:
            urls[key] = check_http_url(f"{path}: 'urls.{key}'", value)
    for key, env in ENV_URLS.items():
        if os.environ.get(env):
            urls[key] = check_http_url(f"${env}", os.environ[env])
    return urls


def _complete(conf: bool | None) -> bool:
    """The config's `complete` (default true); $PAPERTRIAGE_COMPLETE=0/1 overrides it."""
    env = os.environ.get(ENV_COMPLETE, "").strip().lower()
    if env:
        if env not in ("0", "1", "false", "true", "no", "yes"):
            raise ConfigError(f"${ENV_COMPLETE} should be 0 or 1, not {env!r}")
        return env in ("1", "true", "yes")
    return True if conf is None else conf


def _categories(path: str, conf: Any) -> list[str]:
    from ..sources.arxiv_api import is_category

    out: list[str] = []
    for n, value in enumerate(conf or []):
        if not isinstance(value, str) or not is_category(value.strip()):
            raise ConfigError(
                f"{path}: 'categories[{n}]' should be an arXiv category like cs.LG, not {value!r}"
            )
        out.append(value.strip())
    return out


def _sources(path: str, conf: Any) -> list[SourceSpec]:
    if conf is None:
        return [SourceSpec("hf")]
    out: list[SourceSpec] = []
    for n, value in enumerate(conf):
        if isinstance(value, str) and value in SOURCE_NAMES:
            out.append(SourceSpec(value))
        elif (
            isinstance(value, dict)
            and len(value) == 1
            and next(iter(value)) in QUERY_SOURCES
            and isinstance(next(iter(value.values())), str)
            and next(iter(value.values())).strip()
        ):
            name, query = next(iter(value.items()))
            out.append(SourceSpec(name, query.strip()))
        else:
            raise ConfigError(
                f"{path}: 'sources[{n}]' should be hf, arxiv, "
                f"{{hf-search: QUERY}} or {{arxiv-query: QUERY}}, not {value!r}"
            )
    return out


STARTER = """\
# papertriage config. `papertriage config show` prints the settings in effect;
# examples/config.yaml in the source tree documents every key.

# An e-mail or URL added to the User-Agent, so the services can reach you.
# contact: you@example.org

# What `papertriage fetch` fetches with no arguments.
sources:
  - hf                     # Hugging Face Daily Papers, today
  # - arxiv                # today's arXiv announcements for `categories` (RSS)
  # - hf-search: "diffusion transformers"
  # - arxiv-query: "cat:cs.LG AND abs:agents"

# arXiv categories for the `arxiv` source, fetched in one request.
# categories: [cs.LG, cs.CL]

# Base URLs (mirrors, local servers). Environment variables override these:
# PAPERTRIAGE_HF_URL, PAPERTRIAGE_ARXIV_API_URL, PAPERTRIAGE_ARXIV_RSS_URL.
# urls:
#   hf: https://huggingface.co
#   arxiv_api: https://export.arxiv.org/api/query
#   arxiv_rss: https://rss.arxiv.org/rss

# After a fetch, look up the fetched Hugging Face papers that lack arXiv metadata
# (categories, comment, journal_ref, doi, versions) in the arXiv API: one request
# per 100 papers, 3 s apart. `fetch --no-complete` skips it once; this, always.
# $PAPERTRIAGE_COMPLETE=0 or 1 overrides it.
# complete: true

# Timeouts (seconds), retries and paging.
# http:
#   connect_timeout: 10
#   read_timeout: 30
#   request_deadline: 60
#   fetch_deadline: 1800
#   attempts: 4
#   backoff: 2
#   max_backoff: 60
#   max_wait: 300
#   max_bytes: 50000000
#   page_size: 100
#   max_pages: 10
#   max_results: 100
"""
