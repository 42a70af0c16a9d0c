"""Text and date normalisation shared by every source."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

from .errors import BadValueError

_WS = re.compile(r"\s+")
_HYPHEN = re.compile(r"(\w)-\s*(\w)")
_NON_WORD = re.compile(r"[^\w]+")
_RELATIVE = re.compile(r"^(\d+)\s*([dwmy])$")
_MONTHS = {m: n for n, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_LATEX_CMD_ARG = re.compile(
    r"\\(?:textsc|textbf|textit|emph|mathrm|mathbf|mathcal|texttt|text|mbox|rm|bf|it)\s*\{([^{}]*)\}"
)
_LATEX_ACCENT = re.compile(r"\\([`'^\"~=.uvHcdbkr])\s*\{?\\?([A-Za-z])\}?")
_LATEX_CMD = re.compile(r"\\[A-Za-z]+\s*")
# Letters TeX writes as commands: {\\l}ukasz, \\aa, S{\\o}ren.
_TEX_LETTER = re.compile(r"\\(aa|AA|ae|AE|oe|OE|ss|l|L|o|O)(?![A-Za-z])\s*")
_TEX_LETTERS = {
    "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "ss": "ß", "l": "ł", "L": "Ł", "o": "ø", "O": "Ø",
}  # fmt: skip
_ACCENTS = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
}


# C0 and C1 control characters and DEL (ESC starts a terminal escape sequence, CSI is
# \x9b), and lone UTF-16 surrogates (UTF-8 cannot encode them, so SQLite cannot store them).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """Text fit to store and show: control characters removed (tab and newline kept),
    lone surrogates replaced by U+FFFD. The rule for all text entering the store."""
    if text.isprintable():  # the usual case; tab, newline and non-BMP text land below
        return text
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def clean(text: str | None) -> str | None:
    """Collapse whitespace and arXiv's hard line wraps, scrub control characters; None
    for empty text."""
    if text is None:
        return None
    s = " ".join(str(text).split())  # str.split() splits on exactly what \s+ matches
    if not s.isprintable():
        s = " ".join(scrub(s).split())
    return s or None


def delatex(text: str) -> str:
    """Turn the LaTeX that appears in titles and names into plain Unicode text."""
    if "\\" not in text:  # every command needs a backslash; most names have none
        return text.replace("{", "").replace("}", "").replace("$", "").replace("~", " ")
    s = _TEX_LETTER.sub(lambda m: _TEX_LETTERS[m.group(1)], text)
    s = _LATEX_ACCENT.sub(
        lambda m: unicodedata.normalize("NFC", m.group(2) + _ACCENTS[m.group(1)]), s
    )
    for _ in range(3):
        s2 = _LATEX_CMD_ARG.sub(r"\1", s)
        if s2 == s:
            break
        s = s2
    s = _LATEX_CMD.sub("", s)
    return s.replace("{", "").replace("}", "").replace("$", "").replace("~", " ")


def fold(text: str) -> str:
    """Lower-case ASCII-ish form: accents removed, for name and title comparison."""
    if text.isascii():  # NFKD leaves ASCII alone and it has no combining marks
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def title_key(title: str | None) -> str:
    """A normalized title: case, punctuation, hyphenation, LaTeX and wraps don't matter."""
    if not title:
        return ""
    s = fold(delatex(title))
    if "-" in s:
        s = _HYPHEN.sub(r"\1\2", s)  # layer-wise == layerwise
    return " ".join(_NON_WORD.sub(" ", s).split())


def parse_date(value: object) -> str | None:
    """Parse the date forms the sources use into 'YYYY-MM-DD' (UTC), or None."""
    if isinstance(value, str):
        if len(value) == 10 and value[4] == value[7] == "-":  # already YYYY-MM-DD
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        elif value.endswith(" GMT"):
            day = _gmt_day(value)
            if day:
                return day
    dt = parse_datetime(value)
    return dt.date().isoformat() if dt else None


def _gmt_day(value: str) -> str | None:
    """The day of 'Mon, 2 Apr 2007 19:18:42 GMT' (Kaggle versions, arXivRaw) without
    the email parser, which dominated bulk import; None sends other forms there."""
    parts = value.split()
    if len(parts) != 6 or len(parts[3]) != 4 or parts[2] not in _MONTHS:
        return None
    clock = parts[4].split(":")
    if len(clock) != 3:
        return None
    try:
        year, (hour, minute, second) = int(parts[3]), (int(x) for x in clock)
        if year < 100:  # the email parser reads these as two-digit years
            return None
        day = datetime(year, _MONTHS[parts[2]], int(parts[1]), hour, minute, second)
        return day.date().isoformat()
    except ValueError:
        return None


def parse_datetime(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    s = str(value).strip()
    if not s:
        return None
    iso = s.replace("Z", "+00:00")
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        from email.utils import parsedate_to_datetime  # here: slow to import, rarely needed

        try:
            dt = parsedate_to_datetime(s)  # RFC 822/2822: RSS pubDate, Kaggle versions
        except (TypeError, ValueError, IndexError):
            return None
    return _utc(dt)


def _utc(dt: datetime) -> datetime | None:
    """dt in UTC (naive means UTC); None where UTC falls outside years 1-9999."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except OverflowError:  # '0001-01-01T00:00:00+01:00' is in year 0 in UTC
        return None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_day(
    value: str | None, today: date | None = None, option: str | None = None
) -> str | None:
    """A day typed by a person (YYYY-MM-DD, today, yesterday, or Nd/Nw/Nm/Ny ago) as an
    ISO date; BadValueError naming `option` for anything else."""
    if value is None:
        return None
    today = today or date.today()
    text = value.strip().lower()
    if text == "today":
        return today.isoformat()
    if text == "yesterday":
        return (today - timedelta(days=1)).isoformat()
    m = _RELATIVE.match(text)
    if m:
        try:
            days = int(m.group(1)) * {"d": 1, "w": 7, "m": 30, "y": 365}[m.group(2)]
            return (today - timedelta(days=days)).isoformat()
        except (OverflowError, ValueError):  # before year 1, or beyond timedelta's range
            raise BadValueError(option, f"{value!r} is before the year 1") from None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise BadValueError(
            option, f"{value!r} is not a date (use YYYY-MM-DD, 7d, 2w, today or yesterday)"
        ) from None
