"""arXiv identifiers in every form people and services write them.

New-style ids are YYMM.NNNN (2007-2014) or YYMM.NNNNN (2015+); old-style ids are
``archive[.SUBJ]/YYMMNNN``. The bare id (no version) is the key of a paper.
A paper seen without an arXiv id gets a provisional id derived from its title.
"""

from __future__ import annotations

import re

from .errors import BadIdError
from .text import lazy_pattern

PROVISIONAL_PREFIX = "prov:"

_NEW = r"(?P<new>\d{4}\.\d{4,5})"
_OLD = r"(?P<old>[a-z][a-z\-]*(?:\.[A-Za-z]{2})?/\d{7})"
_VERSION = r"(?:v(?P<version>\d+))?"
# (?a:...): ids are ASCII. Unicode matching would take other scripts' digits for \d
# ('٢٤١٠.١٢٣٤٥') and, ignoring case, 'ſ' (long s) or 'K' (Kelvin) for [a-z].
_CORE = rf"(?a:(?:{_NEW}|{_OLD}){_VERSION})"
_ID_RE = lazy_pattern(rf"(?<![\w.]){_CORE}(?![\d])", re.IGNORECASE)
_FULL_RE = lazy_pattern(rf"^{_CORE}$", re.IGNORECASE)
_PREFIXES = lazy_pattern(
    r"^(?:(?:https?://)?(?:www\.|export\.|lanl\.|rss\.)?(?:arxiv\.org|huggingface\.co))?"
    r"/?(?:abs|pdf|papers|html|format)/",
    re.IGNORECASE,
)


def parse_id(text: str) -> tuple[str, int | None]:
    """Return (bare id, version or None) for any accepted form, or raise BadIdError."""
    found = try_parse_id(text)
    if found is None:
        raise BadIdError(f"not an arXiv id: {text!r} (expected e.g. 2410.12345, hep-th/9901001)")
    return found


def try_parse_id(text: str | None) -> tuple[str, int | None] | None:
    if not text:
        return None
    s = text.strip()
    if s[:1].isdigit() and s[-1:].isdigit() and "?" not in s and "#" not in s:
        # a bare new-style id (2401.00001v2): no prefix or suffix the substitutions
        # below would remove (each needs a letter, '/', '?' or '#' at an end)
        m = _FULL_RE.match(s)
        if not m:
            return None
        return _canonical(m), int(m.group("version")) if m.group("version") else None
    if s.lower().startswith(PROVISIONAL_PREFIX):
        return (s.lower(), None) if re.fullmatch(r"prov:[0-9a-f]{12}", s.lower()) else None
    s = re.sub(r"^arxiv:\s*", "", s, flags=re.IGNORECASE)
    s = re.sub(r"^oai:arxiv\.org:", "", s, flags=re.IGNORECASE)
    s = _PREFIXES.sub("", s)
    s = re.sub(r"(?:\.pdf)?(?:[?#].*)?/?$", "", s, flags=re.IGNORECASE)
    m = _FULL_RE.match(s)
    if not m:
        return None
    return _canonical(m), int(m.group("version")) if m.group("version") else None


def find_id(text: str | None) -> tuple[str, int | None] | None:
    """Find the first arXiv id inside free text (an Atom <id>, a guid, a title suffix)."""
    if not text:
        return None
    m = _ID_RE.search(text)
    if not m:
        return None
    return _canonical(m), int(m.group("version")) if m.group("version") else None


def _canonical(m: re.Match[str]) -> str:
    if m.group("new"):
        return m.group("new")
    archive, number = m.group("old").split("/")
    if "." in archive:
        arch, subj = archive.split(".")
        archive = f"{arch.lower()}.{subj.upper()}"
    else:
        archive = archive.lower()
    return f"{archive}/{number}"


def is_provisional(paper_id: str) -> bool:
    return paper_id.startswith(PROVISIONAL_PREFIX)


def provisional_id(title_key: str) -> str:
    """A stable id for a paper known only by its title."""
    import hashlib  # here, not at the top: list and filter start without it

    digest = hashlib.sha1(title_key.encode("utf-8")).hexdigest()[:12]
    return PROVISIONAL_PREFIX + digest


def abs_url(paper_id: str) -> str | None:
    return None if is_provisional(paper_id) else f"https://arxiv.org/abs/{paper_id}"


def pdf_url(paper_id: str) -> str | None:
    return None if is_provisional(paper_id) else f"https://arxiv.org/pdf/{paper_id}"


def hf_url(paper_id: str) -> str | None:
    return None if is_provisional(paper_id) else f"https://huggingface.co/papers/{paper_id}"
