"""The conversation screen: transcript as a chat, numbered choices, meters (practice), live reload (--debug).

Everything shown comes from the Run/Session/Turn objects; this module decides only how it looks.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from trainer.i18n import effect_reason, label, outcome_label, t, PHASE_LABELS
from trainer.safe_text import MAX_TYPED_CHARS
from trainer.ui.keys import bindings, localize
from trainer.ui.widgets import ChatMessage, Footer, Meter, Note


def meter_changes(turn, lang: str) -> list[str]:
    """One line per cause of a meter change, e.g. 'vertrouwen −12 · motivatie −8: verplichting'."""
    lines = []
    for effect in turn.effects:
        parts = []
        for meter in ("trust", "motivation"):
            delta = getattr(effect, meter)
            if delta:
                parts.append(t("ui_delta", lang, meter=t(meter, lang), sign="+" if delta > 0 else "−", delta=abs(delta)))
        if parts:
            lines.append(t("ui_change", lang, changes=" · ".join(parts), reason=effect_reason(effect.source, lang)))
    return lines


class ChoiceList(OptionList):
    """The numbered choices. Enter (or a click) chooses at once, in the order the keys came: Textual's OptionList
    posts an OptionSelected message instead, which reaches the screen only after a key typed right behind
    Enter (say "u") has run its binding, so the undo came first and the choice then landed on another node."""

    def action_select(self) -> None:
        highlighted = self.highlighted
        if highlighted is None:
            return
        option = self.get_option_at_index(highlighted)
        if not option.disabled and isinstance(self.screen, ConversationScreen):
            self.screen.select_option(option.id or "")


class ConversationScreen(Screen):
    """Holds one Run. `opener` is called in a worker thread and returns (Run, notes) or raises OpenError.

    `mode` is the session's mode when it is known before the session opens (a new session, not a resumed one):
    the screen is then laid out for it from the first paint (side panel for practice), so nothing moves and no
    styles are recomputed when the persona's first line arrives. `width_class` is the app's breakpoint class for
    the terminal's width (-narrow, -normal, -wide): set from the start, the first resize changes no class, so the
    screen is styled once before its first paint instead of twice."""

    BINDINGS = bindings("conversation", "nl")

    def __init__(self, opener: Callable, *, lang: str, debug: bool = False, exit_after: str | None = None,
                 reload_interval: float = 0.5, mode: str | None = None, width_class: str | None = None):
        super().__init__()
        if width_class:
            self.update_classes({width_class: True}, update=False)
        if mode is not None:
            self._set_mode_classes(mode != "assessment", debug, update=False)
        localize(self, "conversation", lang)
        self.lang = lang
        self.opener = opener
        self.debug = debug
        self.exit_after = exit_after
        self.reload_interval = reload_interval
        self.run = None
        self.notes: list[str] = []
        self._mtime: float | None = None
        self._reload_status: list[str] = []
        self.freetext = None  # the trainer.freetext module (prepare, match, play) when free text is on

    # --- layout --------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("Gesprekstrainer", id="topbar")
        with Horizontal(id="body"):
            with VerticalScroll(id="chat"):
                yield Note(t("ui_loading", self.lang), "scene")
            with Vertical(id="side"):
                yield Meter(t("trust", self.lang), id="m-trust")
                yield Meter(t("motivation", self.lang), id="m-motivation")
                yield Static("", id="phase")
                yield Static("", id="hint")
                yield Static("", id="debug")
        yield Static("", id="diagnostics")
        yield ChoiceList(id="choices")
        yield Input(placeholder=t("ui_free_placeholder", self.lang), id="free", max_length=MAX_TYPED_CHARS)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diagnostics").display = False
        self.query_one("#free").display = False
        self.query_one("#chat").can_focus = False
        if self.exit_after == "paint":  # benchmark hook: stop at the first paint
            self.call_after_refresh(self._bench_exit)
            return
        # open the session after the first paint, off the event loop
        self.call_after_refresh(self._start_open)

    def _set_mode_classes(self, practice: bool, debug: bool, update: bool = True) -> None:
        """One style update at most (none when unchanged): each one restyles the whole screen."""
        self.update_classes({"-practice": practice, "-assessment": not practice, "-debug": debug}, update=update)

    def _bench_exit(self) -> None:
        from trainer.ui.options import write_bench_stamp

        write_bench_stamp()
        self.app.exit()

    def _start_open(self) -> None:
        self.run_worker(self._open, thread=True, group="open", exit_on_error=False)

    def _open(self) -> None:
        from trainer.ui.app import OpenError

        try:
            run, notes = self.opener()
        except OpenError as exc:
            self.app.call_from_thread(self.app.show_error, exc.title, exc.lines)
            return
        except Exception as exc:  # e.g. a broken lexicon (SetupError): say it plainly, never a traceback
            self.app.call_from_thread(self.app.show_error, t("ui_err_start", self.lang), [str(exc)])
            return
        self.app.call_from_thread(self.ready, run, notes)

    def ready(self, run, notes: list[str]) -> None:
        self.run = run
        self.notes = notes
        self.app.current_run = run
        self._set_mode_classes(self.practice, self.debug)
        self.rebuild()
        self.query_one("#choices").focus()
        self.freetext = None
        if run.header.get("free_text"):
            try:
                import trainer.freetext as freetext
            except ImportError:
                freetext = None
            self.freetext = freetext
            if freetext is None:
                notes = [*notes, t("ui_free_missing", self.lang)]
            else:
                free = self.query_one("#free", Input)
                free.display = True
                free.cursor_blink = self.app.options.cursor_blink
                free.focus()
        for note in notes:
            self.notify(note, timeout=6)
        if self.debug:
            self._mtime = self._stat()
            self.set_interval(self.reload_interval, self._check_reload, name="persona-reload")
        self.refresh_bindings()
        from trainer.ui.app import resume_gc

        resume_gc()  # start-up is over (see trainer.ui.app.pause_gc)
        if self.exit_after == "ready":
            self.call_after_refresh(self._bench_exit)
            return
        if hasattr(run.session.analyse, "warm"):
            self.call_after_refresh(self._start_warm)
        self._start_prepare()

    def _start_warm(self) -> None:
        self.run_worker(self._warm, thread=True, group="warm", exit_on_error=False)

    def _warm(self) -> None:
        try:
            self.run.session.analyse.warm()
        except Exception as exc:  # a broken lexicon (SetupError): say it plainly, as the plain mode does
            self.app.call_from_thread(self.app.show_error, t("ui_err_start", self.lang), [str(exc)])

    def _start_prepare(self) -> None:
        """Free text: build the matcher's index for this persona off the event loop, so the first typed line is
        answered at once (a line typed before it is done builds what it needs itself; the matcher locks)."""
        if self.freetext is not None:
            self.run_worker(partial(self._prepare, self.run), thread=True, group="prepare", exit_on_error=False)

    def _prepare(self, run) -> None:
        try:
            self.freetext.prepare(run)
            from trainer.wiring import typed_analyser

            typed_analyser().warm()  # the meaning model for typed lines (about 2 s), off the event loop
        except Exception:  # noqa: BLE001 - only a head start: a real problem surfaces on the first match
            pass

    def on_resize(self) -> None:
        if self.run is not None:
            self.call_after_refresh(self._update_topbar)
            self._stick()

    def _stick(self) -> None:
        """Show the newest lines: once the transcript is taller than its box, keep it scrolled to the end
        (Textual's anchor); a short transcript stays at the top."""
        chat = self.query_one("#chat", VerticalScroll)

        def check() -> None:
            if chat.virtual_size.height > chat.scrollable_content_region.height:
                chat.anchor()
            elif chat.is_anchored:  # e.g. after an undo made it short again
                chat.anchor(False)
                chat.scroll_home(animate=False, immediate=True)

        self.call_after_refresh(check)

    @property
    def practice(self) -> bool:
        return bool(self.run) and self.run.header.get("mode", "practice") != "assessment"

    # --- rendering from the session ------------------------------------------------------------------------
    def rebuild(self, animate: bool = False) -> None:
        """Render the whole transcript from the session (start, undo, reload)."""
        s = self.run.session
        chat = self.query_one("#chat", VerticalScroll)
        chat.remove_children()
        # The scene already says how the persona sits there; moods show when the phase changes.
        widgets = [Note(f"{t('scene', self.lang)}: {s.persona.scene.strip()}", "scene")]
        widgets.append(ChatMessage("persona", s.persona.name, s.turns[0].persona_line if s.turns else s.current_line()))
        for turn in s.turns:
            widgets += self._turn_widgets(turn)
        chat.mount_all(widgets)
        self.update_status(animate=animate)
        self._stick()

    def _turn_widgets(self, turn) -> list:
        s = self.run.session
        out = [ChatMessage("trainee", t("you", self.lang), turn.trainee_line)]
        if self.practice and turn.typed is not None:  # free text: say how the words were read, right under them
            out.append(Note(self._read_as(turn), "read-as"))
        if self.practice:
            changes = meter_changes(turn, self.lang)
            if changes:
                out.append(Note("\n".join(changes), "change"))
            if turn.phase_after != turn.phase_before and s.persona.moods.get(turn.phase_after):
                out.append(Note(s.persona.moods[turn.phase_after], "mood"))
        out.append(ChatMessage("persona", s.persona.name, turn.reply))
        if turn.ended:
            out.append(Note(f"{t('ended', self.lang)} {t('outcome', self.lang)}: "
                            f"{outcome_label(turn.ended, self.lang, s.persona.outcomes)}", "ending"))
        return out

    def _read_as(self, turn) -> str:
        if turn.reaction is not None:
            from trainer.i18n import ACT_LABELS, label

            return f"({t('ui_free_understood_as', self.lang, act=label(ACT_LABELS, turn.act, self.lang), name=self.run.session.persona.name)})"
        if turn.choice_id is None:
            return f"({t('ui_free_not_understood', self.lang)})"
        text = " ".join(turn.choice_text.split())
        if len(text) > 90:  # subtle: two lines or so; the full text was in the list of choices
            text = text[:89].rstrip() + "…"
        if self.debug and turn.match_score is not None:
            text += f" · {turn.match_score:.2f}"
        return f"({t('ui_free_read_as', self.lang, text=text)})"

    def update_status(self, animate: bool = True) -> None:
        s = self.run.session
        self._update_topbar()
        last = s.turns[-1] if s.turns else None
        if self.practice or self.debug:
            d_trust = last.trust_after - last.trust_before if last else 0
            d_mot = last.motivation_after - last.motivation_before if last else 0
            self.query_one("#m-trust", Meter).set_value(s.state.trust, d_trust, animate)
            self.query_one("#m-motivation", Meter).set_value(s.state.motivation, d_mot, animate)
            self.query_one("#phase", Static).update(
                f"{t('phase', self.lang)}: {label(PHASE_LABELS, s.phase, self.lang)}")
            self.query_one("#hint", Static).update(self._hint())
        if self.debug:
            self.query_one("#debug", Static).update(self._debug_text())
        self._fill_choices()

    def _update_topbar(self) -> None:
        s = self.run.session
        p = s.persona
        mode = t("ui_mode_practice" if self.practice else "ui_mode_assessment", self.lang)
        top = Text()
        top.append(f"{p.name} ({p.age})", style="bold")
        top.append(f"  ·  {mode}")
        if self.debug:
            top.append(f"  ·  {t('ui_debug_title', self.lang)}", style="reverse")
        trainee = self.run.header.get("trainee")
        if trainee:
            top.append(f"  ·  {trainee}")
        if self.practice and self.app.size.width < 72:  # the side panel is hidden when narrow
            top.append(f"  ·  {t('trust', self.lang)} {s.state.trust} · {t('motivation', self.lang)} "
                       f"{s.state.motivation}", style="dim")
        self.query_one("#topbar", Static).update(top)

    def _hint(self) -> str:
        s = self.run.session
        if s.ended or not self.practice or not self.run.header.get("tips", True):
            return ""
        cues = {c.id: c for c in s.persona.cues}
        lines = []
        for cid in s.node.offers:
            cue = cues.get(cid)
            if cue and cid not in s.state.picked_up:  # a cue already picked up needs no tip any more
                lines.append(t("ui_hint_cue", self.lang, kind=t(f"ui_cue_{cue.kind}", self.lang), label=cue.label))
        return "\n".join(lines)

    def _debug_text(self) -> Text:
        s = self.run.session
        st = s.state
        out = Text()
        out.append(t("ui_debug_title", self.lang) + "\n", style="bold")
        out.append(f"node: {st.ending or st.node}\n")
        out.append(f"phase: {st.phase}\n")
        out.append(f"trust {st.trust} · motivation {st.motivation}\n")
        out.append(f"turns: {st.turns}\n")
        if st.offered:
            out.append(f"offered: {', '.join(sorted(st.offered))}\n")
        if st.picked_up:
            out.append(f"picked_up: {', '.join(sorted(st.picked_up))}\n")
        if s.turns:
            last = s.turns[-1]
            out.append(f"{t('ui_debug_last', self.lang)} {last.choice_id or 'fallback'} → {last.next}\n")
            for e in last.effects:
                out.append(f"  {e.source}: {e.trust:+d}/{e.motivation:+d}\n")
            if last.detected:
                out.append(f"  detected: {', '.join(last.detected)}\n")
        for line in self._reload_status:
            out.append(line + "\n", style="italic")
        return out

    def _fill_choices(self) -> None:
        s = self.run.session
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        if s.ended:
            choices.add_option(Option(Text(f"1. {t('ui_to_debrief', self.lang)}", style="bold"), id="debrief"))
        else:
            options = []
            open_ids = set()
            for oc in s.open_choices():
                open_ids.add(oc.id)
                line = Text(f"{oc.number}. ")
                if self.debug:
                    line.append(f"[{oc.id} → {oc.choice.next}] ", style="dim")
                line.append(oc.choice.text)
                options.append(Option(line, id=f"choice-{oc.number}"))
            if self.debug:  # closed choices with their condition, for trainers
                from trainer.engine.session import choice_id

                for i, choice in enumerate(s.node.choices):
                    cid = choice_id(s.node, i)
                    if cid not in open_ids:
                        line = Text(f"–  [{cid}] if {choice.when} ", style="dim")
                        line.append(choice.text, style="dim strike")
                        options.append(Option(line, id=f"closed-{i}", disabled=True))
            choices.add_options(options)
        choices.highlighted = 0

    # --- actions -------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        if action == "undo":
            if not self.run or not self.practice:
                return False
            return True if self.run.session.turns else None
        if action == "debrief":
            return bool(self.run and self.run.session.ended)
        return True

    def action_choose(self, number: int) -> None:
        if self.run is None:
            return
        s = self.run.session
        if s.ended:
            if number == 1:
                self.action_debrief()
            return
        options = s.open_choices()
        if not 1 <= number <= len(options):
            self.app.bell()
            self.notify(t("bad_number", self.lang, lo=1, hi=len(options)), severity="warning", timeout=3)
            return
        from trainer.engine.session import SessionError

        try:
            turn = self.run.choose(options[number - 1].id)
        except (SessionError, OSError) as exc:
            self._turn_failed(exc)
            return
        self._show_turn(turn)

    def _turn_failed(self, exc: Exception) -> None:
        """A turn that could not be played or saved: say why; a save failure also says what is kept and how to
        go on (the turn was taken back, so trying again after freeing space works too)."""
        if isinstance(exc, OSError):
            kept = len(self.run.session.turns)
            self.notify(t("save_failed", self.lang, why=exc, turns=kept, id=self.run.session_id), severity="error",
                        timeout=30)
        else:
            self.notify(str(exc), severity="error")

    def _show_turn(self, turn) -> None:
        chat = self.query_one("#chat", VerticalScroll)
        chat.mount_all(self._turn_widgets(turn))
        self.update_status(animate=True)
        self._stick()
        self._refresh_keys()
        if self.run.session.ended:
            self.query_one("#choices").focus()

    def _refresh_keys(self) -> None:
        """Redraw the footer only when a key became (un)available: the footer is costly to rebuild."""
        state = (self.check_action("undo", ()), self.check_action("debrief", ()))
        if state != getattr(self, "_keys_state", None):
            self._keys_state = state
            self.refresh_bindings()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Free text: match the typed words (trainer.freetext.match) and play the decision. A tie asks
        "Bedoelde u:" first (TieScreen); Esc there gives the words back to the input."""
        event.stop()
        raw = event.value
        text = raw.strip()
        run = self.run
        if not text or run is None or self.freetext is None or run.session.ended:
            return
        if text.isdigit():  # the choices are numbered: "2" + Enter picks the second, as in plain mode
            event.input.value = ""
            self.action_choose(int(text))
            return
        from trainer.engine.session import SessionError

        try:
            result = self.freetext.match(run.session, text)
        except SessionError as exc:
            self.notify(str(exc), severity="error")
            return
        event.input.value = ""
        if result.kind == "tie":
            from trainer.ui.tie import TieScreen

            self.app.push_screen(TieScreen(result.candidates, text, lang=self.lang),
                                 callback=partial(self._tie_answered, run, result, raw))
            return
        self._play_typed(run, result, raw)

    def _tie_answered(self, run, result, raw: str, choice: str | None) -> None:
        if choice is None or run is not self.run or run.session.ended or run.session.state.node != result.node:
            self._give_back(raw)  # cancelled, or the session moved on meanwhile (playtest reload): type it again
            return
        self._play_typed(run, result, raw, choice)

    def _play_typed(self, run, result, raw: str, choice: str | None = None) -> None:
        from trainer.engine.session import SessionError

        try:
            turn = self.freetext.play(run, result, choice=choice)
        except (SessionError, OSError) as exc:
            self._turn_failed(exc)
            self._give_back(raw)
            return
        self._show_turn(turn)

    def _give_back(self, raw: str) -> None:
        free = self.query_one("#free", Input)
        free.value = raw
        free.cursor_position = len(raw)
        free.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.select_option(event.option.id or "")

    def select_option(self, ident: str) -> None:
        if ident == "debrief":
            self.action_debrief()
        elif ident.startswith("choice-"):
            self.action_choose(int(ident.split("-", 1)[1]))

    def action_undo(self) -> None:
        if not self.run:
            return
        if not self.practice:
            self.notify(t("undo_assessment", self.lang), severity="warning")
            return
        if not self.run.session.turns:
            self.notify(t("nothing_to_undo", self.lang), severity="warning", timeout=3)
            return
        self.run.undo()
        self.rebuild(animate=True)
        self.notify(t("undone", self.lang), timeout=3)
        self._refresh_keys()

    def action_debrief(self) -> None:
        if self.run and self.run.session.ended:
            self.app.show_debrief(self.run)

    def action_scroll_chat(self, direction: int) -> None:
        chat = self.query_one("#chat", VerticalScroll)
        if direction < 0:
            chat.scroll_page_up()
        else:
            chat.scroll_page_down()

    # --- trainer playtest: reload the persona when its file changes ----------------------------------------
    def _stat(self) -> float | None:
        import os

        try:
            return os.stat(self.run.loaded.path).st_mtime_ns
        except OSError:
            return None

    def _check_reload(self) -> None:
        mtime = self._stat()
        if mtime is None or mtime == self._mtime:
            return
        self._mtime = mtime
        self.reload()

    def reload(self) -> None:
        """Load the edited persona and replay the turns so far; on errors show the diagnostics and keep going."""
        from trainer.engine.journal import Journal, actions, new_session_id, read_journal, replay
        from trainer.engine.runner import Run
        from trainer.engine.session import Session, SessionError
        from trainer.persona.diagnostics import PersonaError
        from trainer.persona.loader import load_persona

        old = self.run
        diagnostics = self.query_one("#diagnostics", Static)
        try:
            loaded = load_persona(old.loaded.path)
        except PersonaError as exc:
            text = Text(t("ui_reload_failed", self.lang) + "\n", style="bold")
            for d in exc.diagnostics[:12]:
                text.append(str(d) + "\n")
            if len(exc.diagnostics) > 12:
                text.append(t("ui_more", self.lang, n=len(exc.diagnostics) - 12))
            diagnostics.update(text)
            diagnostics.display = True
            return
        diagnostics.display = False
        header = old.header

        def fresh() -> Session:
            return Session(loaded.persona, analyser=old.session.analyse, start=header.get("start"),
                           meters=header.get("meters"))

        # the journal's own replay: typed turns come back exactly (typed text, score, picks, own_picks, codes)
        session, problem = fresh(), None
        events = actions(read_journal(old.journal.path).events)
        try:
            replay(session, events, reanalyse=True)  # the persona was edited: judge its lines anew
        except (SessionError, KeyError, TypeError) as exc:
            problem = str(exc)
        done = len(session.turns)
        new_header = {**header, "persona_hash": loaded.content_hash}
        if problem is None:
            self.run = Run(session, old.journal, loaded, new_header)
        else:  # the old journal no longer matches: continue in a new one from here, with the turns that still fit
            new_header["session"] = new_session_id(loaded.persona.id)
            self.run = Run(fresh(), Journal.create(old.journal.path.parent, new_header), loaded, new_header)
            replay(_Journaled(self.run), events[:done], reanalyse=True)
        self.app.current_run = self.run
        self._start_prepare()  # the edited persona's choices: index them again (unchanged content is reused)
        status = t("ui_reloaded", self.lang, turns=done)
        self._reload_status = [status] + ([t("ui_replay_stopped", self.lang, turn=done + 1, why=problem)]
                                          if problem else [])
        self.rebuild()
        self.notify("\n".join(self._reload_status), severity="warning" if problem else "information", timeout=5)
        self.refresh_bindings()


class _Journaled:
    """A Run as trainer.engine.journal.replay sees a session: the recorded actions go through Run.choose and
    Run.fallback with their recorded arguments, so a new journal keeps every field of a typed turn."""

    def __init__(self, run):
        self.choose = run.choose
        self.fallback = run.fallback
        self.react = run.react
        self._session = run.session

    @property
    def ended(self) -> bool:
        return self._session.ended
