"""The Textual app: screens, keymap, command palette, exit message. Built by `trainer.ui.app.create_app`."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from trainer.i18n import t
from trainer.ui.app import open_run, resume_gc, sessions_folder
from trainer.ui.conversation import ConversationScreen
from trainer.ui.keys import all_ids, bindings, localize
from trainer.ui.options import AppOptions


class TrainerApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "Gesprekstrainer"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (72, "-normal"), (110, "-wide")]
    BINDINGS = [*bindings("app", "nl"), Binding("ctrl+c", "help_quit", show=False, system=True)]

    def __init__(self, options: AppOptions):
        super().__init__()
        localize(self, "app", options.lang)
        self.options = options
        self.lang = options.lang
        self.current_run = None
        self.exit_lines: list[str] = []
        self.user_keymap: dict[str, str] = {}
        self.keymap_problems: list[str] = []
        if not options.animations:
            self.animation_level = "none"
        self._last_size = None

    def on_resize(self, event) -> None:
        """Pass on a resize only when the size changed. The terminal driver reports the size once more right after
        the first paint; Textual then lays out every screen again at the same size (20-35 ms in which the session
        that is being opened waits)."""
        if event.size == self._last_size:
            event.prevent_default()
        self._last_size = event.size

    # --- screens -------------------------------------------------------------------------------------------
    def first_screen(self) -> Screen:
        o = self.options
        if o.resume is not None:
            return self._conversation(partial(open_run, o, resume=o.resume))
        if o.persona:
            return self._conversation(partial(open_run, o, persona=o.persona), mode=o.mode)
        from trainer.ui.start import StartScreen

        return StartScreen(lang=self.lang, trainee=o.trainee, mode=o.mode)

    def _conversation(self, opener, mode: str | None = None) -> ConversationScreen:
        o = self.options
        return ConversationScreen(opener, lang=self.lang, debug=o.debug, exit_after=o.exit_after,
                                  reload_interval=o.reload_interval, mode=mode, width_class=self.width_class())

    def width_class(self) -> str | None:
        """The class of HORIZONTAL_BREAKPOINTS that Textual gives a screen for the current width on its first
        resize (same rule as Screen._get_breakpoint_classes)."""
        for minimum, name in sorted(self.HORIZONTAL_BREAKPOINTS, reverse=True):
            if self.size.width >= minimum:
                return name
        return None

    def on_mount(self) -> None:
        from trainer.ui.keymap import default_keymap_path, load_keymap

        path = self.options.keymap_path or default_keymap_path()
        self.keymap_path = path
        self.user_keymap, self.keymap_problems = load_keymap(path, all_ids())
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        first = self.first_screen()
        self.push_screen(first)
        if not isinstance(first, ConversationScreen):  # a conversation resumes the collector once it is filled
            self.call_after_refresh(resume_gc)
        for problem in self.keymap_problems:
            self.notify(problem, title=t("ui_keymap_problem", self.lang), severity="warning", timeout=8)

    def open_conversation(self, *, persona: str | None = None, trainee: str | None = None, mode: str | None = None,
                          resume: str | None = None, tips: bool | None = None) -> None:
        if resume is not None:
            opener = partial(open_run, self.options, resume=resume)
        else:
            opener = partial(open_run, self.options, persona=persona, trainee=trainee, mode=mode, tips=tips)
            mode = mode or self.options.mode
        self.switch_screen(self._conversation(opener, mode=mode))

    def show_debrief(self, run) -> None:
        from trainer.ui.debrief import DebriefScreen

        self.switch_screen(DebriefScreen(run, lang=self.lang, builder=self.options.debrief_builder))

    def show_start(self) -> None:
        from trainer.ui.start import StartScreen

        self.current_run = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(StartScreen(lang=self.lang, trainee=self.options.trainee, mode=self.options.mode,
                                       tips=self.options.tips))

    def show_error(self, title: str, lines: list[str]) -> None:
        from trainer.ui.help import ErrorScreen

        resume_gc()
        self.switch_screen(ErrorScreen(title, lines, lang=self.lang))

    # --- helpers the screens use ---------------------------------------------------------------------------
    def unfinished_sessions(self) -> list[dict]:
        from trainer.engine.journal import list_sessions

        rows = [r for r in list_sessions(sessions_folder(self.options)) if not r["outcome"]]
        return sorted(rows, key=lambda r: r["started"], reverse=True)

    @staticmethod
    def local_time(iso: str) -> str:
        from datetime import datetime

        try:
            return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
        except (TypeError, ValueError):
            return iso or "?"

    # --- actions -------------------------------------------------------------------------------------------
    def action_help(self) -> None:
        from trainer.ui.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(lang=self.lang, keymap=self.user_keymap, keymap_path=str(self.keymap_path)))

    async def action_quit(self) -> None:
        """Save and quit: every turn is already in the journal, so this only says how to continue."""
        run = self.current_run
        if run is not None:
            if run.session.ended:
                self.exit_lines = [t("ui_saved_finished", self.lang, id=run.session_id)]
            else:
                self.exit_lines = [t("saved", self.lang, id=run.session_id)]
        self.exit()

    def action_help_quit(self) -> None:
        keys = self.user_keymap.get("quit", "ctrl+q")
        self.notify(t("ui_how_to_quit", self.lang, keys=keys), timeout=4)

    def action_command_palette(self) -> None:
        """Textual's command palette, with a placeholder in the interface language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=t("ui_palette_search", self.lang)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        lang = self.lang
        yield SystemCommand(t("ui_key_help", lang), t("ui_cmd_help", lang), self.action_help)
        yield SystemCommand(t("ui_key_new", lang), t("ui_cmd_new", lang), self.show_start)
        from trainer.ui.debrief import DebriefScreen

        if isinstance(screen, ConversationScreen) and screen.run is not None:
            if screen.check_action("undo", ()):
                yield SystemCommand(t("ui_key_undo", lang), t("ui_cmd_undo", lang), screen.action_undo)
            if screen.run.session.ended:
                yield SystemCommand(t("ui_key_debrief", lang), t("ui_cmd_debrief", lang), screen.action_debrief)
        if isinstance(screen, DebriefScreen):
            from trainer.ui.exporting import find_exporter

            for kind in ("json", "html"):
                if find_exporter(kind) is not None:
                    yield SystemCommand(t(f"ui_key_export_{kind}", lang), t("ui_cmd_export", lang),
                                        partial(screen.action_export, kind))
            yield SystemCommand(t("ui_key_replay", lang), t("ui_cmd_replay", lang), screen.action_replay)
        yield SystemCommand(t("ui_cmd_theme", lang), t("ui_cmd_theme_help", lang), self.action_change_theme)
        yield SystemCommand(t("ui_key_quit", lang), t("ui_cmd_quit", lang), self.action_quit)
