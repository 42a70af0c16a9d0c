"""The config sections fetch uses, and `papertriage config path|show|init`."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import FUZZ
from papertriage.config import load_config
from papertriage.errors import ConfigError
from papertriage.fetch.settings import (
    DEFAULT_URLS,
    HTTP_MAXIMA,
    HTTP_SCHEMA,
    PAGING_DEFAULTS,
    STARTER,
    SourceSpec,
    check_http_url,
    load_fetch_settings,
)

EXAMPLE = Path(__file__).parent.parent / "examples" / "config.yaml"


@pytest.fixture
def config_file(env_setup):
    path = env_setup / "home" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def settings_for(path: Path, text: str):
    path.write_text(text)
    return load_fetch_settings(load_config(path))


def test_the_example_config_is_valid_and_documents_every_key():
    settings = load_fetch_settings(load_config(EXAMPLE))
    assert settings.categories == ["cs.LG", "cs.CL"]
    assert settings.sources[2] == SourceSpec(
        "arxiv-query", 'cat:cs.LG AND abs:"reinforcement learning"'
    )
    assert settings.http.contact == "you@example.org"
    text = EXAMPLE.read_text()
    for key in [
        *HTTP_SCHEMA,
        *DEFAULT_URLS,
        "contact:",
        "sources:",
        "categories:",
        "# rank:",
    ]:
        assert re.search(rf"^\s*(# )?{re.escape(key)}", text, re.M), key
    assert "PAPERTRIAGE_HF_URL" in text and "PAPERTRIAGE_ARXIV_RSS_URL" in text


def test_defaults_without_a_file(tmp_path):
    settings = load_fetch_settings({})
    assert settings.sources == [SourceSpec("hf")]
    assert settings.urls["arxiv_rss"] == "https://rss.arxiv.org/rss"
    assert (settings.http.attempts, settings.page_size) == (4, 100)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("http:\n  retries: 3\n", "unknown key 'http.retries'"),
        ("http:\n  attempts: many\n", "'http.attempts' should be int, not str"),
        ("http:\n  attempts: 2.5\n", "'http.attempts' should be int, not float"),
        ("http:\n  read_timeout: -1\n", "'http.read_timeout' should be a positive number"),
        ("http:\n  page_size: 500\n", "'http.page_size' is at most 100"),
        (
            "urls:\n  hf: ftp://example.org\n",
            "'urls.hf' should be an http(s) URL, not 'ftp://example.org'",
        ),
        ("urls:\n  github: https://github.com\n", "unknown key 'urls.github'"),
        ("sources: [hf, kaggle]\n", "'sources[1]' should be hf, arxiv, {hf-search: QUERY}"),
        ("sources:\n  - hf-search: 3\n", "'sources[0]' should be"),
        ("categories: [cs.LG, 'not a category']\n", "'categories[1]' should be an arXiv category"),
        ('contact: "me\\n@x"\n', "'contact' should be printable ASCII"),
    ],
)
def test_errors_name_the_file_and_the_key(config_file, text, message):
    with pytest.raises(Exception) as err:
        settings_for(config_file, text)
    assert str(err.value).startswith(f"{config_file}: ")
    assert message in str(err.value)


def test_env_overrides_urls_and_is_checked(config_file, monkeypatch):
    monkeypatch.setenv("PAPERTRIAGE_ARXIV_API_URL", "http://127.0.0.1:8000/api/query/")
    settings = settings_for(
        config_file, "urls:\n  arxiv_api: https://mirror.example.org/api/query\n"
    )
    assert settings.urls["arxiv_api"] == "http://127.0.0.1:8000/api/query"
    monkeypatch.setenv("PAPERTRIAGE_HF_URL", "huggingface.co")
    with pytest.raises(Exception, match=r"\$PAPERTRIAGE_HF_URL should be an http\(s\) URL"):
        settings_for(config_file, "")


def test_config_path(cli, config_file):
    result = cli("config", "path")
    assert result.stdout.strip() == str(config_file)
    assert "no file there yet" in result.stderr


def test_config_init_writes_a_valid_starter_and_never_overwrites(cli, config_file):
    result = cli("config", "init")
    assert result.exit_code == 0
    assert config_file.read_text() == STARTER
    assert load_fetch_settings(load_config(config_file)).sources == [SourceSpec("hf")]
    config_file.write_text("contact: mine@example.org\n")
    again = cli("config", "init")
    assert again.exit_code == 1
    assert "already exists; not overwriting it" in again.stderr
    assert config_file.read_text() == "contact: mine@example.org\n"


def test_config_show_prints_the_settings_in_effect(cli, config_file, monkeypatch):
    config_file.write_text("categories: [cs.CL]\nhttp:\n  attempts: 2\nrank:\n  weights: {}\n")
    monkeypatch.setenv("PAPERTRIAGE_HF_URL", "http://127.0.0.1:9999")
    result = cli("config", "show")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"# {config_file}\n")
    data = yaml.safe_load(result.stdout)
    assert data["categories"] == ["cs.CL"]
    assert data["http"]["attempts"] == 2 and data["http"]["read_timeout"] == 30.0
    assert data["urls"]["hf"] == "http://127.0.0.1:9999"
    assert data["rank"] == {"weights": {}}
    as_json = json.loads(cli("config", "show", "--json").stdout)
    assert as_json["sources"] == ["hf"]


def test_config_show_reports_a_bad_file(cli, config_file):
    config_file.write_text("http:\n  attempts: yes\n")
    result = cli("config", "show")
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {config_file}: 'http.attempts' should be int, not bool"


def test_a_db_key_in_the_config_is_unknown(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("db: ~/papers.db\n")
    with pytest.raises(ConfigError, match="unknown key 'db'"):
        load_config(path)


# ---- hostile values: each a one-line error naming the file (or variable) and the key ----

BAD_URLS = [
    ("http://[", "not a valid URL (Invalid IPv6 URL)"),
    ("http://localhost:notaport", "not a valid URL (Port could not be cast"),
    ("http://huggingface.co:80x", "not a valid URL (Port could not be cast"),
    ("http://huggingface.co:99999", "not a valid URL (Port out of range"),
    ("http://[::1]x", "not a valid URL (Invalid port"),
    ("http://999.1.1.1", "not a valid URL (Invalid IPv4 address"),
    ("http://a.org/" + "a" * 70_000, "70013 characters long; a base URL has at most 2000"),
    ("http://a.org/\x1b[2J", "printable ASCII without spaces"),
    ("http://hugging face.co", "printable ASCII without spaces"),
    ("https://huggingface.co/?x=1", "no ?query or #fragment"),
    ("http://", "should be an http(s) URL"),
]


@pytest.mark.parametrize(("url", "message"), BAD_URLS, ids=lambda v: v[:30])
def test_bad_base_urls_are_refused_at_load(config_file, monkeypatch, url, message):
    with pytest.raises(ConfigError) as err:
        settings_for(config_file, f"urls:\n  hf: {json.dumps(url)}\n")
    assert str(err.value).startswith(f"{config_file}: 'urls.hf' ")
    assert message in str(err.value) and len(str(err.value)) < 400
    config_file.write_text("")
    monkeypatch.setenv("PAPERTRIAGE_ARXIV_RSS_URL", url)
    with pytest.raises(ConfigError, match=r"^\$PAPERTRIAGE_ARXIV_RSS_URL "):
        load_fetch_settings(load_config(config_file))


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_bad_base_url_is_one_line_before_any_run_is_recorded(cli, monkeypatch, db_file, dry_run):
    monkeypatch.setenv("PAPERTRIAGE_HF_URL", "http://huggingface.co:80x")
    result = cli("fetch", *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: $PAPERTRIAGE_HF_URL is not a valid URL")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not db_file.exists()  # no store, so no bogus "interrupted" run


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "http:\n  read_timeout: .nan\n",
            "'http.read_timeout' should be a positive number, not nan",
        ),
        (
            "http:\n  connect_timeout: .inf\n",
            "'http.connect_timeout' should be a positive number, not inf",
        ),
        ("http:\n  request_deadline: -.inf\n", "should be a positive number, not -inf"),
        (
            "http:\n  fetch_deadline: 0\n",
            "'http.fetch_deadline' should be a positive number, not 0",
        ),
        ("http:\n  max_wait: 1.0e+400\n", "'http.max_wait' should be a positive number, not inf"),
        (
            "http:\n  read_timeout: " + "9" * 4000 + "\n",
            "is at most 86400, not a number of 4000 digits",
        ),
        ("http:\n  attempts: -" + "9" * 4000 + "\n", "not a negative number of 4000 digits"),
        ("http:\n  attempts: 1000\n", "'http.attempts' is at most 100, not 1000"),
        (
            "http:\n  read_timeout: " + "9" * 5000 + "\n",
            "invalid YAML (a number with thousands of digits)",
        ),
        ("http: " + "[" * 5000 + "]" * 5000 + "\n", "invalid YAML (nested too deeply)"),
        ("http: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n", "invalid YAML (nested too deeply)"),
        ("".join("  " * n + "a:\n" for n in range(3000)), "invalid YAML (nested too deeply)"),
        (
            "contact: 2026-13-45\n",
            "invalid YAML (a value that cannot be read: month must be in 1..12)",
        ),
        ("contact: " + "a" * 300 + "\n", "'contact' should be printable ASCII"),
    ],
    ids=lambda v: v[:40],
)
def test_hostile_config_values_are_one_line_errors(config_file, text, message):
    with pytest.raises(ConfigError) as err:
        settings_for(config_file, text)
    assert str(err.value).startswith(f"{config_file}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value) and len(str(err.value)) < 400


def test_config_show_with_a_hostile_file_is_one_line(cli, config_file):
    config_file.write_text("http: " + "[" * 5000 + "]" * 5000 + "\n")
    result = cli("config", "show")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {config_file}: invalid YAML (nested too deeply)\n"


NUMBERS = (
    st.integers()
    | st.integers(min_value=10**15, max_value=10**4000)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([0, -0.0, 5e-324, 86_400, 86_401, 100, 101])
)


@FUZZ
@given(key=st.sampled_from(sorted(HTTP_SCHEMA)), value=NUMBERS)
def test_any_http_number_loads_or_is_a_one_line_error(key, value):
    try:
        settings = load_fetch_settings({"_path": "c.yaml", "http": {key: value}})
    except ConfigError as exc:
        assert str(exc).startswith(f"c.yaml: 'http.{key}' ") and len(str(exc)) < 200
        return
    got = getattr(settings, key, None) if key in PAGING_DEFAULTS else getattr(settings.http, key)
    assert got == value and 0 < got <= HTTP_MAXIMA[key] and math.isfinite(got)


URL_PIECES = st.sampled_from(
    ["[", "]", ":", "::1", "@", "/", "%", "%zz", "80", "80x", "99999", "0", "1.2.3.4", "999.1.1.1",
     "xn--", "-", ".", "_", "\\", "localhost", "example.org", "0x7f.0.0.1", "[::1]",
     "[fe80::1%eth0]", "user:pw@", "?", "#"]
)  # fmt: skip
URL_TAILS = st.lists(
    URL_PIECES | st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=4),
    min_size=1,
    max_size=8,
).map("".join)


@FUZZ
@given(url=st.sampled_from(["http://", "https://"]).flatmap(lambda s: URL_TAILS.map(s.__add__)))
def test_every_accepted_base_url_is_one_the_client_can_request(url):
    import httpx

    try:
        base = check_http_url("x", url)
    except ConfigError as exc:
        assert "\n" not in str(exc)
        return
    for path in ("/api/daily_papers", "/cs.LG+cs.CL"):
        httpx.URL(base + path, params={"date": "2026-08-12", "q": "a b"})
