"""Nothing lost: journal round trips, truncated lines, changed personas, and a real SIGKILL test."""

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from conftest import subprocess_env, trainer_cmd
from trainer.engine.journal import ResumeError, list_sessions, open_session, read_journal
from trainer.engine.runner import Run

SCRIPT = ["begin.1", "midden.2", "begin.1", "midden.1", "slot.1"]


def test_every_turn_is_in_the_journal_and_resume_gives_same_state(mini_path, tmp_path):
    run = Run.start(str(mini_path), tmp_path, trainee="anna")
    for cid in SCRIPT[:3]:
        run.choose(cid)
    data = read_journal(run.journal.path)
    assert data.header["persona"] == "mini" and len(data.header["persona_hash"]) == 64
    assert [e["choice"] for e in data.events] == SCRIPT[:3]
    again = open_session(run.journal.path)
    assert again.session.state == run.session.state
    assert again.session.turns == run.session.turns


def test_undo_is_journaled(mini_path, tmp_path):
    run = Run.start(str(mini_path), tmp_path)
    run.choose("begin.1")
    run.undo()
    run.choose("begin.2")
    again = open_session(run.journal.path)
    assert [t.choice_id for t in again.session.turns] == ["begin.2"]


def test_truncated_last_line_is_tolerated_and_repaired(mini_path, tmp_path):
    run = Run.start(str(mini_path), tmp_path)
    run.choose("begin.1")
    with open(run.journal.path, "ab") as fh:
        fh.write(b'{"type":"choose","turn":2,"cho')  # killed mid-write
    resumed = open_session(run.journal.path)
    assert resumed.data.truncated and len(resumed.session.turns) == 1
    resumed.session.choose("midden.1")
    resumed.journal.record_turn(resumed.session.turns[-1])
    final = open_session(run.journal.path)
    assert [t.choice_id for t in final.session.turns] == ["begin.1", "midden.1"]


def test_changed_persona_still_resumes_when_nodes_exist(mini_path, tmp_path):
    copy = tmp_path / "mini.yaml"
    shutil.copy(mini_path, copy)
    run = Run.start(str(copy), tmp_path / "s")
    run.choose("begin.1")
    copy.write_text(copy.read_text(encoding="utf-8").replace("Goedemorgen.", "Dag."), encoding="utf-8")
    resumed = open_session(run.journal.path)
    assert resumed.persona_changed and resumed.session.state.node == "midden"


def test_changed_persona_without_the_node_is_refused_clearly(mini_path, tmp_path):
    copy = tmp_path / "mini.yaml"
    shutil.copy(mini_path, copy)
    run = Run.start(str(copy), tmp_path / "s")
    run.choose("begin.1")
    text = copy.read_text(encoding="utf-8").replace("begin.1", "x").replace("id: begin", "id: aanvang")
    copy.write_text(text.replace("start: begin", "start: aanvang").replace("next: begin", "next: aanvang"), encoding="utf-8")
    with pytest.raises(ResumeError, match="changed since this session"):
        open_session(run.journal.path)


def test_damaged_journal_is_refused_not_a_traceback(tmp_path):
    bad = tmp_path / "x.jsonl"
    bad.write_text("not json\nalso not\n", encoding="utf-8")
    with pytest.raises(ResumeError, match="damaged"):
        read_journal(bad)


def test_sessions_listing(mini_path, tmp_path):
    run = Run.start(str(mini_path), tmp_path, trainee="bo")
    for cid in SCRIPT:
        run.choose(cid)
    rows = list_sessions(tmp_path)
    assert rows[0]["turns"] == 5 and rows[0]["outcome"] == "own_choice" and rows[0]["trainee"] == "bo"


def _journal_lines(folder):
    files = list(folder.glob("*.jsonl"))
    return files[0].read_bytes().count(b"\n") if files else 0


def test_sigkill_after_every_turn_then_resume_equals_uninterrupted(mini_path, tmp_path):
    """A real plain-mode process is killed with SIGKILL after each turn and resumed."""
    numbers = []  # the choice numbers a user types for SCRIPT
    from trainer.engine.session import Session
    from trainer.persona.loader import load_persona

    from trainer.wiring import default_analyser

    ref = Session(load_persona(mini_path).persona, analyser=default_analyser())  # as the real process plays
    for cid in SCRIPT:
        numbers.append(next(o.number for o in ref.open_choices() if o.id == cid))
        ref.choose(cid)

    folder = tmp_path / "sessions"
    env = subprocess_env()
    for i, number in enumerate(numbers):
        args = ["--resume"] if i else [str(mini_path)]
        proc = subprocess.Popen(trainer_cmd("play", *args, "--plain", "--sessions", str(folder)),
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        proc.stdin.write(f"{number}\n".encode())
        proc.stdin.flush()
        deadline = time.time() + 20
        while _journal_lines(folder) < i + 2 and time.time() < deadline:  # header + i+1 turns
            time.sleep(0.02)
        assert _journal_lines(folder) == i + 2, proc.stderr.read() if proc.poll() is not None else "timeout"
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    resumed = open_session(next(folder.glob("*.jsonl")))
    assert resumed.session.turns == ref.turns and resumed.session.state == ref.state
    assert resumed.session.outcome == "own_choice"


def test_replay_uses_recorded_categories_so_a_new_lexicon_cannot_change_old_sessions(mini_path, tmp_path):
    class Obligation:
        categories = {"obligation"}

    class Nothing:
        categories = set()

    then = lambda text: Obligation() if "dient" in text else Nothing()  # noqa: E731 - the lexicon back then
    run = Run.start(str(mini_path), tmp_path, then)
    run.choose("begin.2")  # "U dient hier te verschijnen." -> obligation: trust 40 - 10 - 15
    run.choose("midden.1")
    assert read_journal(run.journal.path).events[0]["detected"] == ["obligation"]
    now = open_session(run.journal.path, analyser=lambda text: Nothing())  # a lexicon that no longer flags it
    assert now.session.turns == run.session.turns and now.session.state == run.session.state
