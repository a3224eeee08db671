"""Entry points of the terminal app: `run_app(args, lang)` for `trainer play`, `create_app(options)` for tests.

This module imports textual lazily (inside `create_app`), so that `trainer play` can report a wrong persona id
before the app starts. Opening a session (`open_run`) runs off the first paint, in a worker thread.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

from trainer.ui.options import AppOptions


class OpenError(Exception):
    """A session that cannot be opened; carries lines for a person (diagnostics, reasons)."""

    def __init__(self, title: str, lines: list[str]):
        self.title = title
        self.lines = lines
        super().__init__("\n".join([title, *lines]))


def create_app(options: AppOptions):
    from trainer.ui.application import TrainerApp

    return TrainerApp(options)


_gc_paused = False


def pause_gc() -> None:
    """Start-up: no cyclic garbage collection until the first screen is filled (`resume_gc`).

    Importing textual, pydantic and the engine and building the first screen creates some 100,000 objects that
    mostly live as long as the app; the collector kept rescanning them (about 40 ms of the wait for the
    persona's first line). Reference counting still frees everything that forms no cycle.
    """
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def resume_gc() -> None:
    """End of start-up (idempotent): freeze what start-up built, so the collector never rescans it, and collect
    again from here on. Called once the first screen shows its content, on an error, and when the app ends.

    Freezing keeps the cyclic garbage of start-up (about 5,000 objects, some 1 MB) for the life of the process;
    collecting it instead would stall the screen for 35-75 ms just when the first line is shown.
    """
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.freeze()
        gc.enable()


def run_app(args, lang: str) -> int:
    options = AppOptions.from_args(args, lang)
    problem = precheck(options)
    if problem:
        print(f"trainer: {problem}", file=sys.stderr)
        return 1 if options.persona or options.resume is not None else 2
    pause_gc()
    try:
        app = create_app(options)
        app.run()
    finally:
        resume_gc()
    if app.exit_lines:
        print("\n".join(app.exit_lines))
    return app.return_code or 0


def sessions_folder(options: AppOptions) -> Path:
    from trainer.paths import sessions_dir

    return sessions_dir(str(options.sessions) if options.sessions else None)


def precheck(options: AppOptions) -> str | None:
    """Cheap checks before the app opens (no persona parsing): an unknown persona id or a missing session."""
    if options.resume is not None:
        if find_session(options.resume, sessions_folder(options)) is None:
            what = f"session '{options.resume}'" if options.resume else "an unfinished session"
            return f"cannot find {what} in {sessions_folder(options)}"
        return None
    if options.persona:
        from trainer.persona.registry import UnknownPersona, resolve

        try:
            resolve(options.persona, options.persona_dirs)
        except UnknownPersona as exc:
            return str(exc)
    return None


def find_session(ref: str, folder: Path) -> str | None:
    """A session id (or prefix), a path to a journal, or '' for the most recent unfinished session."""
    from trainer.engine.journal import list_sessions

    if ref and Path(ref).is_file():
        return ref
    rows = list_sessions(folder)
    if ref:
        matches = [r for r in rows if r["id"] == ref or r["id"].startswith(ref)]
    else:
        matches = sorted((r for r in rows if not r["outcome"]), key=lambda r: r["started"])
    return matches[-1]["path"] if matches else None


class LazyAnalyser:
    """The default analyser, loaded off the first screen: `warm()` runs in a worker thread after the persona's
    first line is shown; a turn played before that waits for it. A broken lexicon surfaces from `warm()`."""

    def __init__(self):
        import threading

        self._lock = threading.Lock()
        self._loaded = False
        self._analyse = None

    def warm(self):
        with self._lock:
            if not self._loaded:
                from trainer.wiring import default_analyser

                self._analyse = default_analyser()  # may raise SetupError: reported by the screen
                self._loaded = True
        return self._analyse

    def __call__(self, text: str):
        analyse = self.warm()
        if analyse is None:
            from trainer.engine.session import no_analysis

            return no_analysis(text)
        return analyse(text)


def open_run(options: AppOptions, *, persona: str | None = None, resume: str | None = None,
             trainee: str | None = None, mode: str | None = None, tips: bool | None = None):
    """Start or resume a journaled session. Returns (Run, notes); raises OpenError. Safe to call in a thread."""
    from trainer.engine.journal import ResumeError
    from trainer.engine.runner import Run
    from trainer.engine.session import SessionError
    from trainer.i18n import t
    from trainer.persona.diagnostics import PersonaError
    from trainer.persona.registry import UnknownPersona
    lang = options.lang
    analyser = LazyAnalyser() if options.analyser == "default" else options.analyser
    notes: list[str] = []
    try:
        if resume is not None:
            path = find_session(resume, sessions_folder(options))
            if path is None:
                raise OpenError(t("ui_err_resume", lang), [t("ui_err_no_session", lang, ref=resume or "-")])
            run, resumed = Run.resume(path, analyser, options.persona_dirs)
            notes.append(t("resumed", lang, id=run.session_id, turns=len(run.session.turns)))
            if resumed.persona_changed:
                notes.append(t("persona_changed", lang))
        else:
            run = Run.start(persona or options.persona or "", sessions_folder(options), analyser,
                            trainee=options.trainee if trainee is None else trainee,
                            mode=mode or options.mode, lang=lang, persona_dirs=options.persona_dirs,
                            start=options.start, meters=options.meters, free_text=options.free_text,
                            tips=options.tips if tips is None else tips)
    except PersonaError as exc:
        raise OpenError(t("ui_err_persona", lang), [str(d) for d in exc.diagnostics]) from None
    except (ResumeError, UnknownPersona, SessionError, OSError) as exc:
        raise OpenError(t("ui_err_resume" if resume is not None else "ui_err_start", lang), [str(exc)]) from None
    return run, notes
