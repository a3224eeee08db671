"""Start-up benchmark of the terminal app: `trainer play <persona>` until the conversation screen is on screen,
as a ratio to a minimal Textual app started the same way (a fresh `python` process in a pseudo-terminal of
80x24) in the same run. Target: the first conversation screen with the persona's line (ready) <= 1.3x.

Two moments are measured, both ending the process right after a screen refresh
(GESPREKSTRAINER_EXIT_AFTER, see trainer/ui/options.py):
- paint: the conversation screen's first paint (the session is opened after it, in a worker thread);
- ready: the persona's first line and the choices are shown (engine, persona and journal ready; the analyser
  is loaded after this).

Each moment is timed twice:
- until the process has exited (the figures the target was set on). This includes Textual's exit, which waits
  for its input thread: that polls every 0.1 s and then waits one more 0.1 s, so the exit adds 0.1-0.2 s
  depending on the phase of that poll. Single runs therefore jump in steps of 0.1 s; only medians mean anything.
- on screen: the wall-clock time the app wrote when that screen had been drawn (GESPREKSTRAINER_BENCH_STAMP,
  written just before the exit is requested; the minimal app writes the same stamp). No exit, no quantization:
  the time a person waits. The ratios are larger here, as the fixed exit cost no longer dilutes them.

The persona: the untimed warm-up run fills the cache of validated personas (trainer/persona/cache.py), as a
trainee's first start does, so the timed `ready` runs read it (no YAML parse, no pydantic). `ready, not cached`
is the start right after a trainer edited the file (GESPREKSTRAINER_CACHE=off): the full check, reported for
information only.

The machine's load moves every figure; runs are interleaved so drift hits all of them alike, but compare ratios
from runs on a quiet machine.

Run: `scripts/bench bench_startup` or `python scripts/bench_startup.py`.
"""

from __future__ import annotations

import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "9"))

MINIMAL_APP = '''
import os
import time

from textual.app import App
from textual.widgets import Static


class Minimal(App):
    def compose(self):
        yield Static("Hallo")

    def on_mount(self):
        self.call_after_refresh(self.done)

    def done(self):
        path = os.environ.get("GESPREKSTRAINER_BENCH_STAMP")
        if path:
            with open(path, "w") as f:
                f.write(repr(time.time()))
        self.exit()


Minimal().run()
'''


def _timed(argv: list[str], env: dict, timeout: float = 30.0) -> tuple[float, float | None]:
    """Seconds from spawning argv in an 80x24 pseudo-terminal until it exits (its output is drained), and until
    the moment it stamped (see the module doc; None when it wrote no stamp)."""
    import fcntl
    import termios

    fd, stamp = tempfile.mkstemp(prefix="bench-stamp-")
    os.close(fd)
    env = {**env, "GESPREKSTRAINER_BENCH_STAMP": stamp}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    wall = time.time()
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True)
    os.close(slave)
    deadline = start + timeout
    try:
        while proc.poll() is None:
            if time.perf_counter() > deadline:
                proc.kill()
                raise TimeoutError(f"{' '.join(argv)} did not exit within {timeout} s")
            ready, _, _ = select.select([master], [], [], 0.01)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:
                    pass
        elapsed = time.perf_counter() - start
    finally:
        os.close(master)
        text = Path(stamp).read_text()
        os.unlink(stamp)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {proc.returncode}")
    return elapsed, (float(text) - wall if text else None)


def _persona() -> tuple[str, list[str]]:
    shipped = ROOT / "personas" / "henk.yaml"
    if shipped.is_file():
        return "henk", []
    return "ria", ["--personas", str(ROOT / "tests" / "fixtures" / "ui")]


def bench() -> dict:
    python = sys.executable
    persona, extra = _persona()
    with tempfile.TemporaryDirectory() as tmp:
        minimal = Path(tmp) / "minimal_app.py"
        minimal.write_text(MINIMAL_APP)
        # a user's Python caches bytecode: let the untimed warm-up runs write it (PYTHONDONTWRITEBYTECODE off)
        env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL") and k != "PYTHONDONTWRITEBYTECODE"}
        env.update(TERM=env.get("TERM", "xterm-256color"), COLUMNS="80", LINES="24",
                   PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
        play = [python, "-m", "trainer", "play", persona, *extra, "--sessions", str(Path(tmp) / "sessions")]
        base = [python, str(minimal)]
        # warm the file cache and the bytecode caches once, untimed
        _timed(base, env)
        _timed(play, {**env, "GESPREKSTRAINER_EXIT_AFTER": "ready"})
        runs: dict[str, list[tuple[float, float | None]]] = {"minimal": [], "paint": [], "ready": [], "cold": []}
        for _ in range(RUNS):  # interleaved, so drift on the machine hits all of them alike
            runs["minimal"].append(_timed(base, env))
            runs["paint"].append(_timed(play, {**env, "GESPREKSTRAINER_EXIT_AFTER": "paint"}))
            runs["ready"].append(_timed(play, {**env, "GESPREKSTRAINER_EXIT_AFTER": "ready"}))
            runs["cold"].append(_timed(play, {**env, "GESPREKSTRAINER_EXIT_AFTER": "ready",
                                              "GESPREKSTRAINER_CACHE": "off"}))
    med = {k: statistics.median(r[0] for r in v) for k, v in runs.items()}
    if any(r[1] is None for v in runs.values() for r in v):
        raise RuntimeError("a run wrote no on-screen stamp (GESPREKSTRAINER_BENCH_STAMP)")
    seen = {k: statistics.median(r[1] for r in v) for k, v in runs.items()}
    return {
        "persona": persona,
        "runs (median of)": RUNS,
        "minimal Textual app, first paint (s)": round(med["minimal"], 3),
        "trainer play, conversation screen first paint (s)": round(med["paint"], 3),
        "trainer play, persona line and choices shown (s)": round(med["ready"], 3),
        "ratio first paint / minimal (target <= 1.3)": round(med["paint"] / med["minimal"], 2),
        "ratio ready / minimal (target <= 1.3)": round(med["ready"] / med["minimal"], 2),
        "on screen, without the exit: minimal / paint / ready (s)":
            f"{seen['minimal']:.3f} / {seen['paint']:.3f} / {seen['ready']:.3f}",
        "on screen ratios: paint / ready": f"{seen['paint'] / seen['minimal']:.2f} / "
                                           f"{seen['ready'] / seen['minimal']:.2f}",
        "ready, persona not cached (just edited): s / ratio / on-screen ratio":
            f"{med['cold']:.3f} / {med['cold'] / med['minimal']:.2f} / {seen['cold'] / seen['minimal']:.2f}",
    }


if __name__ == "__main__":
    for key, value in bench().items():
        print(f"{key:<55} {value}")
