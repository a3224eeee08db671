"""The debrief screen (outcome, chart, flags in the trainee's own words, missed cues, rubric, exports, replay) and
the replay screen. They render a `Debrief` and the session's turns; nothing here judges the conversation."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Button, LoadingIndicator, Static

from trainer.debrief.model import first_per_category
from trainer.debrief.render import source_note
from trainer.i18n import CATEGORY_LABELS, LEVEL_LABELS, MI_LABELS, PHASE_LABELS, label, outcome_label, t
from trainer.ui.chart import render_chart
from trainer.ui.conversation import meter_changes
from trainer.ui.keys import bindings, localize
from trainer.ui.widgets import ChatMessage, Footer, Meter, Note


def default_builder():
    """`build_debrief(session, lang)` when the debrief package is there, else None."""
    try:
        from trainer.debrief.build import build_debrief
    except ImportError:
        return None
    return build_debrief


class Chart(Widget):
    """Trust and motivation over the turns, sized to the widget's width."""

    COMPONENT_CLASSES = {"chart--trust", "chart--motivation"}

    def __init__(self, points: list[tuple[int, int, int]], lang: str, **kwargs):
        super().__init__(**kwargs)
        self.points = points
        self.lang = lang

    def render(self) -> Text:
        return render_chart(
            self.points, self.size.width or 60, height=9, turn_label=f"→ {t('turn', self.lang)}",
            legend=(t("trust", self.lang), t("motivation", self.lang)),
            styles=(self.get_component_rich_style("chart--trust"), self.get_component_rich_style("chart--motivation")))


def level_text(level: str | None, lang: str) -> Text:
    if not level:
        return Text("—", style="dim")
    mark = {"goed": "✔✔", "voldoende": "✔", "onvoldoende": "✘"}.get(level, "")
    style = {"goed": "bold", "voldoende": "", "onvoldoende": "bold reverse"}.get(level, "")
    return Text(f"{mark} {label(LEVEL_LABELS, level, lang)}", style=style)


