"""The triage inbox: a queue of papers, one key at a time, every decision written at once.

`Inbox` holds the queue and the undo history and writes through userdata (one
transaction per key), so killing the process loses nothing and the next run, whose
queue is "not yet triaged", resumes at the next paper. `run` drives an Inbox with any
`Screen` (a real terminal, or lines of a pipe); there is no terminal code here.
"""

from __future__ import annotations

import sqlite3
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import PapertriageError
from ..find.selection import Selection
from ..store import userdata

# key -> (action, help). Decisions first: their names are the decisions stored.
KEYS: dict[str, tuple[str, str]] = {
    "k": ("keep", "keep for later"),
    "r": ("read", "read it"),
    "s": ("skip", "skip: not interested"),
    "t": ("tag", "add tags (space-separated)"),
    "n": ("note", "write a note (empty line: $EDITOR)"),
    "o": ("open", "open the arXiv page in the browser"),
    "p": ("pdf", "open the PDF"),
    "h": ("hf", "open the Hugging Face page"),
    " ": ("expand", "full abstract / AI summary"),
    "e": ("expand", "full abstract / AI summary"),
    "↓": ("down", "scroll a long card down (↓ or PgDn)"),
    "↑": ("up", "scroll back up (↑ or PgUp)"),
    "u": ("undo", "undo the last decision"),
    "q": ("quit", "quit (decisions are already saved)"),
    "?": ("help", "this help"),
}
# Words accepted for a key on a pipe (one per line): `keep`, `space`, ...
WORDS = {"space": " ", **{action: key for key, (action, _) in reversed(KEYS.items())}}
HINT = "k keep · r read · s skip · t tag · n note · o open · u undo · q quit · ? help"
# What the footer keeps as the terminal narrows: the decisions, undo, quit and help last.
HINTS = (
    HINT,
    "k keep · r read · s skip · t tag · u undo · q quit · ? help",
    "k keep · r read · s skip · u undo · q quit · ? help",
    "k/r/s keep/read/skip · u undo · q quit · ?",
    "k r s · u undo · q quit · ?",
    "k r s u q ?",
)


# After a decision, tag or note that had to be queued (userdata: another process, an
# import or a fetch, is writing the store).
QUEUED = " (queued: an import or fetch is writing the store; saved when it ends)"


def hint_for(width: int) -> str:
    """The longest footer that fits in width columns."""
    return next((h for h in HINTS if len(h) <= width), HINTS[-1])


class Screen(Protocol):
    """What the inbox needs from a terminal (or a pipe, or a test)."""

    def show(self, inbox: Inbox, message: str) -> None: ...
    def read_key(self) -> str | None: ...  # None: end of input
    def read_line(self, prompt: str) -> str | None: ...
    def edit(self, paper_id: str) -> str | None: ...  # from $EDITOR; None: no editor here
    def open(self, url: str) -> bool: ...


