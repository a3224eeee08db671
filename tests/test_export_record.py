"""The canonical session record: built by replay, valid against the published schema, exact JSON round trip."""

import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from trainer.engine.journal import open_session
from trainer.engine.runner import Run
from trainer.export.load import ExportError, Loader, find_sessions
from trainer.export.record import (SCHEMA_VERSION, build_record, json_schema, json_schema_text, record_from_json,
                                   record_to_dict, record_to_json)

ROOT = Path(__file__).resolve().parent.parent
HOME_PAGE = "https://academie.voorbeeld.nl"


@pytest.fixture(autouse=True)
def xapi_env(monkeypatch, tmp_path):
    """xAPI settings come from the environment in these tests (never from the developer's own xapi.toml), and a
    fixed salt keeps the default pseudonymous xAPI identity out of the developer's config folder."""
    monkeypatch.setenv("GESPREKSTRAINER_XAPI_HOMEPAGE", HOME_PAGE)
    monkeypatch.setenv("GESPREKSTRAINER_XAPI_CONFIG", str(tmp_path / "no-such-xapi.toml"))
    monkeypatch.setenv("GESPREKSTRAINER_SALT", "test-salt")
    for var in ("COURSE", "COURSE_NAME", "COHORT"):
        monkeypatch.delenv(f"GESPREKSTRAINER_XAPI_{var}", raising=False)
MINI = ROOT / "tests" / "fixtures" / "engine" / "mini.yaml"
SCHEMA_FILE = ROOT / "schemas" / "session.schema.json"

# begin.1 picks up the cue, midden.1 raises motivation, slot.1 is then open: own choice
GOOD = ["begin.1", "midden.1", "slot.1"]
# controlling lines: the persona walks out (break_off) or, with a milder analyser, complies
BAD = ["begin.2", "midden.3", "slot.2"]
COMPLIED = ["begin.1", "midden.1", "slot.2"]


def analyser():
    from trainer.wiring import default_analyser

    return default_analyser()


def play(folder: Path, script=GOOD, trainee="anna", persona=MINI, mode="practice", typed=None) -> Run:
    """A journaled session of the mini persona. `typed` lines are played as unmatched free text first; the script
    stops where the conversation ends."""
    run = Run.start(str(persona), folder, analyser(), trainee=trainee, mode=mode, free_text=bool(typed))
    for line in typed or ():
        if not run.session.ended:
            run.fallback(line)
    for cid in script:
        if not run.session.ended:
            run.choose(cid)
    return run


def write_journal(path: Path, header: dict, events: list[dict]) -> Path:
    lines = [json.dumps({"type": "start", "schema": 1, **header}, ensure_ascii=False)]
    lines += [json.dumps(e, ensure_ascii=False) for e in events]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def mini_header(session: str, **extra) -> dict:
    from trainer.persona.loader import load_persona

    loaded = load_persona(MINI)
    head = {"session": session, "persona": "mini", "persona_path": str(MINI), "persona_hash": loaded.content_hash,
            "trainee": "Zoë", "mode": "assessment", "lang": "nl", "free_text": False,
            "started": "2026-03-02T09:00:00+00:00", "start": None, "meters": None}
    head.update(extra)
    return head


