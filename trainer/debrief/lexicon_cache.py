"""The word list's files and its user-cache files (the analyser is trainer/debrief/analyser.py): which files make
the word list, where their caches live and how they are written, and the categories found in a persona's own
lines (AuthoredCategories).

Kept apart from the analyser so `trainer explore` can reuse what an earlier run found without importing the
analyser at all: a rerun after an edit only analyses the lines that are new.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

from trainer.vocab import CONTROLLING_CATEGORIES, SUPPORTIVE_CATEGORIES

if TYPE_CHECKING:
    from trainer.debrief.analyser import Lexicon

BUILTIN_LEXICON = Path(__file__).with_name("lexicon.yaml")
ENV_VAR = "GESPREKSTRAINER_LEXICON"
MAX_LEXICON_BYTES = 2 * 1024 * 1024
_ANALYSER = Path(__file__).with_name("analyser.py")  # its code parses the word list and analyses the lines
_ALL_CATEGORIES = CONTROLLING_CATEGORIES + SUPPORTIVE_CATEGORIES


def env_lexicon_paths() -> list[str]:
    return [p for p in os.environ.get(ENV_VAR, "").split(os.pathsep) if p.strip()]


def default_lexicon_files(env: bool = True) -> list[str]:
    """The files default_lexicon() reads: the built-in one, then $GESPREKSTRAINER_LEXICON's."""
    return [str(BUILTIN_LEXICON), *(env_lexicon_paths() if env else [])]


def lexicon_cache_path(files: list[str]) -> Path | None:
    """The cache file for the word list made of `files`: named by a hash of the analyser's code and of every
    file's bytes, so an edited word list or a new version gets a new file. None when the cache folder is off
    (GESPREKSTRAINER_CACHE=off) or a file is unreadable (then the normal parse runs and reports it)."""
    import hashlib

    from trainer.paths import cache_dir

    folder = cache_dir()
    if folder is None:
        return None
    h = hashlib.blake2b(_ANALYSER.read_bytes(), digest_size=16)
    for name in files:
        try:
            with open(name, "rb") as fh:
                raw = fh.read(MAX_LEXICON_BYTES + 1)
        except OSError:
            return None
        h.update(len(raw).to_bytes(8, "little"))
        h.update(raw)
    return folder / f"lexicon-{h.hexdigest()}.json"


def write_json(path: Path, data) -> bool:
    """Write a cache file atomically; False when the folder is read-only (the cache then only costs time)."""
    import json
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, path)
        return True
    except OSError:
        return False


class _Categories(NamedTuple):
    categories: frozenset


class AuthoredCategories:
    """The categories the word list finds in authored lines (a persona's own texts, never a trainee's typed line),
    kept in the user cache folder beside the parsed lexicon and keyed the same way. `trainer explore` analyses
    every choice of a persona; the first analysis of a line compiles the rules it tries (about 0.35 s for a
    shipped persona), which a trainer would pay after each edit. With this, only new or changed lines are analysed.

        cats = AuthoredCategories(default_lexicon());  explore(persona, analyser=cats.analyser);  cats.save()

    `lexicon` may also be a function that loads it, with `files` its lexicon files (default_lexicon_files()): it
    is called at the first line the cache does not know, so a rerun where every line is known neither reads the
    word list nor imports the analyser (both cost more than the search of a small persona). The cache key is the
    hash of the files' bytes, so known lines imply a word list that parsed without error.
    """

    def __init__(self, lexicon: "Lexicon | Callable[[], Lexicon]", files: list[str] | None = None):
        self._lexicon = lexicon
        sources = files if callable(lexicon) else lexicon.sources
        cached = lexicon_cache_path(list(sources)) if sources else None
        self.path = cached.with_name(cached.stem + "-authored.json") if cached else None
        self.known: dict[str, tuple[str, ...]] = {}
        self.dirty = False
        if self.path is not None:
            import json

            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(raw, dict):
                    self.known = {t: tuple(c) for t, c in raw.items() if isinstance(t, str) and isinstance(c, list)
                                  and all(x in _ALL_CATEGORIES for x in c)}
            except (OSError, ValueError):
                pass  # missing or damaged: analysed anew and rewritten

    @property
    def lexicon(self) -> "Lexicon":
        if callable(self._lexicon):
            self._lexicon = self._lexicon()
        return self._lexicon

    def analyser(self, text: str) -> _Categories:
        got = self.known.get(text)
        if got is None:
            from trainer.debrief import analyser

            got = tuple(sorted(analyser.analyse(text, lexicon=self.lexicon).categories))
            self.known[text] = got
            self.dirty = True
        return _Categories(frozenset(got))

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        self.dirty = not write_json(self.path, {t: list(c) for t, c in sorted(self.known.items())})
