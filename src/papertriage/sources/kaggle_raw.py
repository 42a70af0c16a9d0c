"""The raw Kaggle record a sighting keeps: what the paper's row does not hold.

A sighting keeps the record minus what the paper's row already holds (title, abstract,
comments, journal-ref, doi, license, categories, id; whitespace-collapsed there), marked
``"_in_papers": 1``; ``restore`` puts those back from the row. The snapshot is 4+ GB and
those fields are most of it, so the store doesn't hold it twice over, and a record can
still be normalized again from what is kept. Since issue 19 (marker 2, ``compact``) the
versions are kept as their dates, names without their empty suffixes and the authors
string only where it is not authors_parsed joined: 0.17× of the JSONL instead of 0.24×,
still JSON (``json_extract(raw, '$.created[0]')``), and ``restore`` gives the same record.
Marker 3 (``compact`` since issue 19's second round, for a record with exactly the
snapshot's keys) also leaves out what those keys' values can be derived from: null
submitter and report-no, an update_date that is the last version's day (else the days
after it), a submitter who is one of the authors (their index), an authors string
joined with "and"; 0.12× of the JSONL. Markers 1 and 2 stay readable.

Its own module, apart from the parser (kaggle): `show --raw` restores records without
loading the parser's models.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# Record key -> papers column, for the keys a sighting leaves to the paper's row.
IN_PAPERS = {
    "title": "title",
    "abstract": "abstract",
    "comments": "comment",
    "journal-ref": "journal_ref",
    "doi": "doi",
    "license": "license",
    "categories": "categories",
}


def keep_differing(raw: dict[str, Any], new: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The sighting's raw record (as stored) for a paper whose row ended up with other
    values than this record gave (`new`: the row the record alone gives; another
    source's newer version won a merge): those values are kept in it."""
    out = dict(raw)
    for key, column in IN_PAPERS.items():
        if key in raw:
            continue
        value: Any = new.get(column)
        stored = row.get(column)
        if column == "categories":
            same = _categories(stored) == _categories(value)
            value = " ".join(_categories(value))
        else:
            same = stored == value
        if not same:
            out[key] = value
    return out


def _categories(text: Any) -> list[Any]:
    return json.loads(text) if text else []


# A sighting written since issue 19 (marker 2) also holds two fields shorter, where
# they can be given back exactly: `versions` as "created", the list of their dates
# ("2007-04-02 19:18:42" for v1's "Mon, 2 Apr 2007 19:18:42 GMT"), and `authors_parsed`
# as "parsed", each name's empty suffix left out; `authors` is left out where it is
# the names of authors_parsed joined as arXiv joins them.
#
# Marker 3 is marker 2 with less again, only for a record with exactly the snapshot's
# keys in the snapshot's order (so its marker-2 form's keys are a subsequence of
# _MARKER2_ORDER and a key left out can only be one of those): no "submitter" or
# "report-no" where they are null; no "update_date" where it is the day of the last
# version ("created"), else the number of days after it where that gives the same
# string back; "submitter" as the index of the author ("parsed") it names as
# "First Last", or [index, "First"] where only the last name is that author's;
# "authors" as 1 where it is the names joined "A, B and C", 2 for "A, B, and C".
# An int (or, for submitter, a list) always means the short form: a record whose
# submitter, authors or update_date is one already keeps marker 2. `_grow` gives the
# marker-2 form back, keys in the same order, so `restore` gives the very same record.
COMPACT = 3
MARKER2 = 2
_STANDARD_RAW = ("submitter", "authors", "report-no", "versions", "update_date", "authors_parsed")
_MARKER2_ORDER = (*_STANDARD_RAW, "_in_papers", "created", "parsed")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def compact(raw: dict[str, Any], shrink: bool = True) -> dict[str, Any]:
    """The raw record as a sighting stores it (restore gives it back whole); marker 2's
    form at most with shrink=False."""
    if raw.get("_in_papers") != 1 or "created" in raw or "parsed" in raw or "authors" not in raw:
        return raw
    created = _short_versions(raw.get("versions"))
    parsed = raw.get("authors_parsed")
    names = _short_names(parsed) if isinstance(parsed, list) else None
    if (
        shrink
        and len(raw) == 7
        and tuple(raw)[:6] == _STANDARD_RAW
        and type(raw["submitter"]) is not int
        and type(raw["authors"]) is not int
        and type(raw["update_date"]) is not int
        and not isinstance(raw["submitter"], list)
    ):
        return _shrink(raw, created, names)
    out = dict(raw)
    out["_in_papers"] = MARKER2
    if created is not None:
        del out["versions"]
        out["created"] = created
    if names is not None:
        del out["authors_parsed"]
        out["parsed"], joined = names
        if raw["authors"] == ", ".join(joined):
            del out["authors"]
    return out


