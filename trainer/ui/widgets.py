"""Small widgets: chat messages, notes, the animated meter. They show what they are given; no domain rules."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static


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
        self.target = 0
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
