"""The triage inbox: scripted sessions through the CLI, a killed process, a real pty."""

import os
import select
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from papertriage.find.selection import Selection
from papertriage.find.selection import select as select_papers
from papertriage.triage import inbox as triage

HF = "hf_daily/2025-10-30.json"


@pytest.fixture
def inbox_ids(cli, fixture_path):
    """The HF day imported; the ids in the order triage shows them (newest first)."""
    assert cli("import", fixture_path(HF)).exit_code == 0
    ids = cli("list", "-n", "100", "-f", "ids").stdout.split()
    assert len(ids) == 20
    return ids


def decisions(db_file):
    conn = sqlite3.connect(db_file)
    try:
        return conn.execute(
            "SELECT paper_id, decision, undone FROM decisions ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_scripted_session_writes_every_decision(cli, cli_json, inbox_ids, db_file):
    keys = "k\nr\ns\nt\nlater video\nn\nlooks solid\nq\n"
    result = cli("triage", input=keys)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"[1 of 20] {inbox_ids[0]}  VFXMaster: Unlocking")
    assert f"[4 of 20] {inbox_ids[3]}" in result.stdout
    assert "Triaged 3 papers (keep 1, read 1, skip 1); 17 left in this inbox." in result.stderr
    assert decisions(db_file) == [
        (inbox_ids[0], "keep", 0),
        (inbox_ids[1], "read", 0),
        (inbox_ids[2], "skip", 0),
    ]
    fourth = cli_json("show", inbox_ids[3], "--json")
    assert fourth["tags"] == ["later", "video"] and fourth["decisions"] == []
    assert [n["text"] for n in fourth["notes"]] == ["looks solid"]


def test_next_run_resumes_at_the_next_paper(cli, inbox_ids, db_file):
    cli("triage", input="k\ns\n")  # input ends: the session ends, decisions stay
    result = cli("triage", input="r\nq\n")
    assert result.stdout.startswith(f"[1 of 18] {inbox_ids[2]}")
    assert [d[0] for d in decisions(db_file)] == inbox_ids[:3]
    assert cli("list", "--unseen", "-n", "100", "-f", "ids").stdout.split() == inbox_ids[3:]


def test_undo_goes_back_and_records_the_new_decision(cli, inbox_ids, db_file):
    result = cli("triage", input="k\nu\nr\nq\n")
    assert "undone: keep " + inbox_ids[0] in result.stdout
    assert result.stdout.count(f"[1 of 20] {inbox_ids[0]}") == 2  # shown again after undo
    assert decisions(db_file) == [(inbox_ids[0], "keep", 1), (inbox_ids[0], "read", 0)]
    assert "(read 1)" in result.stderr


def test_undo_in_a_new_session_undoes_the_last_stored_decision(cli, inbox_ids, db_file):
    cli("triage", input="s\nk\nq\n")
    result = cli("triage", input="u\nq\n")
    assert f"undone: keep {inbox_ids[1]}" in result.stdout
    assert f"[1 of 19] {inbox_ids[1]}" in result.stdout  # brought back to the front
    assert decisions(db_file) == [(inbox_ids[0], "skip", 0), (inbox_ids[1], "keep", 1)]
    last = cli("triage", input="u\nu\nu\nq\n").stdout
    assert f"undone: skip {inbox_ids[0]}" in last and last.count("nothing to undo") == 2
    assert decisions(db_file)[0] == (inbox_ids[0], "skip", 1)


def test_words_help_expand_and_unknown_keys(cli, inbox_ids, db_file):
    result = cli("triage", input="help\nspace\nx\nkeep\n\nskip\nquit\n")
    out = result.stdout
    assert "u        undo the last decision" in out and "space/e  full abstract" in out
    assert "Visual effects (VFX) are crucial" in out  # the expanded abstract
    assert "unknown key 'x': press ? for help" in out
    assert decisions(db_file) == [(inbox_ids[0], "keep", 0), (inbox_ids[1], "skip", 0)]


