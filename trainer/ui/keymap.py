"""The user's keymap: remap any of the app's keys by binding id, in a small TOML file.

Default location: `<user config folder>/gesprekstrainer/keymap.toml` (platformdirs; on Linux
`~/.config/gesprekstrainer/keymap.toml`), or the file named by GESPREKSTRAINER_KEYMAP. Example:

    # binding id = "key" or "key1,key2"  (Textual key names: ctrl+z, f2, question_mark, ...)
    undo = "ctrl+z"
    help = "f1,h"

A `[keys]` table is accepted too. Unknown ids and bad values are reported, never fatal. No textual imports here.
"""

from __future__ import annotations

import os
from pathlib import Path

KEYMAP_ENV = "GESPREKSTRAINER_KEYMAP"


def default_keymap_path() -> Path:
    env = os.environ.get(KEYMAP_ENV)
    if env:
        return Path(env)
    from platformdirs import user_config_dir

    return Path(user_config_dir("gesprekstrainer", appauthor=False)) / "keymap.toml"


def load_keymap(path: Path | None, known_ids: set[str]) -> tuple[dict[str, str], list[str]]:
    """Returns (binding id -> keys, problems). A missing file is not a problem."""
    path = path or default_keymap_path()
    if not path.is_file():
        return {}, []
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: {exc}"]
    if isinstance(data.get("keys"), dict):
        data = {**{k: v for k, v in data.items() if k != "keys"}, **data["keys"]}
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for ident, keys in data.items():
        if ident not in known_ids:
            problems.append(f"{path}: unknown binding id '{ident}'")
        elif isinstance(keys, list) and all(isinstance(k, str) for k in keys):
            keymap[ident] = ",".join(keys)
        elif isinstance(keys, str) and keys.strip():
            keymap[ident] = keys.replace(" ", "")
        else:
            problems.append(f"{path}: '{ident}' needs a key name such as \"ctrl+z\"")
    return keymap, problems
