"""One flat summary per session (the numbers of a CSV row and the cohort report), cached next to the journals.

A summary agrees with the other exports: `summarise(record)` makes it from a SessionRecord, and the report makes
it straight from the replayed session and its Debrief (`Loader.summary`, without building the record, which
costs more than the replay); both go through one function and take the journal's own facts from
`record.journal_facts`, and a test keeps them equal. The report builds most summaries through the fast path of
export/digest.py (the engine's rules walked over the journal, only the debrief parts a summary shows; about a
quarter of a millisecond a session), and does the full replay and debrief where it hands a journal over (its
docstring says when; a cache entry then records why under "replayed"). The summaries of a folder are cached in
`<folder>/.cache/summaries.json`, one entry per journal, valid while

- the journal's size and modification time are unchanged (a journal only grows; an undo appends a line),
- the persona file the journal is replayed with has the same content hash, and
- the code and the analyser lexicon are unchanged (a fingerprint of their files' sizes and times, plus the
  version; any change rebuilds the whole cache).

Summaries do not depend on the language (labels are looked up when shown) or on --anonymise (applied when
written). Unreadable journals are cached as errors with the same key, so a damaged file is reported quickly
every time until it changes. When the cache cannot be written (read-only folder) everything still works, only
slower.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from trainer.export.load import ExportError, Loader

SUMMARY_VERSION = 3
CACHE_DIR = ".cache"
CACHE_FILE = "summaries.json"


def summarise(record) -> dict:
    """The language-neutral summary of a SessionRecord (what the exports use)."""
    return _summary(
        session_id=record.session_id, file=record.journal.file, trainee=record.trainee, persona=record.persona,
        persona_changed=record.persona.changed, mode=record.mode, started_at=record.started_at,
        finished_at=record.finished_at, duration_seconds=record.duration_seconds, finished=record.finished,
        outcome=record.outcome, outcome_label=record.debrief.outcome_label, turns=len(record.turns),
        rubric=record.rubric, cues=record.debrief.cues, flags=record.debrief.flags, final=record.final,
        turns_of=record.turns)


def summarise_session(header: dict, events: list[dict], session, loaded, debrief, journal_file) -> dict:
    """The same summary straight from a replayed session and its Debrief, without building the SessionRecord
    (which costs more than the replay): `== summarise(build_record(...))`, a test keeps it so."""
    from trainer.export.record import journal_facts

    facts = journal_facts(header, events, session.ended, loaded.content_hash, journal_file)
    return _summary(
        session_id=facts["session_id"], file=Path(journal_file).name, trainee=facts["trainee"],
        persona=session.persona, persona_changed=facts["persona_changed"], mode=facts["mode"],
        started_at=facts["started_at"], finished_at=facts["finished_at"],
        duration_seconds=facts["duration_seconds"], finished=session.ended, outcome=session.outcome,
        outcome_label=debrief.outcome_label, turns=len(session.turns), rubric=debrief.rubric, cues=debrief.cues,
        flags=debrief.flags, final=session.state, turns_of=session.turns)


def _choice_of(turns, index: int):
    """The authored choice id of a turn, None for typed words (which stay out of the cache as far as possible)."""
    if 1 <= index <= len(turns):
        turn = turns[index - 1]
        return None if turn.typed is not None else turn.choice_id
    return None


def _flag_line(f, choice) -> list:
    return [f.category, f.severity, f.text[f.start:f.end], choice, f.text if choice else None]


def _summary(*, session_id, file, trainee, persona, persona_changed, mode, started_at, finished_at,
             duration_seconds, finished, outcome, outcome_label, turns, rubric, cues, flags, final,
             turns_of=()) -> dict:
    """Both of the above. rubric, cues, flags and final are either the record's models or the Debrief's and
    the session's own objects: they have the same attribute names."""
    from trainer.vocab import OUTCOMES

    counts = dict(rubric.counts)
    questions = counts.get("question", 0)
    simple, complex_ = counts.get("simple_reflection", 0), counts.get("complex_reflection", 0)
    reflections = simple + complex_
    picked = sum(1 for c in cues if c.status == "picked_up")
    categories: dict[str, int] = {}
    severity: dict[str, int] = {}
    for f in flags:
        categories[f.category] = categories.get(f.category, 0) + 1
        severity[f.category] = severity.get(f.category, 0) + f.severity
    if outcome in OUTCOMES:
        label = {"nl": OUTCOMES[outcome]["nl"], "en": OUTCOMES[outcome]["en"]}
    elif outcome:
        label = {"nl": outcome_label, "en": outcome_label}
    else:
        label = None
    return {
        "session_id": session_id,
        "file": file,
        "trainee": trainee,
        "persona_id": persona.id,
        "persona_name": persona.name,
        "persona_changed": persona_changed,
        "mode": mode,
        "started_at": started_at,
        "finished_at": finished_at,
        "duration_seconds": duration_seconds,
        "finished": finished,
        "outcome": outcome,
        "outcome_label": label,
        "turns": turns,
        # no verdict for an unfinished session (see record.py)
        "score": rubric.score if finished else None,
        "level": rubric.level if finished else None,
        "passed": rubric.passed if finished else None,
        "counts": counts,
        "questions": questions,
        "reflections": reflections,
        "rq_ratio": None if questions == 0 else round(reflections / questions, 2),
        "complex_pct": None if reflections == 0 else round(100 * complex_ / reflections),
        "cues_judged": len(cues),
        "cues_picked_up": picked,
        "cue_response_pct": None if not cues else round(100 * picked / len(cues)),
        "controlling_count": rubric.controlling_count,
        "controlling_severity": rubric.controlling_severity,
        "final_trust": final.trust,
        "final_motivation": final.motivation,
        "final_phase": final.phase,
        "categories": dict(categories),
        "category_severity": dict(severity),
        "cues": [[c.cue, c.label, c.status] for c in cues],
        # for the cohort's practice sheet: [category, severity, flagged words, choice id, whole line]; for typed
        # words choice id and line are null (only the few flagged words of what a trainee typed are kept)
        "flag_lines": [_flag_line(f, _choice_of(turns_of, f.turn)) for f in flags],
    }