class DebriefScreen(Screen):
    BINDINGS = bindings("debrief", "nl")

    def __init__(self, run, *, lang: str, builder=None):
        super().__init__()
        localize(self, "debrief", lang)
        self.run = run
        self.lang = lang
        self.builder = builder
        self.debrief = None

    def compose(self) -> ComposeResult:
        s = self.run.session
        yield Static(Text.assemble((t("debrief_title", self.lang, name=s.persona.name), "bold")), id="topbar")
        with VerticalScroll(id="debrief"):
            yield LoadingIndicator()
        with Horizontal(id="debrief-buttons"):
            from trainer.ui.exporting import find_exporter

            for kind, key in (("json", "ui_export_json"), ("html", "ui_export_html")):
                button = Button(t(key, self.lang), id=f"export-{kind}", compact=True)
                if find_exporter(kind) is None:
                    button.disabled = True
                    button.tooltip = t("ui_export_missing", self.lang)
                yield button
            yield Button(t("ui_replay", self.lang), id="replay", variant="primary", compact=True)
            yield Button(t("ui_new", self.lang), id="new", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#debrief").focus()
        self.run_worker(self._build, thread=True, group="debrief", exit_on_error=False)

    def _build(self) -> None:
        builder = self.builder or default_builder()
        debrief, error = None, None
        if builder is not None:
            try:
                debrief = builder(self.run.session, self.lang)
            except Exception as exc:  # the debrief is someone else's moving code: never crash the app over it
                error = f"{type(exc).__name__}: {exc}"
        self.app.call_from_thread(self._show, debrief, error)

    def _show(self, debrief, error: str | None) -> None:
        self.debrief = debrief
        body = self.query_one("#debrief", VerticalScroll)
        body.remove_children()
        body.mount_all(self._sections(debrief, error))
        body.scroll_home(animate=False)

    # --- sections ------------------------------------------------------------------------------------------
    def _sections(self, d, error: str | None) -> list[Widget]:
        lang = self.lang
        s = self.run.session
        out: list[Widget] = []
        head = Text()
        outcome = d.outcome_label if d else (outcome_label(s.outcome, lang, s.persona.outcomes) if s.outcome
                                              else t("not_finished", lang))
        head.append(f"{t('outcome', lang)}: ", style="bold")
        head.append(outcome, style="bold underline")
        ending = d.ending_line if d else (s.current_line() if s.ended else "")
        if ending:
            head.append(f"\n{s.persona.name}: “{ending}”", style="italic")
        for note in (d.notes if d else ()):
            head.append(f"\n{note}")
        if d:
            r = d.rubric
            head.append(f"\n{t('score', lang)}: ", style="bold")
            if d.finished:
                head.append(f"{r.score}/100  ")
                head.append_text(level_text(r.level, lang))
            else:  # an unfinished attempt has no verdict
                head.append(t("no_verdict", lang))
            head.append(f"  ·  {t('ui_turns', lang, n=d.turns)}")
        out.append(Static(head, id="outcome", classes="section"))
        if d is None:
            out.append(Static(Text(t("ui_debrief_unavailable", lang) + (f"\n{error}" if error else ""),
                                   style="italic"), classes="section"))
            return out
        # chart + values per turn
        out.append(Static(Text(t("trajectory", lang), style="bold"), classes="heading"))
        points = [(p.turn, p.trust, p.motivation) for p in d.trajectory]
        out.append(Chart(points, lang, id="chart"))
        table = Text()
        table.append(f"{t('turn', lang):>6}  {t('trust', lang):>11}  {t('motivation', lang):>11}  {t('phase', lang)}\n",
                     style="dim")
        prev = None
        for p in d.trajectory:
            dt = f"({p.trust - prev.trust:+d})" if prev else ""
            dm = f"({p.motivation - prev.motivation:+d})" if prev else ""
            table.append(f"{p.turn:>6}  {p.trust:>4} {dt:>6}  {p.motivation:>4} {dm:>6}  "
                         f"{label(PHASE_LABELS, p.phase, lang)}\n")
            prev = p
        out.append(Static(table, classes="section values"))
        # controlling language in the trainee's own words
        lines = d.flagged_lines()
        out.append(Static(Text(f"{t('flags_title', lang)} ({len(lines)})", style="bold"), classes="heading"))
        if not lines:
            out.append(Static(t("no_flags", lang), classes="section"))
        for turn, line, flags in lines:
            strongest = max(f.severity for f in flags)
            cats = ", ".join(dict.fromkeys(label(CATEGORY_LABELS, f.category, lang) for f in flags))
            text = Text()
            text.append(f"{t('turn', lang).capitalize()} {turn} · {cats} · "
                        f"{t('severity', lang)} {'●' * strongest}{'○' * max(0, 3 - strongest)}\n", style="bold")
            words = Text(line)
            for f in flags:
                words.stylize("bold underline reverse", f.start, f.end)
            text.append("“").append_text(words).append("”")
            for f in first_per_category(flags):
                prefix = f"{label(CATEGORY_LABELS, f.category, lang)} — " if len(flags) > 1 else ""
                if f.source == "model":
                    text.append(f"\n{prefix}{source_note(f, lang)}", style="dim")
                    if f.example:
                        text.append(f"\n{t('model_example', lang)}: “{f.example}”", style="dim")
                text.append(f"\n{prefix}{t('why_it_hurts', lang)}: ", style="bold")
                text.append(f.explanation)
                text.append(f"\n{prefix}{t('better', lang)}: ", style="bold")
                text.append(f.suggestion)
            out.append(Static(text, classes="section flag"))
        # eerherstel cues
        missed = [c for c in d.cues if c.status == "missed"]
        picked = [c for c in d.cues if c.status == "picked_up"]
        out.append(Static(Text(f"{t('missed_cues', lang)} ({len(missed)}/{len(d.cues)})", style="bold"),
                          classes="heading"))
        if not d.cues:
            out.append(Static(t("no_cues", lang), classes="section"))
        for c in missed:
            text = Text()
            text.append(f"{t('turn', lang).capitalize()} {c.offered_turn} · {c.label}", style="bold")
            text.append(f" · {t('miss_' + c.reason, lang)}\n")
            text.append(f"{t('persona_said', lang, name=d.persona_name)}: ", style="bold")
            text.append(f"“{c.persona_line}”\n", style="italic")
            text.append(f"{t('why_it_matters', lang)}: ", style="bold")
            text.append(c.why + "\n")
            text.append(f"{t('could_sound', lang)}: ", style="bold")
            text.append(f"“{c.example_pickup}”")
            out.append(Static(text, classes="section cue"))
        if picked:
            text = Text(f"✔ {t('picked_cues', lang)}: ", style="bold")
            text.append(", ".join(f"{c.label} ({t('turn', lang)} {c.picked_turn})" for c in picked))
            out.append(Static(text, classes="section"))
        # rubric
        r = d.rubric
        out.append(Static(Text(t("rubric", lang), style="bold"), classes="heading"))
        table = Table(box=None, show_header=False, padding=(0, 1, 0, 0), expand=True)
        table.add_column(ratio=3)
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=3, style="dim")
        for m in r.measures:
            table.add_row(m.label, m.display, level_text(m.level, lang), m.target)
        rub = Text()
        counts = ", ".join(f"{label(MI_LABELS, k, lang)} {v}" for k, v in r.counts.items() if v)
        rub.append(f"{t('counts', lang)}: ", style="bold")
        rub.append(counts or "—")
        if d.finished:
            rub.append(f"\n{t('score', lang)}: {r.score}/100 ", style="bold")
            rub.append_text(level_text(r.level, lang))
            rub.append(f" · {t('ui_passed' if r.passed else 'ui_not_passed', lang)}")
        else:
            rub.append(f"\n{t('score', lang)}: {t('no_verdict', lang)}", style="bold")
        out.append(Static(table, classes="section rubric-table"))
        out.append(Static(rub, classes="section rubric"))
        return out

    # --- actions -------------------------------------------------------------------------------------------
    def check_action(self, action: str, parameters) -> bool | None:
        if action == "export":
            from trainer.ui.exporting import find_exporter

            return None if find_exporter(str(parameters[0])) is None else True
        return True

    def action_export(self, kind: str) -> None:
        from trainer.ui.exporting import find_exporter

        if find_exporter(kind) is None:
            self.notify(t("ui_export_missing", self.lang), severity="warning")
            return
        self.notify(t("ui_exporting", self.lang), timeout=2)
        self.run_worker(lambda: self._export(kind), thread=True, group="export", exit_on_error=False)

    def _export(self, kind: str) -> None:
        from trainer.ui.exporting import export

        try:
            path = export(kind, self.run, self.lang, persona_dirs=self.app.options.persona_dirs,
                          analyser=self.run.session.analyse)
        except Exception as exc:  # an exporter problem must not cost the trainee the session
            message, severity = t("ui_export_failed", self.lang, why=f"{type(exc).__name__}: {exc}"), "error"
        else:
            message, severity = t("ui_exported", self.lang, path=str(path)), "information"
        self.app.call_from_thread(self.notify, message, severity=severity, timeout=8)

    def action_replay(self) -> None:
        self.app.push_screen(ReplayScreen(self.run, lang=self.lang))

    def action_new(self) -> None:
        self.app.show_start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        ident = event.button.id or ""
        if ident.startswith("export-"):
            self.action_export(ident.removeprefix("export-"))
        elif ident == "replay":
            self.action_replay()
        elif ident == "new":
            self.action_new()


