"""The start screen: persona cards (searchable), the trainee's name, practice or assessment, resume a session."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, RadioButton, RadioSet, Static
from textual.widgets.option_list import Option

from trainer.i18n import t
from trainer.ui.keys import bindings, localize
from trainer.ui.widgets import Footer


@dataclass(frozen=True)
class Card:
    id: str
    name: str = ""
    age: int = 0
    difficulty: str = ""
    situation: str = ""
    summary: str = ""
    problems: int = 0  # number of errors when the file does not load

    def matches(self, query: str) -> bool:
        q = query.casefold().strip()
        return not q or any(q in field.casefold() for field in (self.id, self.name, self.situation, self.summary,
                                                                  self.difficulty, str(self.age)))


def load_cards(persona_dirs: list[str]) -> list[Card]:
    """One card per persona file; a file with errors becomes a card that says so (never a crash)."""
    from trainer.persona.diagnostics import PersonaError
    from trainer.persona.loader import load_persona
    from trainer.persona.registry import available

    cards = []
    for ident, path in sorted(available(persona_dirs).items()):
        try:
            p = load_persona(path).persona
        except PersonaError as exc:
            cards.append(Card(ident, problems=max(1, len(exc.diagnostics))))
            continue
        cards.append(Card(ident, p.name, p.age, p.difficulty, p.situation.strip(), p.summary.strip()))
    return cards


class ModeButton(RadioButton):
    """A radio button whose state shows as a filled or empty dot, not only as a colour."""

    @property
    def _button(self):
        self.BUTTON_INNER = "●" if self.value else " "
        return super()._button


DIFFICULTY_MARKS = {"makkelijk": "●○○", "gemiddeld": "●●○", "moeilijk": "●●●"}


class StartScreen(Screen):
    BINDINGS = bindings("start", "nl")

    def __init__(self, *, lang: str, trainee: str = "", mode: str = "practice", tips: bool = True):
        super().__init__()
        localize(self, "start", lang)
        self.lang = lang
        self.cards: list[Card] = []
        self.trainee = trainee
        self.mode = mode
        self.tips = tips

    def compose(self) -> ComposeResult:
        lang = self.lang
        yield Static(Text.assemble(("Gesprekstrainer", "bold"), "  ·  ", t("ui_start_subtitle", lang)), id="topbar")
        with Horizontal(id="start-body"):
            with Vertical(id="start-left"):
                yield Input(placeholder=t("ui_search", lang), id="search")
                yield OptionList(id="personas")
            with VerticalScroll(id="start-right"):
                yield Label(t("ui_trainee_label", lang), classes="field-label")
                yield Input(value=self.trainee, placeholder=t("ui_trainee_placeholder", lang), id="trainee")
                yield Label(t("ui_mode_label", lang), classes="field-label")
                with RadioSet(id="mode"):
                    yield ModeButton(t("ui_mode_practice_short", lang), value=self.mode != "assessment",
                                     id="mode-practice")
                    yield ModeButton(t("ui_mode_assessment_short", lang), value=self.mode == "assessment",
                                     id="mode-assessment")
                yield Static(t("ui_mode_assessment_long" if self.mode == "assessment" else "ui_mode_practice_long",
                               lang), id="mode-help")
                yield Checkbox(t("ui_tips_label", lang), value=self.tips and self.mode != "assessment", id="tips",
                               disabled=self.mode == "assessment")
                yield Button(t("ui_start_button", lang), id="start", variant="primary")
                yield Label(t("ui_resume_label", lang), classes="field-label")
                yield OptionList(id="resume")
                yield Static(t("ui_resume_none", lang), id="resume-none")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#personas", OptionList).border_title = t("ui_personas", self.lang)
        self.query_one("#resume").display = False
        self.query_one("#start-right").can_focus = False  # a form column, not a tab stop of its own
        self.query_one("#personas").focus()
        if not self.app.options.cursor_blink:
            for field in self.query(Input):
                field.cursor_blink = False
        self.run_worker(self._load, thread=True, group="cards", exit_on_error=False)

    def _load(self) -> None:
        cards = load_cards(self.app.options.persona_dirs)
        sessions = self.app.unfinished_sessions()
        self.app.call_from_thread(self._loaded, cards, sessions)

    def _loaded(self, cards: list[Card], sessions: list[dict]) -> None:
        self.cards = cards
        self._show_cards(self.query_one("#search", Input).value)
        resume = self.query_one("#resume", OptionList)
        resume.clear_options()
        for row in sessions:
            line = Text()
            names = {c.id: c.name for c in self.cards if c.name}
            line.append(names.get(row["persona"], row["persona"] or "?"), style="bold")
            if row["trainee"]:
                line.append(f" · {row['trainee']}")
            line.append("\n")
            mode = t("ui_mode_practice" if row["mode"] != "assessment" else "ui_mode_assessment", self.lang)
            line.append(f"{self.app.local_time(row['started'])} · {t('ui_turns', self.lang, n=row['turns'])} · {mode}",
                        style="dim")
            resume.add_option(Option(line, id=row["path"]))
        if sessions:
            resume.highlighted = 0
        resume.display = bool(sessions)
        self.query_one("#resume-none").display = not sessions

    def _show_cards(self, query: str) -> None:
        personas = self.query_one("#personas", OptionList)
        personas.clear_options()
        shown = [c for c in self.cards if c.matches(query)]
        for i, card in enumerate(shown):
            if i:
                personas.add_option(None)  # separator
            personas.add_option(self._card_option(card))
        if not shown:
            personas.add_option(Option(Text(t("ui_no_match", self.lang) if self.cards else t("ui_no_personas", self.lang),
                                            style="italic"), disabled=True))
        else:
            personas.highlighted = 0
        # a scrolling parent (narrow layout) does not always repaint a child that grew: refresh from the top
        self.query_one("#start-body").refresh(layout=True)

    def _card_option(self, card: Card) -> Option:
        if card.problems:
            line = Text()
            line.append(card.id, style="bold")
            line.append("\n")
            line.append(t("ui_card_errors", self.lang, n=card.problems), style="italic")
            return Option(line, id=f"persona-{card.id}", disabled=True)
        line = Text()
        line.append(card.name, style="bold")
        line.append(f" ({card.age})")
        line.append(f"  {DIFFICULTY_MARKS.get(card.difficulty, '')} {t(f'ui_diff_{card.difficulty}', self.lang)}",
                    style="dim")
        line.append("\n")
        line.append(card.situation)
        return Option(line, id=f"persona-{card.id}")

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        assessment = event.pressed.id == "mode-assessment"
        self.query_one("#mode-help", Static).update(
            t("ui_mode_assessment_long" if assessment else "ui_mode_practice_long", self.lang))
        tips = self.query_one("#tips", Checkbox)
        tips.disabled = assessment  # assessment never shows tips
        if assessment:
            tips.value = False

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "search":
            self._show_cards(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "search":
            self.query_one("#personas").focus()
        if not self.app.options.cursor_blink:
            for field in self.query(Input):
                field.cursor_blink = False
        elif event.input.id == "trainee":
            self.action_start()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list.id == "personas":
            self.action_start()
        elif event.option_list.id == "resume" and event.option.id:
            self.app.open_conversation(resume=event.option.id)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()

    def action_focus_search(self) -> None:
        self.query_one("#search").focus()

    def selected_persona(self) -> str | None:
        personas = self.query_one("#personas", OptionList)
        if personas.highlighted is None:
            return None
        option = personas.get_option_at_index(personas.highlighted)
        if option.disabled or not option.id:
            return None
        return option.id.removeprefix("persona-")

    def action_start(self) -> None:
        persona = self.selected_persona()
        if persona is None:
            self.notify(t("ui_pick_persona", self.lang), severity="warning", timeout=3)
            return
        mode = "assessment" if self.query_one("#mode-assessment", RadioButton).value else "practice"
        trainee = self.query_one("#trainee", Input).value.strip()
        tips = mode != "assessment" and self.query_one("#tips", Checkbox).value
        self.app.open_conversation(persona=persona, trainee=trainee, mode=mode, tips=tips)