# --- the cache -----------------------------------------------------------------------------------------------------

def _stat_key(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


_FINGERPRINT: str | None = None


def fingerprint() -> str:
    """Changes whenever code that shapes a summary, or the analyser's lexicon, changes."""
    global _FINGERPRINT
    if _FINGERPRINT is not None:
        return _FINGERPRINT
    import hashlib

    import trainer
    from trainer import __version__

    root = Path(trainer.__file__).resolve().parent
    files = [root / "vocab.py", root / "i18n.py", root / "wiring.py"]
    files += [root / "export" / f"{name}.py" for name in ("record", "summary", "load", "digest")]
    for sub in ("engine", "debrief", "persona"):
        files += sorted((root / sub).glob("*.py")) + sorted((root / sub).glob("*.yaml"))
    files += [Path(p) for p in os.environ.get("GESPREKSTRAINER_LEXICON", "").split(os.pathsep) if p.strip()]
    h = hashlib.sha256(f"{__version__}/{SUMMARY_VERSION}".encode())
    for f in files:
        key = _stat_key(f)
        h.update(f"{f}:{key}\n".encode())
    _FINGERPRINT = h.hexdigest()[:24]
    return _FINGERPRINT


class SummaryCache:
    """The cache file of one folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder / CACHE_DIR / CACHE_FILE
        self.entries: dict[str, dict] = {}
        self.seen: set[str] = set()
        self.dirty = False
        self.fp = fingerprint()
        try:
            with paused_gc():
                raw = json.loads(self.path.read_bytes())
            if isinstance(raw, dict) and raw.get("fingerprint") == self.fp and isinstance(raw.get("entries"), dict):
                self.entries = raw["entries"]
        except (OSError, ValueError):
            pass

    def save(self) -> bool:
        for name in [n for n in self.entries if n not in self.seen]:
            if not (self.folder / name).exists():  # journal deleted: forget it
                del self.entries[name]
                self.dirty = True
        if not self.dirty:
            return True
        from trainer.export.fileio import write_bytes_atomic

        try:
            self.path.parent.mkdir(exist_ok=True)
            # ASCII-only JSON without the circularity check encodes about 30 % faster and reads back the same
            data = json.dumps({"version": SUMMARY_VERSION, "fingerprint": self.fp, "entries": self.entries},
                              separators=(",", ":"), check_circular=False).encode("ascii")
            write_bytes_atomic(self.path, data)
        except OSError:
            return False
        self.dirty = False
        return True


def _save_in_background(caches: list[SummaryCache]):
    """Write the caches from a forked copy of this process while this one goes on (`trainer report` prints its
    table meanwhile): encoding 10,000 summaries takes about 0.4 s, on the core the workers have just left. Returns
    the function that waits for it (the caller calls it before it exits; the file is written atomically either
    way, so a reader never sees half of it). Without fork, or with nothing to write, they are saved right here."""
    dirty = [c for c in caches if c.dirty or any(n not in c.seen for n in c.entries)]
    fork = getattr(os, "fork", None)
    if not dirty or fork is None:
        for cache in caches:
            cache.save()
        return lambda: None
    gc.freeze()  # (the copy neither collects nor un-shares what it only reads)
    try:
        pid = fork()
    except OSError:
        pid = None
    finally:
        gc.unfreeze()
    if pid is None:
        for cache in caches:
            cache.save()
        return lambda: None
    if pid == 0:  # the copy: write, and leave without running anything of the parent's exit
        code = 1
        try:
            gc.disable()
            code = 0 if all(cache.save() for cache in dirty) else 1
        finally:
            os._exit(code)

    def wait() -> None:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass

    return wait


@contextmanager
def paused_gc():
    """No cycle collection while thousands of summaries are decoded or aggregated: they hold no cycles, but every
    collection walks all of them again as the heap grows (about 0.7 s for 10,000 summaries). Never around
    replays: sessions and their phase machines do make cycles."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _ref(header: dict) -> dict:
    return {"persona_path": header.get("persona_path"), "persona": header.get("persona")}


class Stats:
    def __init__(self):
        self.hits = 0
        self.built = 0
        self.jobs = 1
        self.seconds = 0.0
        self.replayed: Counter = Counter()  # of the summaries built: why they needed the full replay
        self.saved = lambda: None  # waits until the cache is written (see summaries(background=True))


# rebuild in worker processes from this many cache misses on (when there is more than one CPU); below that,
# starting the workers and warming their caches costs more than it saves (measured on 2 CPUs)
PARALLEL_MIN = 500


def _build(loader: Loader, path: Path) -> dict:
    """A fresh cache entry for one journal: its summary, or the error that stops it. Its key (size and time) is
    taken before the journal is read: one that grows meanwhile is summarised again next time."""
    key = _stat_key(path)
    ref = None
    try:
        data = loader.read(path)
        ref = _ref(data.header)
        summary, replayed = loader.summary_and_route(path, data)
        entry = {"key": key, "ref": ref, "persona_hash": loader.persona_hash(ref), "summary": summary}
        if replayed:
            entry["replayed"] = replayed  # why the fast path (digest.py) handed this one to the full replay
        return entry
    except ExportError as exc:
        return {"key": key, "ref": ref, "persona_hash": loader.persona_hash(ref) if ref else None,
                "error": str(exc)}


_WORKER_LOADER: Loader | None = None  # inherited by forked workers


def _build_chunk(paths: list[str]) -> tuple[bytes, dict]:
    """In a worker: the entries of these journals (marshalled: the quickest to load for the parent), and the
    authored lines it analysed meanwhile (for the parent's digest.AuthoredFlags)."""
    import marshal

    entries = [_build(_WORKER_LOADER, Path(p)) for p in paths]
    return marshal.dumps(entries), _WORKER_LOADER.authored_flags().take_new()


def _preload_personas(loader: Loader, paths: list[Path], sample: int = 100) -> None:
    """Load the personas of a sample of these journals once, here, so forked workers share them instead of each
    loading them again. A sample, because reading every header costs more than it saves (a folder holds a
    handful of personas); a persona the sample missed is loaded by each worker that needs it."""
    for path in paths[::max(1, len(paths) // sample)]:
        try:
            with open(path, "rb") as fh:
                header = json.loads(fh.readline())
            if isinstance(header, dict):
                loader.persona(_ref(header), "?")
        except (OSError, ValueError, ExportError):
            pass


def _build_all(loader: Loader, paths: list[Path], jobs: int) -> list[dict]:
    """The entries of these journals, in order."""
    global _WORKER_LOADER
    if jobs > 1 and len(paths) > 1:
        import multiprocessing

        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:
            ctx = None
        if ctx is not None:
            import marshal
            from concurrent.futures import ProcessPoolExecutor

            _preload_personas(loader, paths)
            authored = loader.authored_flags()  # read here, once, for every worker
            size = -(-len(paths) // (jobs * 16))  # small chunks: the workers finish close together
            chunks = [[str(p) for p in paths[i:i + size]] for i in range(0, len(paths), size)]
            _WORKER_LOADER = loader
            # Forked workers share this process's memory until they write to it; the cycle collector walking the
            # inherited objects writes to every one of them. Freezing them first keeps those pages shared.
            gc.freeze()
            try:
                entries: list[dict] = []
                # (workers collect as usual: gc.enable, in case they are forked while the collection below runs)
                with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=gc.enable) as pool:
                    with paused_gc():
                        for packed, learnt in pool.map(_build_chunk, chunks):
                            entries += marshal.loads(packed)  # (from our own workers: never from a file)
                            authored.merge(learnt)
                return entries
            except (OSError, RuntimeError):
                pass  # no processes here (sandbox, limits): do it in this process
            finally:
                _WORKER_LOADER = None
                gc.unfreeze()
    return [_build(loader, p) for p in paths]


def summaries(paths: list[Path], loader: Loader, *, use_cache: bool = True, stats: Stats | None = None,
              jobs: int | None = None, background: bool = False) -> tuple[list[dict], list[str]]:
    """Summaries of the given journals, in order. Returns (summaries, error messages). With `background`, the
    cache is written while the caller goes on: it must call `stats.saved()` before it exits."""
    t0 = time.perf_counter()
    stats = stats or Stats()
    caches: dict[Path, SummaryCache] = {}
    results: list[dict | None] = [None] * len(paths)
    misses: list[tuple[int, Path, SummaryCache | None]] = []
    folders: dict[str, SummaryCache] = {}  # by the folder's name as written: no Path made per journal
    for i, path in enumerate(paths):
        path = path if isinstance(path, Path) else Path(path)
        cache = None
        if use_cache:
            cache = folders.get(os.path.dirname(path))
            if cache is None:
                cache = caches.get(path.parent)
                if cache is None:
                    cache = caches[path.parent] = SummaryCache(path.parent)
                folders[os.path.dirname(path)] = cache
        entry = None
        if cache is not None:
            cache.seen.add(path.name)
            entry = cache.entries.get(path.name)
        if entry is not None:  # (a journal without an entry is not even looked at here: its builder does that)
            key = _stat_key(path)
            if key is not None and entry.get("key") == key:
                ref = entry.get("ref")
                if ref is None or loader.persona_hash(ref) == entry.get("persona_hash"):
                    stats.hits += 1
                    results[i] = entry
                    continue
        misses.append((i, path, cache))
    if jobs is None:
        jobs = min(os.cpu_count() or 1, 8) if len(misses) >= PARALLEL_MIN else 1
    stats.jobs = jobs
    built = _build_all(loader, [p for _, p, _ in misses], jobs)
    stats.built = len(built)
    stats.replayed = Counter(e["replayed"] for e in built if "replayed" in e)
    for (i, path, cache), entry in zip(misses, built):
        results[i] = entry
        if cache is not None and entry["key"] is not None:  # (no key: the journal could not even be looked at)
            cache.entries[path.name] = entry
            cache.dirty = True
    if background:
        stats.saved = _save_in_background(list(caches.values()))
    else:
        for cache in caches.values():
            cache.save()
    if built:
        loader.authored_flags().save()
    out = [e["summary"] for e in results if e and "summary" in e]
    errors = [e["error"] for e in results if e and "error" in e]
    stats.seconds = time.perf_counter() - t0
    return out, errors
