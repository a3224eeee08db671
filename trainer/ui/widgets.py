"""Small widgets: chat messages, notes, the animated meter. They show what they are given; no domain rules."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Footer as TextualFooter
from textual.widgets import Static


class Footer(TextualFooter):
    """Textual's footer, rebuilt only when what it shows changes.

    Textual's footer rebuilds itself (re-creates and re-styles every key, 5-12 ms) after every
    `bindings_updated` signal, and opening a screen sends four or five of them (resume, focus, ...), mostly with
    the same keys; those rebuilds ran while the session was being opened, competing with it for the interpreter.
    Here the signals are coalesced into one check after the next refresh, and the footer is rebuilt only when
    the keys it would show (binding, enabled, key display) differ from those it shows. It also shows the keys
    from its first paint on instead of after the first rebuild.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._bindings_ready = True  # the screen's bindings are there once this is composed
        self._shown: tuple | None = None
        self._check_queued = False

    def _keys(self) -> tuple:
        """Everything Footer.compose reads from the bindings."""
        app = self.app
        active = self.screen.active_bindings
        keys = [(binding, enabled, tooltip, app.get_key_display(binding))
                for _node, binding, enabled, tooltip in active.values() if binding.show]
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        if palette is not None:
            keys.append(("palette", palette.binding, palette.enabled, app.get_key_display(palette.binding)))
        return (self.show_command_palette, app.ENABLE_COMMAND_PALETTE, self.compact, self.combine_groups, *keys)

    def compose(self):
        self._shown = self._keys()
        yield from super().compose()

    def bindings_changed(self, screen) -> None:
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._check_queued:
            self._check_queued = True
            self.call_after_refresh(self._rebuild_if_changed)

    async def _rebuild_if_changed(self) -> None:
        self._check_queued = False
        if self.is_attached and self._keys() != self._shown:
            await self.recompose()


class ChatMessage(Static):
    """One line of the conversation. Persona and trainee differ by label, side and border, not only colour."""

    def __init__(self, who: str, label: str, text: str, **kwargs):
        body = Text()
        body.append(label, style="bold")
        body.append(": ")
        body.append(text)
        super().__init__(body, classes=f"msg {who}", **kwargs)


class Note(Static):
    """A quiet line in the transcript: the scene, a mood, a meter change, a system message."""

    def __init__(self, text: str, kind: str = "info", **kwargs):
        super().__init__(Text(text), classes=f"note {kind}", **kwargs)


class Meter(Widget):
    """A labelled 0–100 meter. The number and the signed change are always printed, so colour is never needed."""

    COMPONENT_CLASSES = {"meter--filled", "meter--empty", "meter--label", "meter--up", "meter--down"}

    value: reactive[float] = reactive(0.0)

    def __init__(self, label: str, **kwargs):
        super().__init__(**kwargs)
        self.label = label
        self.target: int | None = None  # None: no value yet (a session still opening): only the label is shown
        self.delta = 0

    def set_value(self, value: int, delta: int = 0, animate: bool = True) -> None:
        self.target = int(value)
        self.delta = int(delta)
        if animate and self.is_mounted:
            self.animate("value", float(value), duration=0.7, easing="out_cubic", level="basic")
        else:
            if self.is_mounted and self.app.animator.is_being_animated(self, "value"):
                self.app.animator.force_stop_animation(self, "value")  # e.g. undo during an animation
            self.value = float(value)
        self.refresh()

    def render(self) -> Text:
        if self.target is None:
            return Text(self.label, style=self.get_component_rich_style("meter--label"))
        width = max(self.size.width, 10)
        shown = round(self.value)
        head = Text()
        head.append(self.label, style=self.get_component_rich_style("meter--label"))
        number = f"{shown:>3}"
        if self.delta:
            change = f"{'+' if self.delta > 0 else '−'}{abs(self.delta)}"
            style = self.get_component_rich_style("meter--up" if self.delta > 0 else "meter--down")
            pad = width - len(self.label) - len(number) - len(change) - 2
            head.append(" " * max(pad, 1))
            head.append(change, style=style)
            head.append(" ")
        else:
            head.append(" " * max(width - len(self.label) - len(number), 1))
        head.append(number, style="bold")
        filled = round(width * max(0.0, min(self.value, 100.0)) / 100)
        bar = Text()
        bar.append("█" * filled, style=self.get_component_rich_style("meter--filled"))
        bar.append("░" * (width - filled), style=self.get_component_rich_style("meter--empty"))
        return Text("\n").join([head, bar])