def _shrink(
    raw: dict[str, Any],
    created: list[str] | None,
    names: tuple[list[list[str]], list[str]] | None,
) -> dict[str, Any]:
    """A standard record's marker-3 form (see COMPACT): what marker 2 keeps, in its
    order, less what can be derived again."""
    short: dict[str, Any] = {}
    parsed, joined = names if names is not None else (None, None)
    value = raw["submitter"]
    if value is not None:
        short["submitter"] = (
            _submitter_short(value, parsed)
            if parsed is not None and isinstance(value, str)
            else value
        )
    value = raw["authors"]
    if joined is None:
        short["authors"] = value
    elif value != ", ".join(joined):  # else marker 2 leaves it out already
        if len(joined) > 2 and isinstance(value, str):
            head = ", ".join(joined[:-1])
            if value == f"{head} and {joined[-1]}":
                value = 1
            elif value == f"{head}, and {joined[-1]}":
                value = 2
        elif len(joined) == 2 and value == " and ".join(joined):
            value = 1
        short["authors"] = value
    if raw["report-no"] is not None:
        short["report-no"] = raw["report-no"]
    if created is None:
        short["versions"] = raw["versions"]
    value = raw["update_date"]
    if created and isinstance(value, str):
        last = created[-1][:10]
        if value != last:
            days = _days_after(value, last)
            short["update_date"] = value if days is None else days
    else:
        short["update_date"] = value
    if parsed is None:
        short["authors_parsed"] = raw["authors_parsed"]
    short["_in_papers"] = COMPACT
    if created is not None:
        short["created"] = created
    if parsed is not None:
        short["parsed"] = parsed
    return short


def _submitter_short(name: str, parsed: list[list[str]]) -> Any:
    """The submitter as the index of the author named so, [index, first names] for an
    author of that last name, else as it is."""
    for n, p in enumerate(parsed):
        if name == f"{p[1]} {p[0]}":
            return n
    for n, p in enumerate(parsed):
        last = p[0]
        if last and name.endswith(last) and name[-len(last) - 1 : -len(last)] == " ":
            return [n, name[: -len(last) - 1]]
    return name


def _days_after(text: str, last: str) -> int | None:
    """The day `text` ('2015-07-16') as days after `last`, if it gives `text` back."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    if day.isoformat() != text:
        return None
    return (day - date.fromisoformat(last)).days


def _grow(short: dict[str, Any]) -> dict[str, Any]:
    """A marker-3 sighting in its marker-2 form (the keys in the very same order)."""
    created = short.get("created")
    parsed = short.get("parsed")
    out: dict[str, Any] = {}
    for key in _MARKER2_ORDER:
        if key in short:
            value = short[key]
            if key == "submitter" and parsed is not None:
                if type(value) is int:
                    value = f"{parsed[value][1]} {parsed[value][0]}"
                elif isinstance(value, list):
                    value = f"{value[1]} {parsed[value[0]][0]}"
            elif key == "authors" and type(value) is int and parsed is not None:
                names = _names(parsed)
                comma = ", and " if value == 2 else " and "
                value = comma.join((", ".join(names[:-1]), names[-1]))
            elif key == "update_date" and type(value) is int and created:
                value = (date.fromisoformat(created[-1][:10]) + timedelta(days=value)).isoformat()
            elif key == "_in_papers":
                value = MARKER2
        elif key in ("submitter", "report-no"):
            value = None
        elif key == "update_date" and created:
            value = created[-1][:10]
        else:
            continue
        out[key] = value
    for key, value in short.items():  # what keep_differing added
        if key not in out:
            out[key] = value
    return out


def _short_versions(versions: Any) -> list[str] | None:
    """The versions' dates, 'YYYY-MM-DD hh:mm:ss', if that is all they hold."""
    if not isinstance(versions, list):
        return None
    out = []
    for n, v in enumerate(versions, 1):
        if not (isinstance(v, dict) and len(v) == 2 and v.get("version") == f"v{n}"):
            return None
        text = v.get("created")
        parts = text.rsplit(" ", 2) if isinstance(text, str) else ()
        if len(parts) != 3 or parts[2] != "GMT":
            return None
        day = _SHORT_DAYS.get(parts[0])
        if day is None:
            day = _short_day(parts[0])
        if not day:
            return None
        out.append(f"{day} {parts[1]}")  # _long_date gives `text` back: same day, same rest
    return out