def test_record_of_a_finished_session(tmp_path):
    run = play(tmp_path, GOOD, trainee="Zoë van Dijk")
    rec = Loader(analyser=analyser()).record(run.journal.path)
    assert rec.schema_version == SCHEMA_VERSION
    assert rec.session_id == run.session_id and rec.trainee == "Zoë van Dijk" and not rec.anonymised
    assert rec.persona.id == "mini" and rec.persona.name == "Mini" and len(rec.persona.hash) == 64
    assert rec.persona.hash == rec.persona.replayed_hash and not rec.persona.changed
    assert rec.finished and rec.outcome == "own_choice" and rec.ending == "eigen"
    assert [t.choice_id for t in rec.turns] == GOOD
    first = rec.turns[0]
    assert first.offered == ["trots"] and first.picks_up == ["trots"]
    assert {(e.cue, e.event) for e in first.cue_events} == {("trots", "offered"), ("trots", "picked_up")}
    assert first.before.trust == 40 and first.after.trust == rec.turns[1].before.trust
    assert first.effects[0].source == "choice" and first.effects[0].trust == 15
    assert rec.final.trust == rec.turns[-1].after.trust
    assert rec.started_at and rec.finished_at and rec.duration_seconds is not None
    assert rec.rubric.counts["question"] == 2 and rec.rubric.counts["seeking_collaboration"] == 1
    assert rec.debrief.cues[0].status == "picked_up"
    assert rec.journal.file == run.journal.path.name  # a name, never a folder
    assert "persona_path" not in record_to_json(rec) and str(tmp_path) not in record_to_json(rec)


def test_record_round_trips_and_validates_against_the_published_schema(tmp_path):
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    runs = [play(tmp_path, GOOD), play(tmp_path, BAD, trainee=""),
            play(tmp_path, ["begin.1"], typed=["Wat vindt ú ervan? <b>", "Je moet gewoon komen."])]
    loader = Loader(analyser=analyser())
    for run in runs:
        rec = loader.record(run.journal.path)
        text = record_to_json(rec)
        validator.validate(json.loads(text))
        again = record_from_json(text)
        assert again == rec
        assert record_to_json(again) == text
        assert record_from_json(record_to_json(rec, indent=None)) == rec


def test_published_schema_file_is_the_generated_one():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == json_schema_text(), \
        "regenerate: python -m trainer.export.record > schemas/session.schema.json"
    assert json_schema()["properties"]["schema_version"]["const"] == 1


def test_schema_rejects_a_broken_record(tmp_path):
    rec = Loader(analyser=analyser()).record(play(tmp_path).journal.path)
    data = record_to_dict(rec)
    validator = jsonschema.Draft202012Validator(json_schema())
    data["turns"][0]["after"]["trust"] = 140
    data["unexpected"] = 1
    messages = [e.message for e in validator.iter_errors(data)]
    assert any("140" in m for m in messages) and any("unexpected" in m for m in messages)


def test_unfinished_session_is_a_record_without_outcome(tmp_path):
    run = play(tmp_path, ["begin.1"])
    rec = Loader(analyser=analyser()).record(run.journal.path)
    assert not rec.finished and rec.outcome is None and rec.ending is None and rec.finished_at is None
    assert rec.last_activity_at and rec.duration_seconds is not None
    assert len(rec.turns) == 1 and rec.debrief.outcome_label in ("Niet afgerond", "Not finished")
    jsonschema.validate(record_to_dict(rec), json_schema())


def test_timestamps_and_duration_come_from_the_journal(tmp_path):
    path = write_journal(tmp_path / "s1.jsonl", mini_header("s1"), [
        {"type": "choose", "turn": 1, "at": "2026-03-02T09:01:30+00:00", "node": "begin", "choice": "begin.2"},
        {"type": "undo", "at": "2026-03-02T09:02:00+00:00"},
        {"type": "choose", "turn": 1, "at": "2026-03-02T09:02:10+00:00", "node": "begin", "choice": "begin.1"},
        {"type": "choose", "turn": 2, "at": "2026-03-02T09:04:00+00:00", "node": "midden", "choice": "midden.1"},
        {"type": "choose", "turn": 3, "at": "2026-03-02T09:12:05+00:00", "node": "slot", "choice": "slot.1"},
    ])
    rec = Loader(analyser=analyser()).record(path)
    assert rec.started_at == "2026-03-02T09:00:00+00:00" and rec.finished_at == "2026-03-02T09:12:05+00:00"
    assert rec.duration_seconds == 12 * 60 + 5
    assert [t.at for t in rec.turns] == ["2026-03-02T09:02:10+00:00", "2026-03-02T09:04:00+00:00",
                                         "2026-03-02T09:12:05+00:00"]
    assert rec.journal.undos == 1 and rec.mode == "assessment" and rec.trainee == "Zoë"


