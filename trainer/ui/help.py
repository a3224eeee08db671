"""Help (F1 / ?): every key of every screen, with the user's keymap applied; and the error screen."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from trainer.i18n import t
from trainer.ui.keys import bindings, help_rows, localize
from trainer.ui.widgets import Footer


class HelpScreen(ModalScreen):
    BINDINGS = bindings("help", "nl")

    def __init__(self, *, lang: str, keymap: dict[str, str], keymap_path: str):
        super().__init__()
        localize(self, "help", lang)
        self.lang = lang
        self.keymap = keymap
        self.keymap_path = keymap_path

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Text(t("ui_help_title", self.lang), style="bold"), id="help-title")
            for title, lines in help_rows(self.lang, self.keymap):
                table = Table(title=title, title_justify="left", title_style="bold", show_header=False, box=None,
                              padding=(0, 2, 0, 0), expand=False)
                table.add_column(no_wrap=True, style="bold")
                table.add_column()
                for keys, desc in lines:
                    table.add_row(keys, desc)
                yield Static(table, classes="help-table")
            yield Static(Text(t("ui_help_keymap", self.lang, path=self.keymap_path), style="dim"), id="help-keymap")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def action_close(self) -> None:
        self.dismiss()


class ErrorScreen(Screen):
    """Shown instead of a conversation that cannot be opened: the reasons (diagnostics) and a way on."""

    BINDINGS = bindings("error", "nl")

    def __init__(self, title: str, lines: list[str], *, lang: str):
        super().__init__()
        localize(self, "error", lang)
        self.title_text = title
        self.lines = lines
        self.lang = lang

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title_text, style="bold"), id="topbar")
        with VerticalScroll(id="error-box"):
            body = Text()
            for line in self.lines:
                body.append(line + "\n")
            body.append("\n" + t("ui_error_hint", self.lang), style="italic")
            yield Static(body, id="error-text")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#error-box").focus()

    def action_new(self) -> None:
        self.app.show_start()