class ReplayScreen(ModalScreen):
    """Step through the finished conversation turn by turn, with the meters as they were."""

    BINDINGS = bindings("replay", "nl")

    def __init__(self, run, *, lang: str):
        super().__init__()
        localize(self, "replay", lang)
        self.run = run
        self.lang = lang
        self.step = 0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="replay-box"):
            yield Static("", id="replay-title")
            yield Meter(t("trust", self.lang), id="r-trust")
            yield Meter(t("motivation", self.lang), id="r-motivation")
            yield VerticalScroll(id="replay-chat")
        yield Footer()

    def on_mount(self) -> None:
        self.show()

    def action_step(self, delta: int) -> None:
        last = len(self.run.session.turns)
        new = max(0, min(last, self.step + delta))
        if new != self.step:
            self.step = new
            self.show()

    def action_close(self) -> None:
        self.dismiss()

    def show(self) -> None:
        s = self.run.session
        turns = s.turns[: self.step]
        self.query_one("#replay-title", Static).update(Text(
            t("ui_replay_title", self.lang, step=self.step, total=len(s.turns)), style="bold"))
        first = s.turns[0] if s.turns else None
        trust = turns[-1].trust_after if turns else (first.trust_before if first else s.state.trust)
        mot = turns[-1].motivation_after if turns else (first.motivation_before if first else s.state.motivation)
        dt = turns[-1].trust_after - turns[-1].trust_before if turns else 0
        dm = turns[-1].motivation_after - turns[-1].motivation_before if turns else 0
        self.query_one("#r-trust", Meter).set_value(trust, dt)
        self.query_one("#r-motivation", Meter).set_value(mot, dm)
        chat = self.query_one("#replay-chat", VerticalScroll)
        chat.remove_children()
        widgets = [ChatMessage("persona", s.persona.name, first.persona_line if first else s.current_line())]
        for turn in turns:
            widgets.append(ChatMessage("trainee", t("you", self.lang), turn.trainee_line))
            changes = meter_changes(turn, self.lang)
            if changes:
                widgets.append(Note("\n".join(changes), "change"))
            widgets.append(ChatMessage("persona", s.persona.name, turn.reply))
        chat.mount_all(widgets)
        self.call_after_refresh(lambda: chat.scroll_end(animate=False, immediate=True))
