"""Text and date normalisation shared by every source."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta

from .errors import BadValueError


class _Pattern:
    """A regex compiled where it is first used (see lazy_pattern)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> object:  # the first use: compile, keep its methods
        compiled = re.compile(*self._args)
        for attr in ("sub", "subn", "match", "search", "fullmatch", "finditer", "findall", "split"):
            setattr(self, attr, getattr(compiled, attr))
        self.pattern, self.flags, self.groups = compiled.pattern, compiled.flags, compiled.groups
        return getattr(compiled, name)


def lazy_pattern(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A regex that compiles on its first use, then costs what the compiled one does
    (its methods become the object's own attributes). Compiled at import, this module's
    and ids' 16 patterns cost every command about 3 ms, most of them never used."""
    return _Pattern(pattern, flags)  # type: ignore[return-value]


_WS = lazy_pattern(r"\s+")
_HYPHEN = lazy_pattern(r"(\w)-\s*(\w)")
_NON_WORD = lazy_pattern(r"[^\w]+")
_RELATIVE = lazy_pattern(r"^(\d+)\s*([dwmy])$")
_MONTH = lazy_pattern(r"^(\d{4})-(\d{2})$")
_MONTHS = {m: n for n, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_LATEX_CMD_ARG = lazy_pattern(
    r"\\(?:textsc|textbf|textit|emph|mathrm|mathbf|mathcal|texttt|text|mbox|rm|bf|it)\s*\{([^{}]*)\}"
)
_LATEX_CMD = lazy_pattern(r"\\[A-Za-z]+\s*")
# Letters TeX writes as commands: {\\l}ukasz, \\aa, S{\\o}ren, Y\\i lmaz.
_TEX_LETTERS = {
    "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ", "ss": "ß",
    "l": "ł", "L": "Ł", "o": "ø", "O": "Ø", "i": "ı", "j": "ȷ",
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
# Control words that start like a letter or accent macro but are commands of their own
# (\\lambda is not \\l + "ambda"); any other word that starts so is the macro written
# straight before letters: S\\lawianowski, Go\\lubowska, Y\\ilmaz, Lefran\\ccois.
_TEX_COMMANDS = frozenset(
    """
    l lambda langle label land large le left leftarrow leftrightarrow leq lesssim lfloor lceil
    lbrace lbrack ldots lim liminf limsup ll ln lnot log longrightarrow longleftarrow lor lq
    lvert lVert L Lambda Large LARGE LaTeX Leftarrow Leftrightarrow Longrightarrow
    o odot oint omega omicron ominus oplus oslash otimes over overline overbrace
    overrightarrow operatorname O Omega i in inf infty int iint iiint iota it item iff
    implies imath Im j jmath aa ae oe ss AA AE OE
    u underline upsilon uparrow updownarrow usepackage url unit Upsilon Uparrow
    v vec varepsilon varphi vartheta varrho varsigma varpi varkappa vdots vee vert Vert
    vspace verb vdash
    H Huge c cdot cdots circ cap cup chi cite cong cos cosh cot coth csc cal check colon
    k kappa ker kern r rho rm right rangle rightarrow Rightarrow rvert rVert rbrace rbrack
    ref rceil rfloor
    d delta dot ddot dots ddots det dim deg dagger ddagger div downarrow displaystyle dfrac
    b bar beta bf big Big bigg Bigg bigl bigr boldsymbol bm binom bullet bigcup bigcap bot
    backslash breve bmod
    """.split()
)
_TEX_PREFIXES = sorted((*_TEX_LETTERS, *(a for a in _ACCENTS if a.isalpha())), key=len)[::-1]
_CONTROL_WORD = lazy_pattern(r"[A-Za-z]+")
_TEX_ARG = lazy_pattern(
    r"\s*(?:\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"
)


def decode_tex(text: str) -> str:
    """TeX accents and letters as Unicode: Bal\\'azs, {\\l}, \\v{S}r\\'amek, S\\lawianowski,
    Garc\\'{\\i}a, \\ss; with or without braces or a space, and straight before letters.
    Math ($...$) and other commands are left as they are (the one decoder every source
    and title_key use; delatex also drops the rest of the markup)."""
    if "\\" not in text:
        return text
    parts = text.split("$")
    if len(parts) % 2 == 0:  # an odd number of dollars: no math to keep apart
        parts = [text]
    for k in range(0, len(parts), 2):
        if "\\" in parts[k]:
            parts[k] = _decode_text(parts[k])
    return "$".join(parts)


def _decode_text(s: str) -> str:
    out: list[str] = []
    i = 0
    while (j := s.find("\\", i)) >= 0:
        out.append(s[i:j])
        letter, end = _tex_macro(s, j + 1)
        if letter is None:
            out.append(s[j:end])
        elif out and out[-1].endswith("{") and s.startswith("}", end):
            out[-1] = out[-1][:-1] + letter  # {\\l}, {\\"o}: the group held only this
            end += 1
        else:
            out.append(letter)
            if s.startswith("{}", end):  # \\o{}rn
                end += 2
        i = end
    out.append(s[i:])
    return "".join(out)


def _tex_macro(s: str, i: int) -> tuple[str | None, int]:
    """The letter the macro at s[i:] (just after its backslash) stands for, and where it
    ends; (None, end) for anything else, to be kept as written."""
    if i >= len(s):
        return None, i
    if s[i] in _ACCENTS and not s[i].isalpha():
        return _accented(_ACCENTS[s[i]], s, i + 1)
    m = _CONTROL_WORD.match(s, i)
    if m is None:
        return None, i + 1
    word = m.group()
    if word in _ACCENTS or word in _TEX_LETTERS:
        name = word
    elif word in _TEX_COMMANDS:
        return None, m.end()
    else:
        name = next((p for p in _TEX_PREFIXES if word.startswith(p)), "")
        if not name:
            return None, m.end()
    end = i + len(name)
    if name in _TEX_LETTERS:
        if end == m.end():  # a whole control word: TeX drops the spaces after it
            while end < len(s) and s[end] == " ":
                end += 1
        return _TEX_LETTERS[name], end
    return _accented(_ACCENTS[name], s, end)


def _accented(mark: str, s: str, i: int) -> tuple[str | None, int]:
    m = _TEX_ARG.match(s, i)
    if m is None:
        return None, i
    base, end = (m.group(1) or m.group(2)), m.end()
    if m.group(2) and base.startswith("\\"):  # \\'\\i a: spaces after a control word go
        while end < len(s) and s[end] == " ":
            end += 1
    return unicodedata.normalize("NFC", base.lstrip("\\") + mark), end


# C0 and C1 control characters and DEL (ESC starts a terminal escape sequence, CSI is
# \x9b), and lone UTF-16 surrogates (UTF-8 cannot encode them, so SQLite cannot store them).
_CONTROL = lazy_pattern("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = lazy_pattern("[\ud800-\udfff]")


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
    text = str(text)
    # A hard-wrapped text whose only whitespace, once the wraps are spaces, is single
    # spaces between words: the printable test leaves out every other whitespace
    # character (they are all controls or separators), and what strip() left, split()
    # and join() would give back as it is. Most abstracts: a fifth of the time.
    s = text.replace("\n", " ").strip()
    if "  " not in s and s.isprintable():
        return s or None
    s = " ".join(text.split())  # str.split() splits on exactly what \s+ matches
    if not s.isprintable():
        s = " ".join(scrub(s).split())
    return s or None


def delatex(text: str) -> str:
    """Turn the LaTeX that appears in titles and names into plain Unicode text."""
    if "\\" not in text:  # every command needs a backslash; most names have none
        return text.replace("{", "").replace("}", "").replace("$", "").replace("~", " ")
    s = decode_tex(text)
    for _ in range(3):
        s2 = _LATEX_CMD_ARG.sub(r"\1", s)
        if s2 == s:
            break
        s = s2
    s = _LATEX_CMD.sub("", s)
    return s.replace("{", "").replace("}", "").replace("$", "").replace("~", " ")


def nfkc(text: str) -> str:
    """Text in Unicode compatibility form: "ﬁnite" and full-width "ｆｉｎｉｔｅ" are
    "finite". The form papers are stored (and so indexed) in and queries are searched
    with, so that the two always meet."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


_ET_AL = lazy_pattern(r"(?:^|[\s,;]+)(?:and\s+)?et\.?\s*al(?:ii|\.)*\.?$", re.IGNORECASE)
_GROUP_PREFIX = lazy_pattern(
    r"^(.*?\b(?:collaborations?|consortium|team|group)\b)\s*:\s*(.+)$", re.IGNORECASE
)


def author_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """A paper's authors as people and groups: TeX decoded, "et al" dropped (it is not a
    person, nor part of one's name), and "CDF Collaboration: T. Aaltonen" split into the
    collaboration and its first author."""
    out: list[str] = []
    for name in names:
        if "\\" in name:
            name = " ".join(delatex(name).split())
        if name.endswith(("al", "al.", "AL", "AL.", "alii")) and _ET_AL.search(name):
            name = _ET_AL.sub("", name).strip(" ,;")
        if ":" in name and (m := _GROUP_PREFIX.match(name)):
            out.append(m.group(1).strip())
            name = m.group(2).strip()
        name = nfkc(name)
        if name:
            out.append(name)
    return tuple(out)


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
        s = _HYPHEN.sub(_joined, s)  # layer-wise == layerwise
    return " ".join(_NON_WORD.sub(" ", s).split())


def _joined(match: re.Match[str]) -> str:
    # what the template r"\1\2" gives, at a third of its cost (re expands a template
    # on every match): this is most of title_key's time in a bulk import
    return match[1] + match[2]


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
    if len(parts) != 6 or len(parts[3]) != 4:
        return None
    month = _MONTHS.get(parts[2])
    clock = parts[4].split(":")
    if month is None or len(clock) != 3:
        return None
    try:
        year, hour, minute, second = int(parts[3]), int(clock[0]), int(clock[1]), int(clock[2])
        if year < 100:  # the email parser reads these as two-digit years
            return None
        if not (0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60):
            return None  # what datetime() refuses
        return date(year, month, int(parts[1])).isoformat()
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


def _month_day(year: int, month: int, end: bool) -> str | None:
    """A month's first day (or last, with end); None for month 13 or year 0."""
    from calendar import monthrange

    try:
        return date(year, month, monthrange(year, month)[1] if end else 1).isoformat()
    except (ValueError, IndexError):  # calendar.IllegalMonthError is both
        return None


def parse_day(
    value: str | None, today: date | None = None, option: str | None = None, end: bool = False
) -> str | None:
    """A day typed by a person (YYYY-MM-DD, a month YYYY-MM, today, yesterday, or
    Nd/Nw/Nm/Ny ago) as an ISO date; a month is its first day, or its last with `end`
    (for --until). BadValueError naming `option` for anything else."""
    if value is None:
        return None
    today = today or date.today()
    text = value.strip().lower()
    month = _MONTH.match(text)
    if month:
        day = _month_day(int(month.group(1)), int(month.group(2)), end)
        if day:
            return day
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
            option,
            f"{value!r} is not a date (use YYYY-MM-DD, YYYY-MM, 7d, 2w, today or yesterday)",
        ) from None
