"""Where the triage inbox meets the user: a real terminal, or lines on a pipe.

TerminalScreen reads single keys in cbreak mode (no Enter, no echo; Ctrl-C still
interrupts) and draws one paper per screen with Rich on the alternate screen; the
terminal is restored on every way out (quit, end of queue, exception, Ctrl-C, SIGTERM).
The card always fits the terminal: title, authors, id and footer stay, a long abstract
(or the help) scrolls inside it (↓/↑, PgDn/PgUp), the footer shortens with the width,
and a resize redraws at once (SIGWINCH), without waiting for a key.
LineScreen reads one key per line and prints plain text, so triage can be scripted.
"""

from __future__ import annotations

import codecs
import os
import select
import signal
import webbrowser
from typing import Any, TextIO

from ..models import paper_day
from ..output import short_authors
from .inbox import HINT, WORDS, Inbox, hint_for

SUMMARY_CHARS = 700


def open_url(url: str) -> bool:
    """Open a link with the stdlib's webbrowser (never through a shell)."""
    try:
        return bool(webbrowser.open(url, new=2))
    except webbrowser.Error:
        return False


class LineScreen:
    """One key per line in (a letter, or a word: keep, skip, space...), plain text out."""

    def __init__(self, lines: TextIO, out: TextIO) -> None:
        self.lines = lines
        self.out = out
        self._shown: tuple[str, bool] | None = None

    def show(self, inbox: Inbox, message: str) -> None:
        if message:
            self.out.write(message + "\n")
        paper = inbox.current
        assert paper is not None
        if self._shown != (paper["id"], inbox.expanded):
            self.out.write(plain_card(paper, inbox.progress, inbox.expanded))
            self._shown = (paper["id"], inbox.expanded)
        self.out.flush()

    def read_key(self) -> str | None:
        while True:
            line = self.lines.readline()
            if not line:
                return None
            text = line.rstrip("\r\n")
            if text == " ":
                return " "
            word = text.strip()
            if word:
                return word if len(word) == 1 else WORDS.get(word.lower(), word)

    def read_line(self, prompt: str) -> str | None:
        line = self.lines.readline()
        if not line or "\x1b" in line:  # Esc cancels, as on a terminal
            return None
        return line.rstrip("\r\n")

    def edit(self, paper_id: str) -> str | None:
        return None  # no terminal for an editor

    def open(self, url: str) -> bool:
        return open_url(url)


def plain_card(paper: dict[str, Any], progress: str, expanded: bool) -> str:
    facts = [paper_day(paper) or "", " ".join(paper.get("categories") or [])]
    if paper.get("hf_upvotes") is not None:
        facts.append(f"▲ {paper['hf_upvotes']}")
    lines = [
        f"[{progress}] {paper['id']}  {paper.get('title') or '(no title)'}",
        "  " + short_authors(paper.get("authors") or [], 3),
        "  " + " · ".join(f for f in facts if f),
    ]
    if paper.get("tags"):
        lines.append("  tags: " + ", ".join(paper["tags"]))
    if paper.get("abs_url"):
        lines.append("  " + paper["abs_url"])
    if expanded:
        lines.append("  " + (paper.get("abstract") or paper.get("ai_summary") or "(no abstract)"))
    return "\n".join(lines) + "\n"


