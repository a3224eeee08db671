"""Plain, line-based mode: for scripts, screen readers and tests. No colours, no cursor tricks.

Prints the persona's line and numbered choices, reads a number (or, with free text on, any words) from stdin,
until an ending. End of input saves the session and exits cleanly: everything is already in the journal.
"""

from __future__ import annotations

import sys
from typing import TextIO

from trainer.engine.runner import Run
from trainer.engine.session import Turn
from trainer.i18n import effect_reason, t
from trainer.safe_text import MAX_TYPED_CHARS, printable


class PlainUI:
    def __init__(self, run: Run, lang: str = "nl", free: bool = False, out: TextIO = sys.stdout,
                 inp: TextIO = sys.stdin, matcher=None):
        self.run = run
        self.lang = lang
        self.free = free
        self.out = out
        self.inp = inp
        self.matcher = matcher
        self.practice = run.header.get("mode", "practice") == "practice"
        try:  # bytes that are not UTF-8 become U+FFFD instead of an error that would lose the turn
            inp.reconfigure(errors="replace")
        except (AttributeError, ValueError, OSError):
            pass
        self.too_long = 0  # characters of the last line read, when it was longer than MAX_TYPED_CHARS

    def say(self, text: str = "") -> None:
        print(printable(text), file=self.out, flush=True)

    def read_line(self) -> str:
        """One line of input ('' at its end), echoed when piped. A line over MAX_TYPED_CHARS is read to its end
        but not returned whole: `too_long` says how long it was, and the caller refuses it."""
        limit = 4 * MAX_TYPED_CHARS
        try:
            line = self.inp.readline(limit)
            extra = 0
            if len(line) >= limit and not line.endswith("\n"):  # drain the rest; never hold a huge line
                while True:
                    more = self.inp.readline(limit)
                    extra += len(more.rstrip("\r\n"))
                    if not more or more.endswith("\n"):
                        break
                line += "\n"
        except UnicodeDecodeError:  # a stream that cannot be told to replace: keep going with a marker
            line, extra = "\ufffd\n", 0
        length = len(line.rstrip("\r\n")) + extra
        self.too_long = length if length > MAX_TYPED_CHARS else 0
        if line and not self.inp.isatty():
            shown = line if not self.too_long else line[:80] + "…\n"
            self.out.write(printable(shown if shown.endswith("\n") else shown + "\n"))  # a readable transcript
        return line

    def intro(self) -> None:
        p = self.run.session.persona
        self.say(f"== {p.name} ({p.age}) ==")
        self.say(f"{t('scene', self.lang)}: {p.scene.strip()}")
        self.say()

    def show_node(self) -> None:
        s = self.run.session
        # The scene says how the persona sits there; a mood line follows only when the phase changes.
        if s.turns and s.turns[-1].phase_after != s.turns[-1].phase_before and self.practice and s.mood():
            self.say(f"[{s.mood()}]")
        self.say(f"{s.persona.name}: {s.current_line()}")
        for option in s.open_choices():
            self.say(f"  {option.number}. {option.choice.text}")

    def show_turn(self, turn: Turn) -> None:
        if self.practice:
            for meter in ("trust", "motivation"):
                for e in turn.effects:
                    delta = getattr(e, meter)
                    if delta:
                        sign = "+" if delta > 0 else "−"
                        self.say("  " + t("meter_change", self.lang, meter=t(meter, self.lang), sign=sign,
                                          delta=abs(delta), reason=effect_reason(e.source, self.lang)))
            self.say(f"  [{t('trust', self.lang)} {turn.trust_after}, {t('motivation', self.lang)} "
                     f"{turn.motivation_after}, {t('phase', self.lang)}: {turn.phase_after}]")
        self.say()

    def loop(self) -> int:
        from trainer.engine.journal import JournalWriteError

        s = self.run.session
        while not s.ended:
            self.show_node()
            try:
                turn = self.ask()
            except JournalWriteError as exc:
                return self.save_failed(exc)
            if turn is None:
                self.say()
                self.say(t("saved", self.lang, id=self.run.session_id))
                return 0
            if turn is not False:
                self.show_turn(turn)
        self.finish()
        return 0

    def ask(self):
        """Read until a valid action. Returns a Turn, False (undo; re-show), or None (end of input / quit)."""
        s = self.run.session
        options = s.open_choices()
        lo, hi = 1, len(options)
        while True:
            self.out.write(t("prompt_choice_free" if self.free else "prompt_choice", self.lang, lo=lo, hi=hi))
            self.out.flush()
            line = self.read_line()
            if not line:
                return None
            if self.too_long:
                self.say(t("typed_too_long", self.lang, n=self.too_long, max=MAX_TYPED_CHARS))
                continue
            text = line.strip()
            if not text:
                continue
            if text.lower() in ("q", "quit", "stop"):
                return None
            if text.lower() in ("u", "undo"):
                if not self.practice:
                    self.say(t("undo_assessment", self.lang))
                elif not s.turns:
                    self.say(t("nothing_to_undo", self.lang))
                else:
                    self.run.undo()
                    self.say(t("undone", self.lang))
                    return False
                continue
            if text.isdigit():
                n = int(text)
                if lo <= n <= hi:
                    return self.run.choose(n)
                self.say(t("bad_number", self.lang, lo=lo, hi=hi))
                continue
            if self.free and self.matcher is not None:
                result = self.matcher(self, text)
                if result is not None:
                    return result
                continue
            self.say(t("not_a_number", self.lang, lo=lo, hi=hi))

    def save_failed(self, exc: OSError) -> int:
        """A turn could not be journaled: say so, what is kept, and how to go on (the journal is intact)."""
        import sys

        from trainer.engine.journal import ResumeError, actions, read_journal

        try:
            kept = len(actions(read_journal(self.run.journal.path, strict=False).events))
        except ResumeError:
            kept = 0
        print(printable(t("save_failed", self.lang, why=exc, turns=kept, id=self.run.session_id)), file=sys.stderr)
        return 1

    def finish(self) -> None:
        s = self.run.session
        self.say(f"{s.persona.name}: {s.current_line()}")
        # the outcome is the debrief's first line; saying it here as well printed "Uitkomst" twice
        from trainer.debrief.build import build_debrief
        from trainer.debrief.render import render_text

        self.say()
        self.say(render_text(build_debrief(s, lang=self.lang), lang=self.lang))
