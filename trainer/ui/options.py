"""What the app is asked to do: built from the command line, or by tests. Imports nothing heavy."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

EXIT_AFTER_ENV = "GESPREKSTRAINER_EXIT_AFTER"  # "paint" or "ready": exit after the conversation screen shows (bench)
BENCH_STAMP_ENV = "GESPREKSTRAINER_BENCH_STAMP"  # a file: the wall-clock time of that screen is written there (bench)


def write_bench_stamp() -> None:
    """Benchmark hook: record when the screen the benchmark waits for was drawn (time.time(), in a file), so
    the benchmark can time it without the fixed cost of the app's exit."""
    path = os.environ.get(BENCH_STAMP_ENV)
    if path:
        import time

        with open(path, "w") as f:
            f.write(repr(time.time()))


@dataclass
class AppOptions:
    lang: str = "nl"
    persona: str | None = None  # open this persona straight away (id or file)
    resume: str | None = None  # None: no resume; "": the most recent unfinished session; else an id/prefix/path
    trainee: str = ""
    mode: str = "practice"  # "practice" or "assessment"
    tips: bool = True  # practice: show which eerherstel cue a persona line offers (off: advanced practice)
    debug: bool = False  # trainer playtest: node ids, conditions, live reload
    start: str | None = None  # test from here: start node
    meters: dict | None = None  # test from here: start meters
    free_text: bool = False
    persona_dirs: list[str] = field(default_factory=list)
    sessions: Path | None = None  # folder for journals (None: user data folder)
    keymap_path: Path | None = None  # None: the default file in the user config folder
    exit_after: str | None = None  # "paint" / "ready": benchmark hook
    # test hooks: deterministic and independent of other people's code
    debrief_builder: Callable[[Any, str], Any] | None = None  # (session, lang) -> Debrief
    analyser: Any = "default"  # "default": trainer.wiring.default_analyser(); None: no analysis; or a callable
    cursor_blink: bool = True
    animations: bool = True  # False: meters jump instead of animating (tests)
    reload_interval: float = 0.5  # seconds between persona file checks in debug mode

    @property
    def practice(self) -> bool:
        return self.mode != "assessment"

    @classmethod
    def from_args(cls, args, lang: str) -> "AppOptions":
        meters = {k: v for k, v in (("trust", getattr(args, "trust", None)),
                                    ("motivation", getattr(args, "motivation", None))) if v is not None}
        sessions = getattr(args, "sessions", None)
        return cls(
            lang=lang,
            persona=getattr(args, "persona", None),
            resume=getattr(args, "resume", None),
            trainee=getattr(args, "trainee", "") or "",
            mode="assessment" if getattr(args, "assessment", False) else "practice",
            tips=not getattr(args, "no_tips", False),
            debug=bool(getattr(args, "debug", False)),
            start=getattr(args, "start", None),
            meters=meters or None,
            free_text=bool(getattr(args, "free", False)),
            persona_dirs=list(getattr(args, "personas", None) or []),
            sessions=Path(sessions) if sessions else None,
            exit_after=os.environ.get(EXIT_AFTER_ENV) or None,
        )