@dataclass
class Inbox:
    conn: sqlite3.Connection
    queue: Queue
    index: int = 0
    expanded: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    # (decision id, or a queued decision's id: pending.py; paper; what)
    history: list[tuple[int | str, str, str]] = field(default_factory=list)

    @property
    def current(self) -> dict[str, Any] | None:
        return self.queue[self.index] if self.index < len(self.queue) else None

    @property
    def total(self) -> int:
        return len(self.queue)

    @property
    def progress(self) -> str:
        return f"{min(self.index + 1, self.total)} of {self.total}"

    def decide(self, decision: str) -> str:
        paper = self._need()
        did = userdata.decide(self.conn, paper["id"], decision)
        self.history.append((did, paper["id"], decision))
        paper["state"] = decision
        self.counts[decision] += 1
        self.index += 1
        self.expanded = False
        return f"{decision}: {paper['id']}" + (QUEUED if isinstance(did, str) else "")

    def undo(self) -> str:
        """Undo this session's last decision, or (new session) the store's last one."""
        if self.history:
            did, pid, decision = self.history.pop()
            self.counts[decision] -= 1
        else:
            last = userdata.last_decision(self.conn)
            if last is None:
                return "nothing to undo"
            did, pid, decision = last["id"], last["paper_id"], last["decision"]
        done = userdata.undo(self.conn, did)
        self._go_to(pid)
        self.queue[self.index]["state"] = userdata.state(self.conn, pid)
        self.expanded = False
        return f"undone: {decision} {pid}" + (QUEUED if done is None else "")

    def tag(self, text: str | None) -> str:
        paper = self._need()
        if text is None:
            return "tag cancelled"
        names = [t for t in text.replace(",", " ").split() if t]
        if not names:
            return "no tag given"
        added = userdata.add_tags(self.conn, [paper["id"]], names)
        if added is None:  # queued: shown as it will be
            paper["tags"] = sorted({*paper.get("tags", ()), *(t.strip() for t in names)})
            return f"tagged {paper['id']}: {', '.join(names)}{QUEUED}"
        paper["tags"] = userdata.paper_tags(self.conn, paper["id"])
        return f"tagged {paper['id']}: {', '.join(names)}"

    def note(self, text: str | None) -> str:
        paper = self._need()
        if text is None:
            return "note cancelled"
        if not text.strip():
            return "empty note: nothing added"
        added = userdata.add_note(self.conn, paper["id"], text)
        paper["notes_count"] = int(paper.get("notes_count") or 0) + 1
        return f"note added to {paper['id']}" + (QUEUED if added is None else "")

    def summary(self) -> str:
        made = sum(self.counts.values())
        parts = ", ".join(f"{k} {v}" for k, v in self.counts.items() if v)
        left = self.total - self.index
        return (
            f"Triaged {made} paper{'s' * (made != 1)}"
            + (f" ({parts})" if parts else "")
            + (f"; {left} left in this inbox." if left else "; inbox done.")
        )

    def _need(self) -> dict[str, Any]:
        paper = self.current
        if paper is None:
            raise PapertriageError("no paper on screen")
        return paper

    def _go_to(self, pid: str) -> None:
        found = self.queue.index_of(pid)
        if found is not None:
            self.index = found
            return
        self.queue.insert(self.index, pid)


