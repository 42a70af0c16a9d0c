"""Safety: what papertriage refuses to do with hostile input, and what it never does.

Config only through yaml.safe_load; only http(s) fetched, also after redirects; bodies
size-capped; XML without entity expansion; no shell; private files; no network outside
`fetch`. (Markdown/HTML and CSV escaping of exports: tests/test_properties.py.)
"""

from __future__ import annotations

import ast
import contextlib
import io
import json
import os
import re
import socket
import sqlite3
import stat
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from papertriage.errors import InputError
from papertriage.sources.formats import parse_bytes

SRC = Path(__file__).parent.parent / "src" / "papertriage"
FIXTURES = Path(__file__).parent / "fixtures"
HF_DAY = FIXTURES / "hf_daily" / "2026-08-12.json"


class Server:
    """127.0.0.1 HTTP server answering each path with a scripted (status, headers, body)."""

    def __init__(self, routes: dict[str, list[tuple[int, dict[str, str], bytes]]]) -> None:
        self.seen: list[str] = []
        seen = self.seen

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                seen.append(self.path)
                answers = routes.get(self.path.split("?")[0]) or [(404, {}, b"")]
                status, headers, body = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if "Content-Length" not in headers and "Transfer-Encoding" not in headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if headers.get("Transfer-Encoding") == "chunked":
                    for start in range(0, len(body), 4096):
                        chunk = body[start : start + 4096]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        class Quiet(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass

        self.server = Quiet(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve(monkeypatch, tmp_path):
    servers: list[Server] = []

    def start(routes, config: str = "") -> Server:
        server = Server(routes)
        servers.append(server)
        monkeypatch.setenv("PAPERTRIAGE_HF_URL", server.url)
        monkeypatch.setenv("PAPERTRIAGE_ARXIV_RSS_URL", server.url + "/rss")
        cfg = tmp_path / "home" / "config.yaml"
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text(config or "sources: [hf]\nhttp: {attempts: 2, backoff: 0.01}\n")
        return server

    yield start
    for server in servers:
        server.close()


DAILY = "/api/daily_papers"


# ---- config -------------------------------------------------------------------------


def test_config_is_read_with_safe_load_only(cli, tmp_path):
    marker = tmp_path / "pwned"
    cfg = tmp_path / "home" / "config.yaml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text(f'contact: !!python/object/apply:os.system ["touch {marker}"]\n')
    result = cli("config", "show")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {cfg}") and "invalid YAML" in result.stderr
    assert not marker.exists()
    assert "Traceback" not in result.output


def test_no_yaml_load_other_than_safe_load_in_the_source():
    calls = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {
                "load",
                "unsafe_load",
                "full_load",
                "load_all",
            }:
                if isinstance(node.value, ast.Name) and node.value.id == "yaml":
                    calls.append(f"{path.name}:{node.lineno}")
    assert calls == []


# ---- what is fetched ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://127.0.0.1/", "//no-scheme"]
)
def test_only_http_base_urls_are_accepted(cli, monkeypatch, url):
    monkeypatch.setenv("PAPERTRIAGE_HF_URL", url)
    result = cli("fetch", "--date", "2026-08-12")
    assert result.exit_code == 1
    assert "http(s) URL" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_redirect_to_a_file_url_is_not_followed(cli, serve, db_file):
    serve({DAILY: [(302, {"Location": "file:///etc/passwd"}, b"")]})
    result = cli("fetch", "--date", "2026-08-12")
    assert result.exit_code == 1
    assert "root:" not in result.output
    assert "Error: hf 2026-08-12" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("chunked", [False, True])
def test_response_bodies_are_size_capped(cli, serve, chunked):
    big = b"[" + b" " * 200_000 + b"]"
    headers = {"Content-Type": "application/json"}
    if chunked:  # no Content-Length: the cap is enforced while reading
        headers["Transfer-Encoding"] = "chunked"
    serve({DAILY: [(200, headers, big)]}, "sources: [hf]\nhttp: {max_bytes: 50000}\n")
    result = cli("fetch", "--date", "2026-08-12")
    assert result.exit_code == 1
    assert "max_bytes" in result.stderr


def test_a_non_ascii_digit_retry_after_is_not_a_crash(cli, serve):
    body = HF_DAY.read_bytes()
    server = serve(
        {
            DAILY: [
                (503, {"Retry-After": "\u00b2"}, b"busy"),  # '²'.isdigit() is True
                (200, {"Content-Type": "application/json"}, body),
            ]
        }
    )
    result = cli("fetch", "--date", "2026-08-12")
    assert result.exit_code == 0, result.output
    assert len(server.seen) == 2


# ---- XML without entity expansion ---------------------------------------------------

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE feed [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>
<title>&d;</title></entry></feed>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/abs/2401.00001v1</id>
<title>&secret;</title></entry></feed>"""


@pytest.mark.parametrize("fmt", ["arxiv-api", "arxiv-rss", "arxiv-oai"])
@pytest.mark.parametrize("payload", [LAUGHS, XXE], ids=["billion-laughs", "external-entity"])
def test_xml_entities_are_refused(fmt, payload):
    for kind in (payload, payload.replace(b"feed", b"rss").replace(b"entry", b"item")):
        with pytest.raises(InputError) as err:
            list(parse_bytes(kind, "evil.xml", fmt))
        assert "\n" not in str(err.value) and str(err.value).startswith("evil.xml")


def test_html_pages_do_not_expand_entities_either():
    page = (FIXTURES / "hf_page" / "paper_2509.24002_prettified.html").read_bytes()
    doctype = b'<!DOCTYPE html [<!ENTITY secret SYSTEM "file:///etc/hostname">]>'
    evil = doctype + page.replace(b"<title>", b"<title>&secret;", 1)
    papers = list(parse_bytes(evil, "page.html", "hf-html"))
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    assert papers and papers[0].id == "2509.24002"
    assert not hostname or all(hostname not in (p.title or "") for p in papers)


def test_no_plain_elementtree_parsing_in_the_source():
    """Untrusted XML goes through defusedxml; xml.etree is imported only for types."""
    bad = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("xml.etree", "xml.dom", "xml.sax", "lxml")
            ):
                names = {a.name for a in node.names}
                if names - {"Element", "ParseError", "tostring"}:
                    bad.append(f"{path.name}: from {node.module} import {names}")
            if isinstance(node, ast.Import):
                bad += [
                    f"{path.name}: import {a.name}"
                    for a in node.names
                    if a.name.startswith(("xml.", "lxml"))
                ]
    assert bad == []


# ---- no shell -----------------------------------------------------------------------


def test_no_command_runs_a_shell():
    found = []
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "get_completion_script"
            ):
                continue  # Typer's completion script for a named shell: text, nothing run
            for keyword in node.keywords if isinstance(node, ast.Call) else ():
                if keyword.arg == "shell":
                    found.append(f"{path.name}:{keyword.lineno} shell=")
            if isinstance(node, ast.Attribute) and node.attr in {"system", "popen", "spawnl"}:
                if isinstance(node.value, ast.Name) and node.value.id == "os":
                    found.append(f"{path.name}:{node.lineno} os.{node.attr}")
    assert found == []


def test_editor_with_shell_syntax_is_not_run_by_a_shell(cli, tmp_path, monkeypatch):
    cli("import", HF_DAY)
    marker = tmp_path / "pwned"
    monkeypatch.setenv("EDITOR", f"true; touch {marker}")
    monkeypatch.delenv("VISUAL", raising=False)
    result = cli("note", "2608.10744")
    assert result.exit_code == 1
    assert "cannot run editor 'true;'" in result.stderr
    assert not marker.exists()


# ---- files ----------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_store_wal_shm_backup_and_lock_files_are_private(cli, serve, db_file, tmp_path):
    old = os.umask(0o022)
    try:
        serve({DAILY: [(200, {"Content-Type": "application/json"}, HF_DAY.read_bytes())]})
        assert cli("fetch", "--date", "2026-08-12").exit_code == 0
        from papertriage.store.db import open_db

        conn = open_db(db_file)  # keep it open: -wal and -shm exist now
        conn.execute("SELECT count(*) FROM papers").fetchone()
        files = [db_file, Path(f"{db_file}-wal"), Path(f"{db_file}-shm")]
        files.append(db_file.with_name(db_file.name + ".fetch.lock"))
        assert cli("db", "backup", tmp_path / "b.db").exit_code == 0
        files.append(tmp_path / "b.db")
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        conn.close()
    finally:
        os.umask(old)


# ---- no network outside fetch --------------------------------------------------------


def test_offline_commands_open_no_socket(cli, monkeypatch, tmp_path):
    """No telemetry, no update check: everything but fetch works with sockets disabled."""
    opened = []

    def no_socket(*args, **kwargs):
        opened.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "socket", no_socket)
    monkeypatch.setattr(socket, "create_connection", no_socket)
    monkeypatch.setenv("EDITOR", "true")
    commands = [
        ("import", HF_DAY),
        ("list", "-n", "3"),
        ("filter", "video", "-f", "json"),
        ("show", "2608.10744", "--json"),
        ("tag", "2608.10744", "video"),
        ("note", "2608.10744", "good"),
        ("mark", "2608.10744", "keep"),
        ("tags",),
        ("rank", "-n", "3"),
        ("export", "-f", "md"),
        ("export", "-f", "csv"),
        ("digest", "--no-fetch"),
        ("dedupe", "--dry-run"),
        ("db", "info"),
        ("db", "check"),
        ("db", "backup", tmp_path / "b.db"),
        ("config", "path"),
    ]
    for args in commands:
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    assert opened == []


def test_another_programs_sqlite_database_is_refused_untouched(cli, tmp_path):
    import hashlib
    import sqlite3

    other = tmp_path / "places.sqlite"
    raw = sqlite3.connect(other)
    raw.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    raw.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
    raw.commit()
    raw.close()
    before = hashlib.sha256(other.read_bytes()).hexdigest()
    for args in (("list",), ("import", HF_DAY), ("db", "check")):
        result = cli(*args, "--db", other)
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"Error: {other}: a SQLite database, but not a papertriage store "
            "(use --db to pick another file)"
        )
    assert hashlib.sha256(other.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "places.sqlite"] or sorted(
        p.name for p in tmp_path.iterdir()
    ) == ["places.sqlite"]


# ---- no control character reaches the store or a terminal ---------------------------

HOSTILE_TITLE = "Attack \x1b]0;pwned\x07 on \x1b[2J terminals\x9b31m \ud800 here\r"
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _hostile_jsonl(tmp_path: Path) -> Path:
    records = [
        {"id": "2401.00001", "title": HOSTILE_TITLE, "primary_category": "cs.LG",
         "authors": ["Eve \x1b[31mRed"], "abstract": "one\ntwo\x1b[2J", "license": "x\x1by"},
        {"id": "2401.00002", "title": "Plain", "primary_category": "cs.LG"},
    ]  # fmt: skip
    path = tmp_path / "hostile.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_control_characters_are_stripped_when_text_enters_the_store(cli, tmp_path, db_file):
    assert cli("import", _hostile_jsonl(tmp_path)).exit_code == 0
    conn = sqlite3.connect(db_file)
    for row in conn.execute("SELECT * FROM papers"):
        for value in row:
            assert not (isinstance(value, str) and _CONTROLS.search(value)), value
    title = conn.execute("SELECT title FROM papers WHERE id = '2401.00001'").fetchone()[0]
    assert title == "Attack ]0;pwned on [2J terminals31m \ufffd here"
    for fmt in ("table", "csv", "jsonl", "json", "ids"):
        result = cli("list", "-f", fmt)
        assert result.exit_code == 0
        assert "\x1b" not in result.stdout and "\x9b" not in result.stdout, fmt


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("kind", ["list", "rank", "show"])
def test_a_terminal_never_gets_a_control_character_from_stored_text(kind, monkeypatch):
    """Text stored before the rule (or by another program) is shown without them."""
    from papertriage.cli.rank_view import write_ranked
    from papertriage.cli.render import paper_detail
    from papertriage.output import Format, write_rows

    row = {"id": "2401.00001", "title": HOSTILE_TITLE, "authors": ["Eve \x1b[31mRed"],
           "primary_category": "cs\x1b[2J", "abstract": "a\x1b]0;x\x07", "tags": ["t\x1bx"]}  # fmt: skip
    screen = _Terminal()
    monkeypatch.setattr(sys, "stdout", screen)
    monkeypatch.setenv("TERM", "dumb")  # Rich then adds no escapes of its own
    monkeypatch.setenv("COLUMNS", "120")
    if kind == "list":
        write_rows([row], Format.table)
    elif kind == "rank":
        write_ranked([(1.0, row)], Format.table)
    else:
        paper_detail(row, screen)
    text = screen.getvalue()
    assert "pwned" in text and "terminals" in text
    assert not _CONTROLS.search(text.replace("\n", "")), repr(text)


def test_the_show_card_styles_only_with_its_own_escapes(monkeypatch):
    """On a colour terminal the card adds SGR codes, and nothing from the data."""
    from papertriage.cli.render import paper_detail

    row = {"id": "2401.00001", "title": HOSTILE_TITLE, "authors": ["Eve \x1b[31mRed"],
           "abstract": "a\x1b]0;x\x07", "tags": ["t\x1bx"]}  # fmt: skip
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    screen = _Terminal()
    paper_detail(row, screen, width=60)
    text = screen.getvalue()
    assert "\x1b[1m" in text and "\x1b[36m2401.00001\x1b[0m" in text
    assert not _CONTROLS.search(re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\n", ""))
    monkeypatch.setenv("NO_COLOR", "1")  # weight stays, colour goes
    screen = _Terminal()
    paper_detail(row, screen, width=60)
    assert "\x1b[1m" in screen.getvalue() and "\x1b[36m" not in screen.getvalue()


def test_directories_and_files_are_private_under_umask_000(cli, tmp_path, monkeypatch):
    """Whatever the umask, papertriage's directories are 0700 and its files 0600."""
    from papertriage.cli import fastpath

    home = tmp_path / "deep" / "home"
    monkeypatch.setenv("PAPERTRIAGE_HOME", str(home))
    monkeypatch.setenv("PAPERTRIAGE_CONFIG", str(home / "conf" / "config.yaml"))
    old = os.umask(0)
    try:
        assert cli("import", HF_DAY).exit_code == 0
        assert cli("config", "init").exit_code == 0
        out = tmp_path / "out"
        out.mkdir()
        assert cli("export", "-o", out / "papers.bib").exit_code == 0
        assert cli("export", "-o", out / "papers.json", "--format", "json").exit_code == 0
        with contextlib.redirect_stdout(io.StringIO()):
            assert fastpath.try_run(["list", "--help"]) == 0  # writes the help cache
    finally:
        os.umask(old)
    dirs = [tmp_path / "deep", home, *(p for p in home.rglob("*") if p.is_dir())]
    files = [p for p in home.rglob("*") if p.is_file()] + list(out.iterdir())
    assert len(dirs) >= 4 and len(files) >= 5, (dirs, files)
    assert {str(d): _mode(d) for d in dirs} == {str(d): 0o700 for d in dirs}
    assert {str(f): _mode(f) for f in files} == {str(f): 0o600 for f in files}