class TerminalScreen:
    """Single keys from a terminal, a Rich card per paper. Use as a context manager."""

    def __init__(self, fd: int, console: Any) -> None:
        self.fd = fd
        self.console = console
        self._saved: list[Any] | None = None
        self._old_term: Any = None
        self._old_winch: Any = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._shown: tuple[Inbox, str] | None = None
        self._card: tuple[str, bool, str] | None = None  # paper, expanded, message
        self._scroll = 0
        self._resized = False

    def __enter__(self) -> TerminalScreen:
        import termios

        self._saved = termios.tcgetattr(self.fd)
        self._old_term = signal.signal(signal.SIGTERM, _exit_on_signal)
        self._old_winch = signal.signal(signal.SIGWINCH, self._on_resize)
        self.console.set_alt_screen(True)
        self.console.show_cursor(False)
        self._keys_mode()
        return self

    def __exit__(self, *exc: object) -> None:
        self._line_mode()
        self.console.show_cursor(True)
        self.console.set_alt_screen(False)
        signal.signal(signal.SIGTERM, self._old_term)
        signal.signal(signal.SIGWINCH, self._old_winch)

    def _on_resize(self, signum: int, frame: Any) -> None:
        self._resized = True

    def scroll(self, pages: int) -> str:
        """Move the card's scrolled part by about half a screen (clamped when drawn);
        returns the message to keep showing (the help, when that is what scrolls)."""
        self._scroll = max(0, self._scroll + pages * max(1, self.console.height // 2))
        message = self._shown[1] if self._shown else ""
        return message if "\n" in message else ""

    def _keys_mode(self) -> None:
        import tty

        tty.setcbreak(self.fd)

    def _line_mode(self) -> None:
        import termios

        if self._saved is not None:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def show(self, inbox: Inbox, message: str) -> None:
        paper = inbox.current
        assert paper is not None
        card = (paper["id"], inbox.expanded, message)
        if card != self._card:  # another paper, or the abstract opened: from the top
            self._card, self._scroll = card, 0
        self._shown = (inbox, message)
        panel, self._scroll = fitted_card(
            self.console, paper, inbox.progress, inbox.expanded, message, self._scroll
        )
        self.console.clear()
        self.console.print(panel)

    def read_key(self) -> str | None:
        while True:
            if self._resized and self._shown:
                self._resized = False
                self.show(*self._shown)
            if not select.select([self.fd], [], [], 0.1)[0]:
                continue
            data = os.read(self.fd, 1)
            if not data or data == b"\x04":  # end of input, Ctrl-D
                return None
            if data == b"\x1b":  # an escape sequence: arrows and pages scroll, others wait
                rest = b""
                while select.select([self.fd], [], [], 0.02)[0]:
                    rest += os.read(self.fd, 16)
                key = _SEQUENCES.get(rest)
                if key:
                    return key
                continue
            text = self._decoder.decode(data)
            if text:
                return text

    def read_line(self, prompt: str) -> str | None:
        """A line typed at the prompt, edited here key by key (still in cbreak mode):
        Enter ends it, Esc (or Ctrl-D on an empty line) cancels it (None), Backspace and
        Ctrl-U erase; other control keys and escape sequences (arrows) are ignored, so
        no control character gets into a tag or note."""
        self.console.show_cursor(True)
        self._echo(prompt)
        chars: list[str] = []
        try:
            while True:
                data = os.read(self.fd, 1)
                if not data or (data == b"\x04" and not chars):
                    return None
                if data == b"\x1b":
                    if not self._sequence():  # Esc alone, not the start of a sequence
                        return None
                elif data in (b"\r", b"\n"):
                    self._echo("\n")
                    return "".join(chars)
                elif data in (b"\x7f", b"\x08", b"\x15"):
                    for _ in range(len(chars) if data == b"\x15" else min(len(chars), 1)):
                        chars.pop()
                        self._echo("\b \b")
                elif (text := self._decoder.decode(data)) and text.isprintable():
                    chars.append(text)
                    self._echo(text)
        finally:
            self.console.show_cursor(False)

    def _sequence(self) -> bool:
        """Read the rest of an escape sequence after ESC (an arrow key's ESC [ D, ESC O P,
        Alt+key's ESC x); False when ESC came alone: the Esc key."""
        if not select.select([self.fd], [], [], 0.05)[0]:
            return False
        first = os.read(self.fd, 1)
        if first == b"O":
            os.read(self.fd, 1)
        elif first == b"[":  # CSI: parameter bytes, then a final byte in @..~
            while (byte := os.read(self.fd, 1)) and not 0x40 <= byte[0] <= 0x7E:
                pass
        return True

    def _echo(self, text: str) -> None:
        self.console.file.write(text)
        self.console.file.flush()

    def edit(self, paper_id: str) -> str | None:
        from .editor import edit_note

        self._line_mode()
        self.console.set_alt_screen(False)
        try:
            return edit_note(paper_id)
        finally:
            self.console.set_alt_screen(True)
            self._keys_mode()

    def open(self, url: str) -> bool:
        self._line_mode()  # a text-mode browser may take over the terminal
        try:
            return open_url(url)
        finally:
            self._keys_mode()


_SEQUENCES = {b"[B": "↓", b"OB": "↓", b"[6~": "↓", b"[A": "↑", b"OA": "↑", b"[5~": "↑"}


def fitted_card(
    console: Any,
    paper: dict[str, Any],
    progress: str,
    expanded: bool,
    message: str = "",
    scroll: int = 0,
) -> tuple[Any, int]:
    """The card at the console's size, and the scroll position used: what is around the
    body always shows; the body (the abstract, or a message of several lines such as the
    help) gets the rows left, from line `scroll`, with a line saying what is above/below."""
    from rich.text import Text

    width, height = console.width, console.height
    inner = max(10, width - 4)  # borders and padding
    head, links = _card_head(paper), _card_links(paper)
    note = Text(message, style="yellow") if message and "\n" not in message else None
    body = Text(message, style="yellow") if message and "\n" in message else _body(paper, expanded)

    def rows(parts: list[Any]) -> int:
        return sum(len(part.wrap(console, inner)) for part in parts)

    # 2 borders, 2 blank lines, and the line the cursor rests on after the card
    room = height - rows(head) - rows(links) - 5 - (rows([note]) if note else 0)
    lines = body.wrap(console, inner)
    if len(lines) > max(room, 1):
        window = max(room - 1, 1)
        scroll = min(scroll, len(lines) - window)
        shown = Text("\n").join(lines[scroll : scroll + window])
        above, below = scroll, len(lines) - scroll - window
        where = [f"↑ {above} lines above" if above else "", f"↓ {below} more" if below else ""]
        shown.append("\n" + " · ".join(w for w in where if w) + " (↑/↓ scroll)", "dim")
        body = shown
    else:
        scroll = 0
    return _panel(head, body, links, progress, hint_for(width - 4), note), scroll


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def rich_card(paper: dict[str, Any], progress: str, expanded: bool) -> Any:
    """The whole card, at any height (fitted_card fits it to a terminal)."""
    return _panel(_card_head(paper), _body(paper, expanded), _card_links(paper), progress, HINT)


def _card_head(paper: dict[str, Any]) -> list[Any]:
    """Title, authors, id and facts, tags, notes, state: what a card always shows."""
    from rich.text import Text

    parts: list[Any] = [Text(paper.get("title") or "(no title)", style="bold")]
    authors = paper.get("authors") or []
    shown = ", ".join(authors[:8]) + (f" +{len(authors) - 8} more" if len(authors) > 8 else "")
    parts.append(Text(shown, style="dim"))
    facts = Text()
    facts.append(paper["id"] + (f"v{paper['version']}" if paper.get("version") else ""), "cyan")
    for value, style in (
        (paper_day(paper), ""),
        (" ".join(paper.get("categories") or []), "magenta"),
        (
            f"▲ {paper['hf_upvotes']} upvotes" if paper.get("hf_upvotes") is not None else "",
            "green",
        ),
        (f"★ {paper['github_stars']}" if paper.get("github_stars") else "", "yellow"),
    ):
        if value:
            facts.append(" · ")
            facts.append(value, style)
    parts.append(facts)
    if paper.get("tags"):
        parts.append(Text("tags: " + ", ".join(paper["tags"]), style="green"))
    if paper.get("notes_count"):
        n = paper["notes_count"]
        parts.append(
            Text(f"{n} note{'s' * (n != 1)} (papertriage show {paper['id']})", style="green")
        )
    if paper.get("state"):
        parts.append(Text(f"already triaged: {paper['state']}", style="yellow"))
    return parts


def _card_links(paper: dict[str, Any]) -> list[Any]:
    from rich.text import Text

    return [
        Text.assemble((f"{label:>5} ", "bold"), (paper[key], "blue"))
        for label, key in (
            ("arXiv", "abs_url"),
            ("PDF", "pdf_url"),
            ("HF", "hf_url"),
            ("code", "code_url"),
        )  # fmt: skip
        if paper.get(key)
    ]


def _panel(
    head: list[Any], body: Any, links: list[Any], progress: str, hint: str, note: Any = None
) -> Any:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts = [*head, Text(""), body, Text(""), *links, *([note] if note else [])]
    return Panel(
        Group(*parts),
        title=f"triage · {progress}",
        title_align="left",
        subtitle=hint,
        subtitle_align="left",
        padding=(0, 1),
    )


def _body(paper: dict[str, Any], expanded: bool) -> Any:
    from rich.text import Text

    abstract = paper.get("abstract") or ""
    summary = paper.get("ai_summary")
    if expanded or (not summary and len(abstract) <= SUMMARY_CHARS):
        text = Text(abstract or "(no abstract)")
        if expanded and summary:
            text.append("\n\nAI summary: ", "bold").append(summary)
        return text
    if summary:
        return (
            Text("AI summary: ", "bold").append(summary).append("\n(space: full abstract)", "dim")
        )
    cut = abstract[:SUMMARY_CHARS].rsplit(" ", 1)[0]
    return Text(cut + " …").append("\n(space: full abstract)", "dim")