def test_filter_options_pick_the_queue(cli, cli_json, inbox_ids, db_file):
    popular = [p["id"] for p in cli_json("list", "--min-upvotes", "30", "-n", "100", "-f", "json")]
    assert 0 < len(popular) < 20
    result = cli("triage", "--min-upvotes", "30", input="k\n" * len(popular))
    assert result.exit_code == 0
    assert "inbox done." in result.stderr
    assert [d[0] for d in decisions(db_file)] == popular
    again = cli("triage", "--min-upvotes", "30", input="k\n")
    assert "Nothing to triage" in again.stderr and decisions(db_file)[-1][0] == popular[-1]


def test_seen_retriages_decided_papers(cli, inbox_ids, db_file):
    cli("mark", inbox_ids[5], "skip")
    result = cli("triage", "--seen", input="k\n")
    assert result.stdout.startswith(f"[1 of 1] {inbox_ids[5]}")
    assert decisions(db_file)[-1] == (inbox_ids[5], "keep", 0)


def test_open_key_uses_the_browser(cli, inbox_ids, monkeypatch):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url, new=0: opened.append(url) or True)
    result = cli("triage", input="o\np\nh\nq\n")
    base = inbox_ids[0]
    assert opened == [
        f"https://arxiv.org/abs/{base}",
        f"https://arxiv.org/pdf/{base}",
        f"https://huggingface.co/papers/{base}",
    ]
    assert f"opened https://arxiv.org/abs/{base}" in result.stdout


class FakeScreen:
    """Keys and answers from a list; records what was shown and opened."""

    def __init__(self, keys, lines=(), note_from_editor=None):
        self.keys = list(keys)
        self.lines = list(lines)
        self.note_from_editor = note_from_editor
        self.shown = []
        self.opened = []

    def show(self, inbox, message):
        self.shown.append((inbox.current["id"], inbox.progress, message))

    def read_key(self):
        return self.keys.pop(0) if self.keys else None

    def read_line(self, prompt):
        return self.lines.pop(0) if self.lines else None

    def edit(self, paper_id):
        return self.note_from_editor

    def open(self, url):
        self.opened.append(url)
        return True


def test_inbox_state_machine(conn, cli, fixture_path):
    cli("import", fixture_path(HF))
    queue = triage.load_queue(conn, Selection(seen=False, limit=3))
    screen = FakeScreen(
        ["k", "n", "t", "s", "u", "u", "r"], lines=["", "a,b"], note_from_editor="from editor"
    )
    inbox = triage.run(triage.Inbox(conn, queue), screen)
    ids = [p["id"] for p in queue]
    assert [s[1] for s in screen.shown] == [
        "1 of 3", "2 of 3", "2 of 3", "2 of 3", "3 of 3", "2 of 3", "1 of 3", "2 of 3",
    ]  # fmt: skip
    assert screen.shown[2][2] == f"note added to {ids[1]}"
    assert screen.shown[3][2] == f"tagged {ids[1]}: a, b"
    assert screen.shown[-2][2] == f"undone: keep {ids[0]}"
    assert screen.shown[-1][2] == f"read: {ids[0]}"
    assert inbox.index == 1 and dict(inbox.counts) == {"keep": 0, "skip": 0, "read": 1}
    rows = conn.execute("SELECT paper_id, decision, undone FROM decisions ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [
        (ids[0], "keep", 1),
        (ids[1], "skip", 1),
        (ids[0], "read", 0),
    ]
    assert conn.execute("SELECT text FROM notes").fetchone()[0] == "from editor"


def _wait_for(condition, what, limit=60.0):
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def _spawn(args, **kw):
    return subprocess.Popen(
        [sys.executable, "-m", "papertriage", *args], env=os.environ.copy(), **kw
    )