class Queue:
    """The inbox's papers in order: row keys, the papers themselves (with their tags,
    state and notes count) read a page at a time as the inbox reaches them, and
    dropped again when it has moved on, so an inbox of a whole store is an array of
    keys. Reading a paper again gives what the store holds, decisions included."""

    PAGE = 50
    KEEP = 4  # pages held at once

    def __init__(self, conn: sqlite3.Connection, pks: Iterable[int]):
        self.conn = conn
        self.pks = array("q", pks)
        self.pages: dict[int, list[dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self.pks)

    def __getitem__(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self.pks):
            raise IndexError(index)
        number, at = divmod(index, self.PAGE)
        if number not in self.pages:
            self._load(number, at)
            if index >= len(self.pks):
                raise IndexError(index)
        return self.pages[number][at]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        n = 0
        while n < len(self):  # a paper merged away ahead shortens the queue
            yield self[n]
            n += 1

    def index_of(self, pid: str) -> int | None:
        pk = self._pk(pid)
        if pk is None or pk not in self.pks:
            return None
        return self.pks.index(pk)

    def insert(self, index: int, pid: str) -> None:
        pk = self._pk(pid)
        if pk is not None:
            self.pks.insert(index, pk)
            self.pages.clear()

    def _pk(self, pid: str) -> int | None:
        from ..store.queries import resolve_id

        try:
            pid = resolve_id(self.conn, pid)  # merged by a dedupe: its survivor
        except PapertriageError:
            return None
        row = self.conn.execute("SELECT pk FROM papers WHERE id = ?", [pid]).fetchone()
        return None if row is None else int(row[0])

    def _load(self, number: int, at: int) -> None:
        """Read page `number`, reached at its position `at`. A paper merged away by a
        dedupe since the keys were read leaves the queue if it is still ahead."""
        from ..find.selection import rows_for

        start = number * self.PAGE
        got: dict[int, dict[str, Any]] = {}
        while True:
            pks = list(self.pks[start : start + self.PAGE])
            got.update(rows_for(self.conn, [pk for pk in pks if pk not in got]))
            gone = [n for n in range(at, len(pks)) if pks[n] not in got]
            if not gone:
                break
            for n in reversed(gone):  # the papers after them move up into the page
                del self.pks[start + n]
        self.pages[number] = [
            _with_user_data(self.conn, got[pk]) if pk in got else dict(_GONE) for pk in pks
        ]
        for old in sorted(self.pages, key=lambda n: abs(n - number))[self.KEEP :]:
            del self.pages[old]


_GONE: dict[str, Any] = {
    "id": "",
    "title": "(merged into another paper)",
    "tags": [],
    "state": None,
}


def _with_user_data(conn: sqlite3.Connection, paper: dict[str, Any]) -> dict[str, Any]:
    paper["tags"] = userdata.paper_tags(conn, paper["id"])
    paper["state"] = userdata.state(conn, paper["id"])
    paper["notes_count"] = userdata.note_count(conn, paper["id"])
    return paper


def load_queue(conn: sqlite3.Connection, sel: Selection, by_score: bool = False) -> Queue:
    """The papers to triage, in order. With by_score, ordered by the rank module's score
    (best first) over the whole selection, then offset and limit."""
    from ..rank.ranking import keys

    if by_score:
        sel = sel._replace(sort="score")
    queue = Queue(conn, keys(conn, sel))
    for pid in userdata.queued_decided(conn):  # decided already, the decision queued
        found = queue.index_of(pid)
        if found is not None:
            del queue.pks[found]
    return queue


def help_text() -> str:
    seen: dict[str, list[str]] = {}
    for key, (_action, text) in KEYS.items():
        seen.setdefault(text, []).append("space" if key == " " else key)
    return "\n".join(f"  {'/'.join(keys):<8} {text}" for text, keys in seen.items())


def url_for(paper: dict[str, Any], action: str) -> str | None:
    return paper.get({"open": "abs_url", "pdf": "pdf_url", "hf": "hf_url"}[action])


def handle(inbox: Inbox, key: str, screen: Screen) -> str | None:
    """Apply one key; returns the message to show, or None to quit."""
    action = KEYS.get(key, KEYS.get(key.lower(), ("", "")))[0] if key else ""
    if action == "quit":
        return None
    try:
        return _ACTIONS.get(action, _unknown(key))(inbox, action, screen)
    except PapertriageError as exc:
        return f"error: {exc}"


def _decide(inbox: Inbox, action: str, screen: Screen) -> str:
    return inbox.decide(action)


def _open(inbox: Inbox, action: str, screen: Screen) -> str:
    url = url_for(inbox._need(), action)
    if not url:
        return "no link of that kind for this paper"
    return f"opened {url}" if screen.open(url) else f"no browser available: {url}"


def _note(inbox: Inbox, action: str, screen: Screen) -> str:
    text = screen.read_line("note (empty line opens $EDITOR): ")
    if text is not None and not text.strip():
        text = screen.edit(inbox._need()["id"])
    return inbox.note(text)


def _expand(inbox: Inbox, action: str, screen: Screen) -> str:
    inbox.expanded = not inbox.expanded
    return ""


def _scroll(screen: Screen, pages: int) -> str:
    scroll = getattr(screen, "scroll", None)  # a terminal scrolls; a pipe shows it all
    return str(scroll(pages)) if scroll is not None else ""


def _unknown(key: str) -> Callable[[Inbox, str, Screen], str]:
    return lambda inbox, action, screen: f"unknown key {key!r}: press ? for help"


_ACTIONS: dict[str, Callable[[Inbox, str, Screen], str]] = {
    "keep": _decide,
    "read": _decide,
    "skip": _decide,
    "undo": lambda inbox, action, screen: inbox.undo(),
    "tag": lambda inbox, action, screen: inbox.tag(screen.read_line("tags: ")),
    "note": _note,
    "open": _open,
    "pdf": _open,
    "hf": _open,
    "expand": _expand,
    "down": lambda inbox, action, screen: _scroll(screen, 1),
    "up": lambda inbox, action, screen: _scroll(screen, -1),
    "help": lambda inbox, action, screen: "keys:\n" + help_text(),
}


def run(inbox: Inbox, screen: Screen) -> Inbox:
    """Show papers and apply keys until the queue is done, `q`, or the input ends."""
    message = ""
    while inbox.current is not None:
        screen.show(inbox, message)
        key = screen.read_key()
        if key is None:
            break
        result = handle(inbox, key, screen)
        if result is None:
            break
        message = result
    return inbox
