"""The YAML config file: where it lives, reading it safely, and validating it.

Each top-level section is validated by the module that uses it (fetch: ``sources``,
``urls``, ``http``, ``contact``, ``complete``; rank: ``rank``), registered in ``SECTIONS``.
An unknown key or a wrong type is a ConfigError naming the file and the key.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import ConfigError

# section name -> (expected type, help text). Section modules check inside.
SECTIONS: dict[str, tuple[type, str]] = {
    "contact": (str, "an e-mail or URL added to the User-Agent"),
    "sources": (list, "what `papertriage fetch` fetches with no arguments"),
    "categories": (list, "arXiv categories for the `arxiv` source, e.g. [cs.LG, cs.CL]"),
    "urls": (dict, "base URLs: hf, arxiv_api, arxiv_rss"),
    "http": (dict, "timeouts and retries"),
    "complete": (bool, "fill Hugging Face papers' arXiv metadata from the arXiv API after a fetch"),
    "rank": (dict, "the ranking profile"),
    "mail": (dict, "SMTP for digest --mail-to: host, port, security, user, from"),
}


def config_path() -> Path:
    env = os.environ.get("PAPERTRIAGE_CONFIG")
    if env:
        return Path(env).expanduser()
    home = os.environ.get("PAPERTRIAGE_HOME")
    if home:
        return Path(home) / "config.yaml"
    from .userdirs import user_dir

    return Path(user_dir("config")) / "config.yaml"


def load_config(path: Path | None = None) -> dict[str, Any]:
    """The validated config as a dict; {} when there is no config file."""
    path = path or config_path()
    if not path.exists():
        return {}
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise ConfigError(
            f"{path}{where}: invalid YAML ({getattr(exc, 'problem', None) or exc})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid YAML (nested too deeply)") from None
    except ValueError as exc:  # a value YAML reads by calling Python: int(), date()
        raise ConfigError(f"{path}: invalid YAML ({_value_problem(exc)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    for key, value in data.items():
        if key not in SECTIONS:
            raise ConfigError(f"{path}: unknown key '{key}' (known: {', '.join(SECTIONS)})")
        expected, text = SECTIONS[key]
        if not isinstance(value, expected):
            raise ConfigError(f"{path}: '{key}' should be a {expected.__name__} ({text})")
    data["_path"] = str(path)
    return data


def _value_problem(exc: ValueError) -> str:
    text = str(exc)
    if "integer string conversion" in text:  # int() refuses over 4,300 digits
        return "a number with thousands of digits"
    return f"a value that cannot be read: {text[:200]}"


def check_keys(
    path: str, section: str, value: dict[str, Any], schema: dict[str, type | tuple[type, ...]]
) -> None:
    """Validate one mapping: unknown keys and wrong types are errors naming the key."""
    for key, item in value.items():
        if key not in schema:
            raise ConfigError(f"{path}: unknown key '{section}.{key}' (known: {', '.join(schema)})")
        spec = schema[key]
        expected: tuple[type, ...] = spec if isinstance(spec, tuple) else (spec,)
        # bool is an int subclass: `retries: yes` must not pass as a number.
        ok = item is None or (
            isinstance(item, expected) and not (isinstance(item, bool) and bool not in expected)
        )
        if not ok:
            names = "/".join(t.__name__ for t in expected)
            raise ConfigError(
                f"{path}: '{section}.{key}' should be {names}, not {type(item).__name__}"
            )
