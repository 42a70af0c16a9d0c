"""The Markdown papertriage writes, as HTML and as Slack's mrkdwn.

Not a CommonMark parser: a renderer for what export/writers.py produces (headings,
paragraphs, `- ` items with indented continuation lines and `  > ` quotes, links to
http(s) URLs, backslash escapes). Everything else is text, HTML-escaped, so a title
can never become markup. tests/test_notify.py holds its output to markdown-it-py's.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_HEADING = re.compile(r"^(#{1,6}) (.*)$")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# [text](url): text with escaped brackets but no bare ones, a URL without spaces or ')'
_LINK = re.compile(r"\[((?:\\.|[^\\\[\]])*)\]\(([^\s)]+)\)")
_SAFE_URL = re.compile(r"https?://", re.IGNORECASE)


def _text(raw: str) -> str:
    """Inline text without links: escapes undone, then HTML-escaped."""
    return html.escape(_ESCAPED.sub(r"\1", raw), quote=False)


def _render(raw: str, text: Callable[[str], str], link: Callable[[str, str], str]) -> str:
    """One line: its http(s) links through ``link(url, label)``, the rest through
    ``text`` (a link to another scheme stays text)."""
    out, pos = [], 0
    for m in _LINK.finditer(raw):
        url = m.group(2)
        if not _SAFE_URL.match(url):
            continue
        out.append(text(raw[pos : m.start()]))
        out.append(link(url, m.group(1)))
        pos = m.end()
    out.append(text(raw[pos:]))
    return "".join(out)


def inline(raw: str) -> str:
    """One line's inline Markdown as HTML."""
    return _render(
        raw, _text, lambda url, label: f'<a href="{html.escape(url)}">{_text(label)}</a>'
    )


def to_html(markdown: str, title: str | None = None) -> str:
    """A whole HTML document for an email's text/html part."""
    body: list[str] = []
    in_list = False
    paragraph: list[str] = []
    item: list[str] = []
    quotes: list[str] = []

    def close_item() -> None:
        if item:
            text = "\n".join(item)
            quoted = "".join(f"\n<blockquote><p>{q}</p></blockquote>" for q in quotes)
            body.append(f"<li>{text}{quoted}</li>")
            item.clear()
            quotes.clear()

    def close_paragraph() -> None:
        if paragraph:
            body.append("<p>" + "\n".join(paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal in_list
        close_item()
        if in_list:
            body.append("</ul>")
            in_list = False

    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if not line.strip():
            close_paragraph()
            continue
        if heading:
            close_paragraph()
            close_list()
            level = len(heading.group(1))
            body.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif line.startswith("- "):
            close_paragraph()
            close_item()
            if not in_list:
                body.append("<ul>")
                in_list = True
            item.append(inline(line[2:]))
        elif in_list and item and line.startswith("  > "):
            quotes.append(inline(line[4:]))
        elif in_list and item and line.startswith("  "):
            item.append(inline(line.strip()))
        else:
            close_list()
            paragraph.append(inline(line))
    close_paragraph()
    close_list()
    head = f"<title>{html.escape(title)}</title>" if title else ""
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">{head}</head>\n<body>\n'
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _slack_text(raw: str) -> str:
    text = _ESCAPED.sub(r"\1", raw)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    shown = _slack_text(label).replace("|", "¦")
    return f"<{url.replace('>', '%3E').replace('|', '%7C')}|{shown}>"


def to_slack(markdown: str) -> str:
    """Slack's mrkdwn: headings in bold, <url|text> links, bullets, & < > escaped."""
    out = []
    for line in markdown.splitlines():
        heading = _HEADING.match(line)
        if heading:
            line = heading.group(2)
        bullet = line.startswith("- ")
        if bullet:
            line = line[2:].removeprefix("[ ] ")
        text = _render(line, _slack_text, _slack_link)
        if heading:
            text = f"*{text}*"
        out.append(("• " if bullet else "") + text)
    return "\n".join(out)
