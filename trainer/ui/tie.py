"""'Bedoelde u:' — a typed line that fits two or three open choices about equally well (a matcher "tie").

A small list at the bottom of the conversation: pick with the number keys, the arrows + Enter or the mouse; Esc
cancels (the conversation screen puts the typed words back in the input). Dismisses with the chosen candidate's
choice id, or None.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from trainer.i18n import t
from trainer.ui.keys import bindings, localize


class TieScreen(ModalScreen):
    BINDINGS = bindings("tie", "nl")

    def __init__(self, candidates, typed: str, *, lang: str):
        super().__init__()
        localize(self, "tie", lang)
        self.candidates = list(candidates)  # trainer.freetext Candidate: .id, .text (shown in the matcher's order)
        self.typed = typed
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical(id="tie-box") as box:
            box.border_title = t("which_did_you_mean", self.lang)
            box.border_subtitle = t("ui_tie_help", self.lang, n=len(self.candidates))  # on the border: always seen
            yield Static(Text(t("ui_tie_typed", self.lang, text=" ".join(self.typed.split()))), id="tie-typed")
            yield OptionList(*[Option(Text(f"{k}. {' '.join(c.text.split())}"), id=f"tie-{k}")
                               for k, c in enumerate(self.candidates, 1)], id="tie-list")

    def on_mount(self) -> None:
        options = self.query_one("#tie-list", OptionList)
        options.highlighted = 0
        options.focus()

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.candidates):
            self.dismiss(self.candidates[number - 1].id)
        else:
            self.app.bell()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_pick(int((event.option.id or "tie-0").split("-", 1)[1]))

    def action_cancel(self) -> None:
        self.dismiss(None)
