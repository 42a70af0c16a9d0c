"""triage in a real pseudo-terminal (tmux) at 80x24 and 60x20: the card fits, the
abstract scrolls inside it, the footer keeps undo/quit/help, a resize redraws at once."""

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


class Tmux:
    def __init__(self, command: list[str], width: int, height: int) -> None:
        self.base = ["tmux", "-L", f"pt-{uuid.uuid4().hex[:8]}", "-f", os.devnull]
        size = ["-x", str(width), "-y", str(height)]
        subprocess.run([*self.base, "new-session", "-d", *size, "-s", "t", *command], check=True)

    def screen(self) -> list[str]:
        out = subprocess.run([*self.base, "capture-pane", "-p", "-t", "t"], capture_output=True)
        return out.stdout.decode().rstrip("\n").split("\n")

    def wait_for(self, text: str, card: bool = True) -> list[str]:
        """The screen once it shows text (and the card is drawn to its last line)."""
        for _ in range(200):
            lines = self.screen()
            if any(text in line for line in lines) and (lines[-1].startswith("╰─") or not card):
                return lines
            time.sleep(0.05)
        raise AssertionError(f"{text!r} never showed:\n" + "\n".join(self.screen()))

    def run(self, *args: str) -> None:
        subprocess.run([*self.base, *args], check=True)

    def close(self) -> None:
        subprocess.run([*self.base, "kill-server"], capture_output=True)


def _fits(lines: list[str], width: int, height: int) -> None:
    card = [line for line in lines if line.strip()]
    assert card[0].startswith("╭─ triage · 1 of 20") and card[-1].startswith("╰─ k keep")
    assert len(lines) <= height and all(len(line) <= width for line in lines)
    assert "VFXMaster: Unlocking" in lines[1] and any("2510.25772 · 2025-10-30" in x for x in lines)
    assert card[-1].rstrip("─╯").endswith(("q quit · ? help ", "q quit · ? ")), card[-1]
    assert "u undo" in card[-1]


def test_triage_fits_80x24_and_60x20(cli, fixture_path, tmp_path):
    assert cli("import", fixture_path("hf_daily/2025-10-30.json")).exit_code == 0
    env = f"PAPERTRIAGE_HOME={tmp_path / 'home'}"
    tmux = Tmux(
        ["env", "-u", "COLUMNS", "-u", "LINES", env, sys.executable, "-m", "papertriage", "triage"],
        80,
        24,
    )
    try:
        _fits(tmux.wait_for("╰─ k keep"), 80, 24)
        tmux.run("send-keys", "-t", "t", "Space")
        lines = tmux.wait_for("more (↑/↓ scroll)")  # the whole abstract is longer than 24
        _fits(lines, 80, 24)
        tmux.run("send-keys", "-t", "t", "Down")
        _fits(tmux.wait_for("lines above"), 80, 24)
        tmux.run("resize-window", "-t", "t", "-x", "60", "-y", "20")  # no key: SIGWINCH
        lines = tmux.wait_for("╰─ k keep · r read · s skip · u undo · q quit · ? help ─")
        _fits(lines, 60, 20)
        tmux.run("send-keys", "-t", "t", "?")
        _fits(tmux.wait_for("keep for later"), 60, 20)  # the help scrolls in the card
        tmux.run("send-keys", "-t", "t", "k")
        _fits_next = tmux.wait_for("triage · 2 of 20")
        assert _fits_next[0].startswith("╭─ triage · 2 of 20")
        tmux.run("send-keys", "-t", "t", "q")
    finally:
        tmux.close()
    assert '"keep"' in cli("show", "2510.25772", "--json").stdout


def test_tag_from_stdin_on_a_terminal_asks_for_the_ids(cli, fixture_path, tmp_path):
    assert cli("import", fixture_path("hf_daily/2025-10-30.json")).exit_code == 0
    env = f"PAPERTRIAGE_HOME={tmp_path / 'home'}"
    command = ["env", env, sys.executable, "-m", "papertriage", "tag", "-", "later"]
    tmux = Tmux(["sh", "-c", " ".join(command) + "; sleep 5"], 80, 10)
    try:
        tmux.wait_for("paper ids, one per line; Ctrl-D when done:", card=False)
        tmux.run("send-keys", "-t", "t", "2510.25772", "Enter", "C-d")
        tmux.wait_for("Tagged 1 paper with later", card=False)
    finally:
        tmux.close()
