"""The report's fast path (trainer/export/digest.py) against the full replay: the same summary for every session,
and the full replay (or today's error) whenever the journal does not let the fast path be sure."""

import importlib.util
import json
import random
import shutil

import pytest

from test_export_record import MINI, ROOT, analyser, play
from trainer.engine.runner import Run
from trainer.export.load import ExportError, Loader
from trainer.export.summary import Stats, summaries
from trainer.paths import shipped_personas_dir
from trainer.vocab import ACT_CODES

TYPED = ["Hoe gaat het nu met u?", "U moet maandag beginnen, anders kort ik uw uitkering.",
         "Wat zou u zelf graag willen doen?", "Dat klinkt zwaar, u heeft lang hard gewerkt.",
         "Ik controleer over een maand of u er was.", "Goed dat u dat zegt.", "Het weer is mooi vandaag.",
         "U bepaalt zelf wat u kiest.", "Dat is niet zo erg hoor, iedereen moet wat."]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "scripts" / "bench_report.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def _typed_sessions(folder, n, seed):
    """Free-text sessions of every shipped persona as the free-text player journals them: typed lines matched to a
    choice (own codes, act, score, some of the choice's pick-ups, extra pick-ups), reactions, fallbacks, plain
    choices, undos, some abandoned early."""
    rnd = random.Random(seed)
    files = sorted(shipped_personas_dir().glob("*.yaml"))
    acts = list(ACT_CODES)
    for i in range(n):
        run = Run.start(str(files[i % len(files)]), folder, analyser(), trainee=f"ft{i % 3}", free_text=True,
                        mode="assessment" if i % 4 == 0 else "practice")
        stop = rnd.choice([1, 3, 60, 60, 60])
        while not run.session.ended and len(run.session.turns) < stop:
            text, act = rnd.choice(TYPED), rnd.choice(acts)
            roll = rnd.random()
            detected = tuple(sorted(set(analyser()(text).categories)))
            if roll < 0.3 and run.session.reaction_for(act, detected) is not None:
                run.react(text, act, codes=ACT_CODES[act], extra_picks=tuple(rnd.sample(["x", "werk"], 1)))
            elif roll < 0.45:
                run.fallback(text, codes=ACT_CODES[act], act=act)
            elif roll < 0.75:
                option = rnd.choice(run.session.open_choices())
                own = tuple(c for c in option.choice.picks_up if rnd.random() < 0.5)
                run.choose(option.id, typed=text, score=rnd.random(), own_picks=own, codes=ACT_CODES[act], act=act,
                           extra_picks=("x",) if rnd.random() < 0.2 else ())
            else:
                run.choose(rnd.choice(run.session.open_choices()).id)
            if rnd.random() < 0.05 and not run.session.ended:
                run.undo()
        run.journal.close()


def _outcome(loader, path, full):
    try:
        if full:
            return loader.replayed_summary(path), "replayed"
        return loader.summary_and_route(path)
    except ExportError as exc:
        return str(exc), "error"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("digest")
    _bench().generate(root / "sessions", 120, seed=5)
    _typed_sessions(root / "sessions", 40, seed=9)
    return sorted((root / "sessions").glob("*.jsonl"))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_fast_path_gives_the_replayed_summary_of_every_freshly_played_session(cohort, lang):
    """Sessions as the engine journals them today never need the replay, and their summaries are exactly those of
    the replay: finished, unfinished, abandoned, typed lines (matched, reactions, fallbacks), undos, every shipped
    persona. When the engine's rules change, this fails (the walk in digest.py must follow)."""
    loader = Loader(analyser=analyser(), lang=lang)
    seen = {"unfinished": 0, "typed": 0, "react": 0, "fallback": 0, "flags": 0, "cues": 0, "undo": 0}
    for path in cohort:
        summary, route = loader.summary_and_route(path)
        assert route is None, (path.name, route)
        assert summary == loader.replayed_summary(path), path.name
        text = path.read_text(encoding="utf-8")
        seen["unfinished"] += not summary["finished"]
        seen["typed"] += '"typed"' in text
        seen["react"] += '"type":"react"' in text
        seen["fallback"] += '"type":"fallback"' in text
        seen["undo"] += '"type":"undo"' in text
        seen["flags"] += bool(summary["flag_lines"])
        seen["cues"] += bool(summary["cues"])
    assert all(seen.values()), seen


def _variant(src, dest, change):
    lines = src.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    change(records)
    dest.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return dest


def _acts(records):
    return [r for r in records[1:] if r.get("type") in ("choose", "fallback", "react")]


def _set(key, value, at=0):
    def change(records):
        _acts(records)[at][key] = value
    return change


def _drop(*keys):
    def change(records):
        for r in _acts(records):
            for k in keys:
                r.pop(k, None)
    return change


