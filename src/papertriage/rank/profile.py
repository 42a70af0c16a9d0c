"""The ranking profile: the ``rank:`` section of config.yaml, validated.

Every key is optional; examples/config.yaml documents each one. A wrong key or type is a
ConfigError naming the file and the key, e.g.
``config.yaml: 'rank.keywords.quantization' should be a number (its weight), not str``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from ..config import check_keys, load_config
from ..errors import ConfigError

Number = (int, float)

# key -> (allowed types, what it is); the scalar keys also have a default in Profile.
SCHEMA: dict[str, tuple[type | tuple[type, ...], str]] = {
    "keywords": ((dict, list), "phrase: weight (a negative weight pushes papers down)"),
    "title_weight": (Number, "how many times a title match counts (abstract: once)"),
    "fuzzy": (bool, "also match spelling variants and typos of keywords"),
    "fuzzy_threshold": (Number, "rapidfuzz similarity (0-100) a variant needs"),
    "authors": ((dict, list), "name: weight for authors to follow"),
    "categories": ((dict, list), "arXiv category (or prefix like cs.*): weight"),
    "cross_list": (Number, "share of a category's weight for a cross-listed paper"),
    "upvotes": (Number, "points per log10(1 + Hugging Face upvotes)"),
    "stars": (Number, "points per log10(1 + GitHub stars)"),
    "tiebreak": (
        Number,
        "once you kept papers, upvotes and stars count 1 / (1 + tiebreak x kept papers)",
    ),
    "recency": (Number, "points for a paper from today, halving every half_life days"),
    "half_life": (Number, "days"),
    "learned": (Number, "points for a paper just like the ones you kept"),
    "skipped": (Number, "how much likeness to skipped papers counts against (0-1)"),
}


@dataclass(frozen=True)
class Profile:
    keywords: dict[str, float] = field(default_factory=dict)
    title_weight: float = 2.0
    fuzzy: bool = True
    fuzzy_threshold: float = 90.0
    authors: dict[str, float] = field(default_factory=dict)
    categories: dict[str, float] = field(default_factory=dict)
    cross_list: float = 0.5
    upvotes: float = 1.0
    stars: float = 0.5
    tiebreak: float = 4.0
    recency: float = 1.0
    half_life: float = 7.0
    learned: float = 5.0
    skipped: float = 0.5

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, path: str = "profile") -> Profile:
        """Validate a ``rank:`` mapping; ConfigError naming ``path`` and the key."""
        data = data or {}
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: 'rank' should be a mapping of settings")
        check_keys(path, "rank", data, {k: t for k, (t, _) in SCHEMA.items()})
        values: dict[str, Any] = {}
        for key, value in data.items():
            if value is None:
                continue
            if key in ("keywords", "authors", "categories"):
                values[key] = _weights(path, key, value)
            elif key == "fuzzy":
                values[key] = value
            else:
                values[key] = _number(path, f"rank.{key}", value)
        _check_ranges(path, values)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def load_profile(config: dict[str, Any] | None = None) -> Profile:
    """The profile from the user's config (or from an already loaded config dict)."""
    config = load_config() if config is None else config
    return Profile.from_dict(config.get("rank"), str(config.get("_path", "config")))


def _number(path: str, key: str, value: Any, what: str = "a number") -> float:
    if isinstance(value, bool) or not isinstance(value, Number):
        raise ConfigError(f"{path}: '{key}' should be {what}, not {type(value).__name__}")
    if not math.isfinite(value):
        raise ConfigError(f"{path}: '{key}' should be a finite number")
    return float(value)


def _weights(path: str, section: str, value: dict[str, Any] | list[Any]) -> dict[str, float]:
    """``{name: weight}`` from a mapping, or from a list (each weight 1)."""
    items = value.items() if isinstance(value, dict) else ((v, 1) for v in value)
    out: dict[str, float] = {}
    for name, weight in items:
        if not isinstance(name, str) or not name.strip():
            shown = f"rank.{section}" + (f".{name}" if isinstance(value, dict) else "")
            raise ConfigError(
                f"{path}: '{shown}' has an entry that is not text: {name!r} (write it in quotes)"
            )
        out[name.strip()] = _number(path, f"rank.{section}.{name}", weight, "a number (its weight)")
    return out


def _check_ranges(path: str, values: dict[str, Any]) -> None:
    limits = {
        "fuzzy_threshold": (50, 100),
        "half_life": (1e-9, math.inf),
        "skipped": (0, 1),
        "tiebreak": (0, math.inf),
        "cross_list": (0, 1),
    }
    for key, (low, high) in limits.items():
        if key in values and not low <= values[key] <= high:
            bounds = (
                f"between {low} and {high}"
                if high != math.inf
                else ("more than 0" if low > 0 else "at least 0")
            )
            raise ConfigError(f"{path}: 'rank.{key}' should be {bounds}, not {values[key]:g}")