_SHORT_DAYS: dict[str, str] = {}  # 'Mon, 2 Apr 2007' -> '2007-04-02' ('' for no day)


def _short_day(long: str) -> str:
    """'Mon, 2 Apr 2007' as '2007-04-02', '' unless _long_day gives it back exactly."""
    parts = long.split(" ")
    short = ""
    if len(parts) == 4 and parts[2] in _MONTHS[1:] and parts[1].isascii() and parts[1].isdigit():
        short = f"{parts[3]}-{_MONTHS.index(parts[2]):02d}-{int(parts[1]):02d}"
        if _long_day(short) != long:
            short = ""
    if len(_SHORT_DAYS) > 100_000:
        _SHORT_DAYS.clear()
    _SHORT_DAYS[long] = short
    return short


def _long_day(short: str) -> str | None:
    """'2007-04-02' as arXiv writes it: 'Mon, 2 Apr 2007'."""
    try:
        day = date.fromisoformat(short)
    except ValueError:
        return None
    return f"{_WEEKDAYS[day.weekday()]}, {day.day} {_MONTHS[day.month]} {short[:4]}"


def _long_date(short: str) -> str:
    """'2007-04-02 19:18:42' as arXiv writes it: 'Mon, 2 Apr 2007 19:18:42 GMT'."""
    return f"{_long_day(short[:10])} {short[11:]} GMT"


def _short_names(parsed: list[Any]) -> tuple[list[list[str]], list[str]] | None:
    """authors_parsed without the empty suffixes, and its names as the record's authors
    string writes them; None unless every name is [last, first, suffix]."""
    out: list[list[str]] = []
    joined: list[str] = []
    for part in parsed:
        if not (isinstance(part, list) and len(part) == 3):
            return None
        last, first, suffix = part
        if not (isinstance(last, str) and isinstance(first, str) and isinstance(suffix, str)):
            return None
        if suffix or not (first and last):
            out.append(part if suffix else [last, first])
            joined.append(" ".join(x for x in (first, last, suffix) if x))
        else:  # the usual name, without a genexpr
            out.append([last, first])
            joined.append(f"{first} {last}")
    return out, joined


def _joined(parsed: list[list[str]]) -> str:
    """authors_parsed's names as the record's authors string writes them."""
    return ", ".join(" ".join(x for x in (p[1], p[0], p[2]) if x) for p in parsed)


def _names(parsed: list[list[str]]) -> list[str]:
    """A marker-2 "parsed" list's names, "First Last Suffix"."""
    return [" ".join(x for x in (p[1], p[0], *p[2:]) if x) for p in parsed]


def restore(raw: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """A stored Kaggle sighting as a whole record again, the omitted keys from the row."""
    if not raw.get("_in_papers"):
        return raw
    if raw["_in_papers"] == COMPACT:
        raw = _grow(raw)
    out = {"id": row.get("id")}
    for key, value in raw.items():
        if key != "_in_papers":
            out[key] = value
    if raw["_in_papers"] == MARKER2:
        if "created" in out:
            created: list[str] = out.pop("created") or []
            out["versions"] = [
                {"version": f"v{n}", "created": _long_date(c)} for n, c in enumerate(created, 1)
            ]
        if "parsed" in out:
            names: list[list[str]] = out.pop("parsed") or []
            parsed = [[*p, ""] if len(p) == 2 else p for p in names]
            out["authors_parsed"] = parsed
            out.setdefault("authors", _joined(parsed))
    for key, column in IN_PAPERS.items():
        if key not in out:
            value = row.get(column)
            if column == "categories":
                value = " ".join(json.loads(value)) if value else ""
            out[key] = value
    return out
