"""papertriage's own JSON / JSON lines output, read back (a round trip)."""

from __future__ import annotations

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
    return make_paper(**values, source="papertriage", origin=origin, raw=None)


def parse_records(records: Any, origin: str) -> Iterator[Paper]:
    if isinstance(records, dict):
        records = [records]
    for n, record in enumerate(records, 1):
        yield record_to_paper(record, origin, f"item {n}")
