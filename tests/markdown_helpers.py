"""Markdown parsed back with markdown-it-py, for the export and digest tests."""

from markdown_it import MarkdownIt


def parse(text: str):
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def items(tokens):
    """[(link href, link text, whole inline text)] for each task-list item's first line."""
    out = []
    for n, tok in enumerate(tokens):
        if tok.type == "list_item_open":
            inline = next(t for t in tokens[n:] if t.type == "inline")
            if not inline.content.startswith("[ ] "):
                continue
            kids = inline.children
            start = next(i for i, k in enumerate(kids) if k.type == "link_open")
            end = next(i for i, k in enumerate(kids) if k.type == "link_close")
            text = "".join(k.content for k in kids[start + 1 : end])
            out.append((kids[start].attrs["href"], text, inline))
    return out


def html_tokens(tokens):
    found = [t for t in tokens if t.type.startswith("html")]
    for t in tokens:
        found += [k for k in t.children or [] if k.type.startswith("html")]
    return found