def test_loader_gives_the_same_record_as_open_session(tmp_path):
    """The Loader loads each persona once and replays itself; it must equal the engine's open_session."""
    from trainer.debrief.build import build_debrief

    runs = [play(tmp_path, s) for s in (GOOD, BAD, COMPLIED, ["begin.1", "midden.3", "slot.2"], ["begin.2"], GOOD)]
    loader = Loader(analyser=analyser())
    for run in runs:
        fresh = open_session(run.journal.path, analyser(), for_append=False)
        expected = build_record(fresh.data.header, fresh.data.events, fresh.session, fresh.loaded,
                                build_debrief(fresh.session, "nl"), journal_file=run.journal.path)
        assert loader.record(run.journal.path) == expected
    assert len(loader._personas) == 1


def test_truncated_journal_is_exported_and_marked(tmp_path):
    run = play(tmp_path, ["begin.1", "midden.1"])
    with open(run.journal.path, "ab") as fh:
        fh.write(b'{"type":"choose","turn":3,"cho')
    rec = Loader(analyser=analyser()).record(run.journal.path)
    assert rec.journal.truncated and len(rec.turns) == 2


def test_english_labels(tmp_path):
    rec = Loader(analyser=analyser(), lang="en").record(play(tmp_path, GOOD).journal.path)
    assert rec.lang == "en" and rec.debrief.outcome_label == "Own choice agreed"


def test_bad_input_gives_one_line_errors(tmp_path):
    loader = Loader(analyser=analyser())
    damaged = tmp_path / "damaged.jsonl"
    damaged.write_text('{"type":"start","persona":"mini"}\nnot json\n{"type":"undo"}\n', encoding="utf-8")
    with pytest.raises(ExportError, match="damaged"):
        loader.record(damaged)
    other = tmp_path / "other.jsonl"
    other.write_text('{"hello": 1}\n', encoding="utf-8")
    with pytest.raises(ExportError, match="not a session journal"):
        loader.record(other)
    gone = write_journal(tmp_path / "gone.jsonl", mini_header("gone", persona="nobody", persona_path="/nope.yaml"), [])
    with pytest.raises(ExportError, match="persona 'nobody' is not available"):
        loader.record(gone)
    wrong = write_journal(tmp_path / "wrong.jsonl", mini_header("wrong"), [
        {"type": "choose", "turn": 1, "at": "2026-03-02T09:01:00+00:00", "node": "begin", "choice": "slot.1"}])
    with pytest.raises(ExportError, match="does not match its persona"):
        loader.record(wrong)


def test_changed_persona_is_flagged(tmp_path):
    copy = tmp_path / "mini.yaml"
    shutil.copy(MINI, copy)
    run = play(tmp_path / "s", GOOD, persona=copy)
    copy.write_text(copy.read_text(encoding="utf-8").replace("Goedemorgen.", "Dag."), encoding="utf-8")
    rec = Loader(analyser=analyser()).record(run.journal.path)
    assert rec.persona.changed and rec.persona.hash != rec.persona.replayed_hash
    assert rec.turns[0].persona_line == "Dag."


def test_find_sessions_by_id_prefix_path_and_folder(tmp_path):
    a = play(tmp_path, GOOD)
    b = play(tmp_path, BAD)
    paths, problems = find_sessions([a.session_id], tmp_path)
    assert paths == [a.journal.path] and not problems
    paths, _ = find_sessions([a.session_id[:8]], tmp_path)  # the date: every session of that day
    assert set(paths) == {a.journal.path, b.journal.path}
    paths, _ = find_sessions([str(b.journal.path), str(tmp_path)], tmp_path / "elsewhere")
    assert paths[0] == b.journal.path and len(paths) == 2  # no duplicates
    paths, problems = find_sessions(["2099"], tmp_path)
    assert not paths and "no session '2099'" in problems[0]
