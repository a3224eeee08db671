"""Pseudonyms in exports, and `--anonymise`.

Exports carry the trainee's pseudonym as typed at the start of a session, nothing else about the person (not the
persona file's path, which can hold a user name). `--anonymise` replaces the pseudonym by
"anon-" + the first 10 hex digits of sha256(salt + "\\n" + pseudonym): stable, so one trainee's sessions stay
together, but not reversible without the salt.

The salt, first found wins:
1. `--salt TEXT` on the command line,
2. the environment variable GESPREKSTRAINER_SALT,
3. the installation's salt file `<user config dir>/gesprekstrainer/salt` (created with 32 random hex digits on
   first use, readable by the owner only). Share that file between installations that must produce the same hashes.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

SALT_ENV = "GESPREKSTRAINER_SALT"


def salt_file() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("gesprekstrainer", appauthor=False)) / "salt"


def get_salt(option: str | None = None) -> str:
    if option:
        return option
    env = os.environ.get(SALT_ENV)
    if env:
        return env
    path = salt_file()
    try:
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise OSError(f"cannot read the salt file {path}: {exc.strerror or exc}") from None
    from trainer.export.fileio import write_text_atomic

    salt = secrets.token_hex(16)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, salt + "\n", mode=0o600)
    except OSError as exc:
        raise OSError(f"cannot create the salt file {path}: {exc.strerror or exc}; use --salt") from None
    return salt


def anonymise(pseudonym: str, salt: str) -> str:
    """Stable hash of a pseudonym. An empty pseudonym stays empty (there is nothing to hide)."""
    if not pseudonym:
        return ""
    digest = hashlib.sha256(f"{salt}\n{pseudonym}".encode("utf-8")).hexdigest()
    return "anon-" + digest[:10]


class Pseudonyms:
    """Maps pseudonyms for one export run: identity, or the salted hash with --anonymise."""

    def __init__(self, anonymise_: bool = False, salt: str | None = None):
        self.active = anonymise_
        self._salt = get_salt(salt) if anonymise_ else ""

    def __call__(self, pseudonym: str) -> str:
        return anonymise(pseudonym, self._salt) if self.active else pseudonym
