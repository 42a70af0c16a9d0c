"""The config sections fetch uses, and `papertriage config path|show|init`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from papertriage.config import load_config
from papertriage.errors import ConfigError
from papertriage.fetch.settings import (
    DEFAULT_URLS,
    HTTP_SCHEMA,
    STARTER,
    SourceSpec,
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