def test_journals_the_fast_path_cannot_vouch_for_get_the_replay_or_its_error(cohort, tmp_path):
    """Hand-edited or older journals: the fast path hands them to the full replay, so the report shows exactly
    what it showed before (the replayed summary, or the same one-line error)."""
    long = next(p for p in cohort if len(_acts([None] + [json.loads(x) for x in p.read_text().splitlines()[1:]])) > 4
                and '"typed"' not in p.read_text())
    react = next(p for p in cohort if '"type":"react"' in p.read_text())
    cases = {
        "old-no-meters": (long, _drop("trust", "motivation", "phase"), "recorded meters"),
        "edited-trust": (long, _set("trust", 3, 1), "recorded meters"),
        "edited-phase": (long, _set("phase", "weerstand", 1), "recorded meters"),
        "edited-ending": (long, _set("ended", "complied", 1), "recorded meters"),
        "edited-categories": (long, _set("detected", ["sanction"], 1), None),  # meters differ, or a choice closes
        "edited-start-meters": (long, lambda r: r[0].update(meters={"trust": 95, "motivation": 5}), "recorded meters"),
        "no-persona-hash": (long, lambda r: r[0].pop("persona_hash"), "persona changed"),
        "reaction-without-line": (react, lambda r: next(a for a in _acts(r) if a["type"] == "react").pop("line"),
                                  "line number"),
        "unknown-choice": (long, _set("choice", "nope.9", 1), "error"),
        "choice-not-open": (long, lambda r: _acts(r)[1].update(choice=_acts(r)[3]["choice"]), None),
        "changed-text": (long, _set("text_hash", "0" * 16, 1), "error"),
        "bad-start": (long, lambda r: r[0].update(start="nergens"), "error"),
        "bad-meters": (long, lambda r: r[0].update(meters={"trust": "x"}), "error"),
        "unhashable": (long, _set("detected", [["x"]], 0), "error"),
        "typed-not-text": (long, _set("typed", 42, 0), "error"),  # was a traceback that stopped the whole report
        "wrong-reaction": (react, lambda r: next(a for a in _acts(r) if a["type"] == "react").update(
            reaction="reactions.99"), "error"),
        "after-the-end": (long, lambda r: r.append(dict(_acts(r)[-1])) if _acts(r)[-1].get("ended") else
                          r.append({**_acts(r)[-1], "ended": "x"}), None),
    }
    loader = Loader(analyser=analyser())
    for name, (src, change, expected) in cases.items():
        path = _variant(src, tmp_path / f"{name}.jsonl", change)
        fast, route = _outcome(loader, path, full=False)
        full, _ = _outcome(loader, path, full=True)
        assert fast == full, name
        assert route is not None, name  # never the fast path's own answer
        if expected == "error":
            assert route == "error", (name, route)
        elif expected:
            assert expected in route, (name, route)


def test_a_changed_persona_is_replayed_as_before(tmp_path):
    """A persona edited since the session: the fast path does not judge it; the replay uses the persona as it is now
    (today's behaviour), or reports that the session no longer fits it."""
    copy = tmp_path / "mini.yaml"
    shutil.copy(MINI, copy)
    kept = play(tmp_path / "s", ["begin.1", "midden.1", "slot.1"], persona=copy).journal.path
    copy.write_text(copy.read_text(encoding="utf-8").replace("Goedemorgen.", "Dag."), encoding="utf-8")
    loader = Loader(analyser=analyser())
    summary, route = loader.summary_and_route(kept)
    assert "persona changed" in route
    assert summary == loader.replayed_summary(kept) and summary["persona_changed"]


def test_the_report_counts_which_summaries_needed_the_replay(cohort, tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    for p in cohort[:20]:
        shutil.copy(p, folder / p.name)
    _variant(cohort[0], folder / "zz-edited.jsonl", _drop("trust"))
    stats = Stats()
    rows, errors = summaries(sorted(folder.glob("*.jsonl")), Loader(analyser=analyser()), stats=stats, jobs=1)
    assert len(rows) == 21 and not errors
    assert sum(stats.replayed.values()) == 1 and "recorded meters" in next(iter(stats.replayed))


def test_authored_lines_are_analysed_once_and_kept_in_the_user_cache_which_is_never_trusted_when_damaged(
        cohort, tmp_path, monkeypatch):
    """The fast path keeps the word list's flags of a persona's own lines in the user cache (so a new cohort does
    not compile the rules again in every worker); typed words never go there; a damaged file is ignored."""
    import trainer.debrief.build as build

    monkeypatch.setenv("GESPREKSTRAINER_CACHE", str(tmp_path / "cache"))
    paths = cohort[:80]
    first = summaries(paths, Loader(analyser=analyser()), use_cache=False, jobs=1)
    (stored,) = (tmp_path / "cache").glob("*-flags-*.json")
    lines = json.loads(stored.read_text(encoding="utf-8"))
    typed = {json.loads(line).get("typed") for p in paths for line in p.read_text(encoding="utf-8").splitlines()}
    assert lines["nl"] and not typed & set(lines["nl"])
    assert any(spans for spans in lines["nl"].values())  # some authored lines are controlling

    real = build._analyse
    analysed = []
    monkeypatch.setattr(build, "_analyse", lambda text, lang: analysed.append(text) or real(text, lang))
    assert summaries(paths, Loader(analyser=analyser()), use_cache=False, jobs=1) == first
    assert not set(analysed) & set(lines["nl"])  # from the file: only typed lines were analysed

    line, spans = next((k, v) for k, v in lines["nl"].items() if v)
    wrong_span = dict(lines, nl={**lines["nl"], line: [[spans[0][0], 0, len(line) + 1, spans[0][3]]]})
    for damaged in ('{"nl": {"' + line[:10], "[]", json.dumps(wrong_span),
                    json.dumps(dict(lines, nl={**lines["nl"], line: [["no_such_category", 0, 1, 1]]}))):
        stored.write_text(damaged, encoding="utf-8")
        analysed.clear()
        assert summaries(paths, Loader(analyser=analyser()), use_cache=False, jobs=1) == first
        assert line in analysed  # analysed anew ...
        assert json.loads(stored.read_text(encoding="utf-8")) == lines  # ... and written again, whole
    stored.unlink()  # lines analysed in worker processes are handed back and written by the parent
    stats = Stats()
    assert summaries(paths, Loader(analyser=analyser()), use_cache=False, jobs=2, stats=stats) == first
    assert stats.jobs == 2 and json.loads(stored.read_text(encoding="utf-8")) == lines
