"""papertriage's own JSON / JSON lines output, read back (a round trip)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .. import ids
from ..errors import InputError
from ..models import LIST_FIELDS, PAPER_COLUMNS, Paper, make_paper

MARKERS = {"primary_category", "hf_upvotes", "abs_url"}


def looks_like(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and "id" in record
        and "title" in record
        and bool(MARKERS & record.keys())
    )


def record_to_paper(record: dict[str, Any], origin: str, where: str) -> Paper:
    if not looks_like(record):
        raise InputError(origin, "not a papertriage paper record", where=where)
    found = ids.try_parse_id(str(record.get("id") or ""))
    if found is None:
        raise InputError(origin, f"bad paper id {record.get('id')!r}", where=where)
    values: dict[str, Any] = {k: record.get(k) for k in PAPER_COLUMNS if k in record}
    for name in LIST_FIELDS:
        value = values.get(name)
        if value is not None and not isinstance(value, list):
            raise InputError(origin, f"'{name}' should be a list", where=where)
    values["id"] = found[0]
    if values.get("version") is None:
        values["version"] = found[1]
    mine = user_data(record, origin, where)
    return make_paper(**values, source="papertriage", origin=origin, raw=mine or None)


# Decisions the export writes (userdata.DECISIONS; sources/ does not import the store).
_DECISIONS = ("keep", "read", "skip")
_TAG = re.compile(r"^[^\s,]{1,64}$")


def user_data(record: dict[str, Any], origin: str, where: str) -> dict[str, Any]:
    """The tags, notes and decisions an exported record carries, checked, as
    {"tags": [tag], "notes": [(text, created)], "decisions": [(decision, created)]}
    (what store.userdata.restore merges in); {} for none."""
    out: dict[str, Any] = {}
    tags = _items(record, "tags", origin, where)
    if tags:
        bad = [t for t in tags if not (isinstance(t, str) and _TAG.match(t.strip()))]
        if bad:
            raise InputError(origin, f"bad tag {bad[0]!r}", where=where)
        out["tags"] = sorted({t.strip() for t in tags})
    notes = [_entry(n, "text", origin, where) for n in _items(record, "notes", origin, where)]
    if notes := [(text.strip(), created) for text, created in notes if text.strip()]:
        out["notes"] = notes
    decisions = [
        _entry(d, "decision", origin, where) for d in _items(record, "decisions", origin, where)
    ]
    if decisions:
        bad = [d for d, _ in decisions if d not in _DECISIONS]
        if bad:
            raise InputError(origin, f"unknown decision {bad[0]!r}", where=where)
        out["decisions"] = sorted(decisions, key=lambda d: d[1] or "")
    return out


def _items(record: dict[str, Any], key: str, origin: str, where: str) -> list[Any]:
    value = record.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(origin, f"'{key}' should be a list", where=where)
    return value


def _entry(value: Any, key: str, origin: str, where: str) -> tuple[str, str | None]:
    """(text, created) of an exported note or decision (an object; or a bare string)."""
    if isinstance(value, str):
        return value, None
    if isinstance(value, dict) and isinstance(value.get(key), str):
        created = value.get("created")
        return value[key], created if isinstance(created, str) else None
    raise InputError(origin, f"a {key} entry should be an object with '{key}'", where=where)


def parse_records(records: Any, origin: str) -> Iterator[Paper]:
    if isinstance(records, dict):
        records = [records]
    for n, record in enumerate(records, 1):
        yield record_to_paper(record, origin, f"item {n}")
