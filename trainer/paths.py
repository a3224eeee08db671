"""Where things live: shipped personas and schemas, extra persona folders, the sessions folder, the user cache."""

from __future__ import annotations

import os
from pathlib import Path

PERSONAS_ENV = "GESPREKSTRAINER_PERSONAS"  # extra persona folders, os.pathsep-separated
SESSIONS_ENV = "GESPREKSTRAINER_SESSIONS"  # overrides the sessions folder
CACHE_ENV = "GESPREKSTRAINER_CACHE"  # overrides the cache folder ("off" disables the disk caches)

_PKG = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    # Installed wheel: trainer/_personas; source checkout or editable install: <repo>/personas.
    installed = _PKG / f"_{name}"
    return installed if installed.is_dir() else _PKG.parent / name


def shipped_personas_dir() -> Path:
    return _shipped("personas")


def schemas_dir() -> Path:
    return _shipped("schemas")


def persona_dirs(extra: list[str] | None = None) -> list[Path]:
    """Folders searched for personas, first match wins: --personas, then the environment, then shipped."""
    dirs = [Path(d) for d in (extra or [])]
    env = os.environ.get(PERSONAS_ENV, "")
    dirs += [Path(d) for d in env.split(os.pathsep) if d]
    dirs.append(shipped_personas_dir())
    return dirs


def sessions_dir(override: str | None = None) -> Path:
    if override:
        return Path(override)
    env = os.environ.get(SESSIONS_ENV)
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("gesprekstrainer", appauthor=False)) / "sessions"


def cache_dir() -> Path | None:
    """The user cache folder (sentence vectors, the parsed lexicon); None when disk caches are off."""
    env = os.environ.get(CACHE_ENV)
    if env == "off":
        return None
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("gesprekstrainer", appauthor=False))
