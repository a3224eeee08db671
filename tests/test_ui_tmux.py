"""The app in a real terminal: tmux runs `python -m trainer play ria`, keys are sent, the screen is read back.
Skipped only when tmux is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "ui"
TMUX = shutil.which("tmux")

pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed (Debian: apt-get install tmux)")


class Terminal:
    def __init__(self, socket: str, width: int, height: int):
        self.socket = socket
        self.width, self.height = width, height

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run([TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=20)
        if check and done.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)}: {done.stderr}")
        return done.stdout

    def start(self, command: str) -> None:
        self.tmux("new-session", "-d", "-s", "t", "-x", str(self.width), "-y", str(self.height), command)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t", check=False)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def wait_for(self, *words: str, timeout: float = 20.0) -> str:
        end = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if all(w in screen for w in words):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{words} not on screen after {timeout} s:\n{screen}")

    def close(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def terminal():
    term = Terminal(f"gesprekstrainer-test-{os.getpid()}", 80, 24)
    yield term
    term.close()


def test_play_in_a_real_terminal(terminal, tmp_path):
    sessions = tmp_path / "sessions"
    env = f"PYTHONPATH={ROOT} TERM=xterm-256color GESPREKSTRAINER_KEYMAP={tmp_path / 'none.toml'}"
    # -u COLUMNS -u LINES: tmux started from pytest puts them in the pane, and they would pin the size at 80x24
    command = (f"cd {ROOT} && env -u COLUMNS -u LINES {env} {sys.executable} -m trainer play ria --personas {FIXTURES} "
               f"--sessions {sessions} --trainee Sam; echo EXITED $?; sleep 30")
    terminal.start(command)
    terminal.wait_for("Ik kreeg een brief", "1. Wat heeft u gedaan")
    terminal.keys("1")
    terminal.wait_for("twintig jaar in de thuiszorg", "vertrouwen +8")
    terminal.keys("Down", "Enter")  # arrows + Enter: choice 2
    terminal.wait_for("Dat is verleden tijd")
    terminal.keys("u")  # practice mode: undo
    end = time.monotonic() + 10
    while "Dat is verleden tijd. We" in terminal.screen().split("1. ")[0] and time.monotonic() < end:
        time.sleep(0.1)
    terminal.keys("1")
    terminal.wait_for("Wat zou er dan bij mij passen")  # trust >= 50: the 'open' variant of the line
    terminal.tmux("set-option", "-t", "t", "window-size", "manual")
    terminal.tmux("resize-window", "-t", "t", "-x", "120", "-y", "40")  # resize mid-conversation
    screen = terminal.wait_for("Wat zou er dan bij mij passen, denkt u?")  # one line now: it is 120 wide
    assert len(screen.splitlines()) == 40 and "vertrouwen" in screen.splitlines()[1]  # side panel still there
    terminal.keys("1")
    terminal.wait_for("Naar de nabespreking", "Het gesprek is afgelopen")
    terminal.keys("Enter")
    screen = terminal.wait_for("Nabespreking: Ria", "Uitkomst: Eigen keuze afgesproken")
    assert "Score" in screen
    terminal.keys("q")
    screen = terminal.wait_for("EXITED 0")
    assert "Sessie opgeslagen" in screen and "trainer debrief" in screen
    journals = list(sessions.glob("*.jsonl"))
    assert len(journals) == 1 and '"ended":"own_choice"' in journals[0].read_text()
