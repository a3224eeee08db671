"""Every key binding of the app, with a stable id (remappable via the keymap file) and an i18n description.

Screens call `bindings(SCOPE, lang)`; the help screen lists them all, with the user's keymap applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingsMap

from trainer.i18n import t


@dataclass(frozen=True)
class Key:
    id: str
    keys: str  # Textual key names, comma-separated
    action: str
    desc: str  # i18n key
    show: bool = True  # shown in the footer
    priority: bool = False
    display: str | None = None  # how the help screen shows a group of keys (e.g. "1–9")


APP = [
    Key("help", "f1,question_mark", "help", "ui_key_help"),
    Key("command-palette", "ctrl+p", "command_palette", "ui_key_palette", show=False, priority=True),
    Key("quit", "ctrl+q", "quit", "ui_key_quit", show=False, priority=True),
]

START = [
    Key("search", "slash,ctrl+f", "focus_search", "ui_key_search"),
    Key("start", "ctrl+s", "start", "ui_key_start"),
    Key("quit-q", "q", "app.quit", "ui_key_quit", show=False),
]

CONVERSATION = [
    *[Key(f"choose-{n}", str(n), f"choose({n})", "ui_key_choose", show=False, display="1–9") for n in range(1, 10)],
    Key("undo", "u,ctrl+z", "undo", "ui_key_undo"),
    Key("debrief", "d", "debrief", "ui_key_debrief"),
    Key("scroll-up", "pageup", "scroll_chat(-1)", "ui_key_scroll_up", show=False),
    Key("scroll-down", "pagedown", "scroll_chat(1)", "ui_key_scroll_down", show=False),
    Key("quit-q", "q", "app.quit", "ui_key_quit"),
]

DEBRIEF = [
    # the buttons show these keys already; the footer keeps to quit and help
    Key("export-json", "j", "export('json')", "ui_key_export_json", show=False),
    Key("export-html", "h", "export('html')", "ui_key_export_html", show=False),
    Key("replay", "r", "replay", "ui_key_replay", show=False),
    Key("new", "n", "new", "ui_key_new", show=False),
    Key("quit-q", "q", "app.quit", "ui_key_quit"),
]

REPLAY = [
    Key("replay-next", "right,space", "step(1)", "ui_key_next"),
    Key("replay-prev", "left", "step(-1)", "ui_key_prev"),
    Key("replay-close", "escape", "close", "ui_key_close"),
]

TIE = [  # "Bedoelde u:" after a typed line that fits two or three choices about equally
    *[Key(f"tie-{n}", str(n), f"pick({n})", "ui_key_tie_pick", show=False, display="1–3") for n in range(1, 10)],
    Key("tie-cancel", "escape", "cancel", "ui_key_tie_cancel"),
]

HELP = [
    Key("help-close", "escape,f1", "close", "ui_key_close"),
]

ERROR = [
    Key("error-start", "n", "new", "ui_key_new"),
    Key("quit-q", "q", "app.quit", "ui_key_quit"),
]

SCOPES = {"app": APP, "start": START, "conversation": CONVERSATION, "tie": TIE, "debrief": DEBRIEF,
          "replay": REPLAY, "help": HELP, "error": ERROR}
SCOPE_TITLES = {"app": "ui_scope_app", "start": "ui_scope_start", "conversation": "ui_scope_conversation",
                "tie": "ui_scope_tie", "debrief": "ui_scope_debrief", "replay": "ui_scope_replay",
                "help": "ui_scope_help", "error": "ui_scope_error"}


def all_ids() -> set[str]:
    return {k.id for keys in SCOPES.values() for k in keys}


def bindings(scope: str, lang: str) -> list[Binding]:
    return [Binding(k.keys, k.action, t(k.desc, lang), show=k.show, priority=k.priority, id=k.id)
            for k in SCOPES[scope]]


def localize(node, scope: str, lang: str) -> None:
    """Give a screen (or the app) this scope's bindings in `lang`, keeping Textual's own (tab, shift+tab, ...)."""
    own = bindings(scope, lang)
    ids = {b.id for b in own}
    keys = {k for b in own for k in b.key.split(",")}
    keep = [b for key, found in node._bindings.key_to_bindings.items() for b in found
            if b.id not in ids and key not in keys]
    node._bindings = BindingsMap([*keep, *own])


_NAMES = {"question_mark": "?", "slash": "/", "pageup": "PgUp", "pagedown": "PgDn", "escape": "Esc",
          "space": "Space", "right": "→", "left": "←", "up": "↑", "down": "↓", "enter": "Enter"}


def key_label(keys: str) -> str:
    """'f1,question_mark' -> 'F1 / ?' (readable for the help screen)."""
    out = []
    for key in keys.split(","):
        parts = key.strip().split("+")
        parts = [_NAMES.get(p, p.upper() if len(p) == 1 and len(parts) > 1 or p[:1] == "f" and p[1:].isdigit()
                             else p) for p in parts]
        out.append("+".join(p.capitalize() if p in ("ctrl", "shift", "alt") else p for p in parts))
    return ", ".join(out)


def help_rows(lang: str, keymap: dict[str, str]) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(scope title, [(keys, description)])], with the keymap applied and grouped keys (1–9) merged."""
    rows = []
    for scope, keys in SCOPES.items():
        lines: list[tuple[str, str]] = []
        seen_groups: set[str] = set()
        for k in keys:
            if k.display:
                if k.desc in seen_groups:
                    continue
                seen_groups.add(k.desc)
                lines.append((k.display, t(k.desc, lang)))
                continue
            lines.append((key_label(keymap.get(k.id, k.keys)), t(k.desc, lang)))
        if scope in ("conversation", "tie"):
            lines.insert(1, ("↑ ↓ Enter", t("ui_key_arrows", lang)))
        rows.append((t(SCOPE_TITLES[scope], lang), lines))
    return rows