def test_killed_session_loses_nothing_and_resumes(cli, inbox_ids, db_file):
    proc = _spawn(["triage"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                  stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    try:
        for n, key in enumerate("krsk", 1):
            proc.stdin.write(key + "\n")
            proc.stdin.flush()
            _wait_for(lambda n=n: len(decisions(db_file)) == n, f"decision {n}")
        proc.kill()
        assert proc.wait() == -signal.SIGKILL
    finally:
        proc.kill()
        proc.stdin.close()
    assert decisions(db_file) == [
        (inbox_ids[0], "keep", 0),
        (inbox_ids[1], "read", 0),
        (inbox_ids[2], "skip", 0),
        (inbox_ids[3], "keep", 0),
    ]
    result = cli("triage", input="q\n")
    assert result.stdout.startswith(f"[1 of 16] {inbox_ids[4]}")


def _pty_session(keys_then_stop, db_file, stop):
    """Run triage on a real pseudo-terminal: single keys, no Enter. Returns (exit, output)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    before = termios.tcgetattr(slave)
    proc = _spawn(
        ["triage"], stdin=slave, stdout=slave, stderr=slave, start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),  # the pty is its terminal
    )  # fmt: skip
    output = bytearray()

    def drain():
        while select.select([master], [], [], 0.05)[0]:
            try:
                output.extend(os.read(master, 65536))
            except OSError:
                return

    try:
        _wait_for(lambda: drain() or b"1 of 20" in output, "the first screen")
        for n, key in enumerate(keys_then_stop, 1):
            os.write(master, key)
            _wait_for(lambda n=n: drain() or len(decisions(db_file)) == n, f"decision {n}")
        stop(proc, master)
        _wait_for(lambda: drain() or proc.poll() is not None, "exit")
        drain()
        after = termios.tcgetattr(slave)
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
        os.close(slave)
    return proc.returncode, output.decode("utf-8", "replace"), before, after


@pytest.mark.parametrize(
    ("stop", "code"),
    [
        (lambda proc, master: os.write(master, b"q"), 0),
        (lambda proc, master: proc.send_signal(signal.SIGTERM), 128 + signal.SIGTERM),
        (lambda proc, master: os.write(master, b"\x03"), 130),  # Ctrl-C
    ],
    ids=["q", "SIGTERM", "ctrl-c"],
)
def test_real_terminal_single_keys_and_restored_modes(inbox_ids, db_file, stop, code):
    returncode, output, before, after = _pty_session([b"k", b"s"], db_file, stop)
    assert returncode == code
    assert "triage · 1 of 20" in output and "VFXMaster" in output and "triage · 3 of 20" in output
    assert decisions(db_file) == [(inbox_ids[0], "keep", 0), (inbox_ids[1], "skip", 0)]
    assert after == before  # echo and line mode are back, whichever way it ended
    assert "Triaged 2 papers (keep 1, skip 1); 18 left in this inbox." in output


def test_a_rank_profile_orders_the_inbox_by_score(cli, inbox_ids, tmp_path):
    (tmp_path / "home" / "config.yaml").write_text("rank:\n  keywords:\n    TheraMind: 100\n")
    theramind = inbox_ids[2]
    assert cli("triage", input="q\n").stdout.startswith(f"[1 of 20] {theramind}  TheraMind")
    by_date = cli("triage", "--sort", "date", input="q\n").stdout
    assert by_date.startswith(f"[1 of 20] {inbox_ids[0]}")
    limited = cli("triage", "--sort", "score", "--offset", "1", "-n", "2", input="q\n").stdout
    assert limited.startswith("[1 of 2] ") and theramind not in limited


def test_queue_reads_papers_a_page_at_a_time(conn, cli, fixture_path, monkeypatch):
    """An inbox of the whole store holds row keys; papers are read (and dropped) a page
    at a time, and what the inbox did survives a page being read again."""
    cli("import", fixture_path(HF))
    monkeypatch.setattr(triage.Queue, "PAGE", 2)
    monkeypatch.setattr(triage.Queue, "KEEP", 1)
    queue = triage.load_queue(conn, Selection(seen=False, limit=None))
    want = [r["id"] for r in select_papers(conn, Selection(seen=False, limit=None))]
    assert len(queue) == len(want) > 6
    assert [p["id"] for p in queue] == want
    assert len(queue.pages) == 1  # the others were dropped
    # k k t(tag) k k u u u u: undo walks back over pages that were dropped
    screen = FakeScreen(["k", "k", "t", "k", "k", "u", "u", "u", "u"], lines=["deep"])
    inbox = triage.run(triage.Inbox(conn, queue), screen)
    assert [s[0] for s in screen.shown][:5] == [want[0], want[1], want[2], want[2], want[3]]
    assert inbox.index == 0 and inbox.current["id"] == want[0]
    assert inbox.queue[2]["tags"] == ["deep"]  # read again from the store
    assert inbox.queue[0]["state"] is None


def test_queue_skips_a_paper_merged_away_ahead(conn, cli, fixture_path, monkeypatch):
    cli("import", fixture_path(HF))
    monkeypatch.setattr(triage.Queue, "PAGE", 3)
    queue = triage.load_queue(conn, Selection(seen=False, limit=None))
    ids = [queue.pks[n] for n in range(len(queue))]
    first = queue[0]["id"]
    conn.execute("DELETE FROM papers WHERE pk = ?", [ids[4]])
    assert [p["id"] for p in queue][0] == first
    assert len(queue) == len(ids) - 1
    assert ids[4] not in queue.pks


# ---- control characters never become part of a tag (issue 16) -----------------------


def _terminal_line(keys: bytes):
    """What TerminalScreen.read_line returns for these keys typed on a real pty."""
    import io
    import pty
    import tty

    from rich.console import Console

    from papertriage.triage.screen import TerminalScreen

    master, slave = pty.openpty()
    try:
        tty.setcbreak(slave)  # as TerminalScreen runs: keys as typed, no line editing
        os.write(master, keys)
        echo = io.StringIO()
        screen = TerminalScreen(slave, Console(file=echo, force_terminal=False))
        return screen.read_line("tags: "), echo.getvalue()
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize(
    ("keys", "line"),
    [
        (b"later\r", "later"),
        (b"lat\x01er\x07\n", "later"),  # control keys are ignored
        (b"x\x1b[Dy\r", "xy"),  # an arrow key's sequence too
        (b"ab\x7fc\r", "ac"),  # backspace
        (b"junk\x15ok\r", "ok"),  # Ctrl-U erases the line
        ("café\r".encode(), "café"),
        (b"a\x1bxb\r", "ab"),  # Alt+x
        (b"half\x1b", None),  # Esc cancels
    ],
)
def test_the_terminal_prompt_lets_no_control_character_in(keys, line):
    got, echo = _terminal_line(keys)
    assert got == line
    assert "\x1b" not in echo and "\x07" not in echo


def test_esc_at_the_tag_prompt_cancels_and_tags_refuse_controls(cli, inbox_ids, db_file):
    result = cli("triage", input="t\n\x1bx\nt\nlater\nq\n")
    assert result.exit_code == 0, result.output
    assert "tag cancelled" in result.stdout
    conn = sqlite3.connect(db_file)
    assert conn.execute("SELECT tag FROM tags").fetchall() == [("later",)]
    for bad in ("\x1bx", "a\x00b", "x\x9b", "\ud800"):
        result = cli("tag", inbox_ids[0], bad)
        assert result.exit_code != 0 and "control characters" in result.stderr
    conn.execute(
        "INSERT INTO tags (paper_id, tag, created) VALUES (?, 'old\x1b]0;x\x07', '')",
        [inbox_ids[1]],
    )
    conn.commit()
    conn.close()
    shown = cli("tags").stdout
    assert "old]0;x" in shown and "\x1b" not in shown and "\x07" not in shown
