"""Hostile input, failing disks and two writers: no traceback, no terminal injection, no lost turn (issue 13)."""

import errno
import io
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import subprocess_env, trainer_cmd
from trainer.cli import main
from trainer.debrief.analyser import LexiconError, load_lexicon
from trainer.engine import journal as journal_mod
from trainer.engine.journal import (JournalWriteError, ResumeError, SessionLocked, actions, list_sessions,
                                    open_session, read_journal)
from trainer.engine.runner import Run
from trainer.plain import PlainUI
from trainer.safe_text import MAX_TYPED_CHARS, clean_typed, json_safe, printable

UNSAFE = [chr(c) for c in [*range(0, 9), *range(0x0B, 0x20), *range(0x7F, 0xA0), *range(0x202A, 0x202F),
                           *range(0x2066, 0x206A), 0xD800, 0xDFFF]]
ATTACKS = ["\x1b]0;PWNED\x07", "\x1b[2J", "\x1b]8;;http://evil.example\x1b\\klik\x1b]8;;\x1b\\", "\x9b31m", "\u202e"]


def cli(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def is_safe(text: str) -> bool:
    return not any(ch in text for ch in UNSAFE)


# --- output neutralisation ---------------------------------------------------------------------------------------

@given(st.text())
def test_printable_never_lets_a_control_character_through(text):
    shown = printable(text)
    assert is_safe(shown)
    if is_safe(text):
        assert shown == text  # ordinary text (incl. newlines, tabs, accents, emoji) is untouched


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                    max_leaves=12))
def test_json_safe_keeps_the_data_and_removes_the_danger(value):
    dumped = json_safe(json.dumps(value, ensure_ascii=False))
    assert is_safe(dumped)
    assert json.loads(dumped) == value


@given(st.text(alphabet=st.characters(codec=None)))
def test_clean_typed_keeps_words_and_drops_controls(text):
    kept = clean_typed(text)
    assert len(kept) <= MAX_TYPED_CHARS
    assert not any(ch in kept for ch in UNSAFE[:-2] if ch not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    kept.encode("utf-8")  # always writable
    assert clean_typed(kept) == kept


def test_sessions_report_and_debrief_print_no_escape_sequences(mini_path, sessions, capsys):
    run = Run.start(str(mini_path), sessions)
    run.choose("begin.1", typed="Hallo")
    # a handed-in journal written by someone else: the escapes are in the file itself
    lines = run.journal.path.read_text(encoding="utf-8").splitlines()
    head, turn = json.loads(lines[0]), json.loads(lines[1])
    head["trainee"] = "anna" + "".join(ATTACKS) + "[link=http://x]y[/link]"
    turn["typed"] = "Hallo" + "".join(ATTACKS)
    run.journal.path.write_text(json.dumps(head) + "\n" + json.dumps(turn) + "\n", encoding="utf-8")
    for ref in (["sessions"], ["sessions", "--json"], ["debrief", run.session_id],
                ["debrief", run.session_id, "--json"], ["report", "--personas", str(mini_path.parent)]):
        rc, out, err = cli(capsys, *ref)
        assert is_safe(out) and is_safe(err), ref
    rc, out, err = cli(capsys, "sessions")
    assert "\\x1b]0;PWNED\\x07" in out  # shown, visibly, not executed


def test_plain_mode_echo_and_lines_are_neutralised(mini_path, tmp_path):
    run = Run.start(str(mini_path), tmp_path)
    out = io.StringIO()
    PlainUI(run, out=out, inp=io.StringIO("\x1b]0;x\x07\n1\nq\n")).loop()
    assert is_safe(out.getvalue()) and "\\x1b]0;x\\x07" in out.getvalue()


def test_pseudonym_and_typed_text_are_journaled_without_controls(mini_path, tmp_path):
    run = Run.start(str(mini_path), tmp_path, trainee="an\x1b[2Jna")
    run.choose("begin.1", typed="ja\x1b]0;t\x07 zeker\ud800\tnu")
    data = read_journal(run.journal.path)
    assert data.header["trainee"] == "an[2Jna"
    assert data.events[0]["typed"] == "ja]0;t zeker\ufffd\tnu"


# --- journal round trip ----------------------------------------------------------------------------------------

CHOICES = {"begin": ["begin.1", "begin.2"], "midden": ["midden.1", "midden.2"], "slot": ["slot.1"]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 9), st.one_of(st.none(), st.text(alphabet=st.characters(codec=None),
                                                                          max_size=60))), max_size=8))
def test_journal_round_trip_replays_identically(mini_path, steps):
    with tempfile.TemporaryDirectory() as folder:
        run = Run.start(str(mini_path), Path(folder))
        for pick, typed in steps:
            if run.session.ended:
                break
            if pick == 9 and run.session.turns:
                run.undo()
                continue
            options = run.session.open_choices()
            run.choose(options[pick % len(options)].number, typed=typed)
        again = open_session(run.journal.path, for_append=False)
        assert again.session.turns == run.session.turns
        assert again.session.state == run.session.state
        for turn in again.session.turns:
            assert turn.typed is None or turn.typed == clean_typed(turn.typed)


# --- hostile journals -----------------------------------------------------------------------------------------

HOSTILE = {
    "array": b"[1, 2, 3]",
    "huge_number": b'{"type": "choose", "turn": ' + b"9" * 5000 + b"}",
    "nested": b"[" * 100_000 + b"]" * 100_000,
    "surrogate": b'{"type": "choose", "choice": "begin.1", "typed": "\\ud800"}',
}


def _good_then(mini_path, folder, bad: bytes):
    run = Run.start(str(mini_path), folder)
    run.choose("begin.1")
    run.choose("midden.2")
    with open(run.journal.path, "ab") as fh:
        fh.write(bad + b"\n" + b'{"type":"undo"}\n')
    return run


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_line_is_damage_not_a_traceback(kind, mini_path, sessions, capsys, monkeypatch):
    monkeypatch.setenv("GESPREKSTRAINER_XAPI_HOMEPAGE", "https://academie.example")  # xAPI needs a home page
    good = Run.start(str(mini_path), sessions)
    good.choose("begin.1")
    bad = _good_then(mini_path, sessions, HOSTILE[kind])
    with pytest.raises(ResumeError, match=r":4: the session file is damaged"):
        read_journal(bad.journal.path)
    data = read_journal(bad.journal.path, strict=False)
    assert len(data.events) == 2 and "damaged" in data.damaged
    rows = {r["id"]: r for r in list_sessions(sessions)}
    assert rows[bad.session_id]["damaged"] and rows[bad.session_id]["turns"] == 2  # listed, not dropped
    # the debrief shows what can be replayed and says "damaged" like the report
    rc, out, err = cli(capsys, "debrief", bad.session_id)
    assert rc == 1 and "damaged" in err and "no session" not in err and out.strip()
    rc, out, err = cli(capsys, "report", "--format", "json", "--personas", str(mini_path.parent))
    assert rc == 1 and "damaged" in err and len(json.loads(out)["sessions"]) == 1  # the readable one
    for fmt in ("json", "csv", "xapi", "html"):
        rc, out, err = cli(capsys, "export", str(sessions), "--format", fmt, "-o", str(sessions.parent / fmt),
                           "--personas", str(mini_path.parent))
        assert rc == 1 and "damaged" in err and "Traceback" not in err
    with pytest.raises(ResumeError, match="damaged"):
        open_session(bad.journal.path)  # not continued on top of the damage


def test_a_huge_journal_is_refused_without_reading_it(mini_path, tmp_path, monkeypatch):
    run = Run.start(str(mini_path), tmp_path)
    monkeypatch.setattr(journal_mod, "MAX_JOURNAL_BYTES", 100)
    run.choose("begin.1")
    with pytest.raises(ResumeError, match="too large"):
        read_journal(run.journal.path)
    assert list_sessions(tmp_path)[0]["damaged"]


def test_a_journal_whose_replay_fails_still_debriefs_the_turns_before(mini_path, sessions, capsys):
    run = Run.start(str(mini_path), sessions)
    run.choose("begin.1")
    with open(run.journal.path, "ab") as fh:
        fh.write(b'{"type":"choose","choice":"nergens.9"}\n')
    opened = open_session(run.journal.path, for_append=False, partial=True)
    assert len(opened.session.turns) == 1 and "replay stopped at turn 2" in opened.data.damaged
    rc, out, err = cli(capsys, "debrief", run.session_id)
    assert rc == 1 and "replay stopped" in err and out.strip()


# --- two processes on one session ----------------------------------------------------------------------------

def test_second_opener_of_a_session_is_refused(mini_path, sessions, capsys):
    import fcntl

    run = Run.start(str(mini_path), sessions)
    run.choose("begin.1")
    path = run.journal.path
    del run
    other = os.open(path, os.O_WRONLY)  # another process holding the session, as far as flock is concerned
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(SessionLocked, match="open in another trainer"):
            Run.resume(path)
        rc, out, err = cli(capsys, "play", "--plain", "--resume", path.stem, "--personas", str(mini_path.parent))
        assert rc == 1 and "open in another trainer" in err
        assert len(read_journal(path).events) == 1  # nothing written by the refused opener
    finally:
        os.close(other)
    again, _ = Run.resume(path)  # free again once the other one is gone
    again.choose("midden.1")


def test_a_process_may_reopen_its_own_session(mini_path, tmp_path):
    run = Run.start(str(mini_path), tmp_path)
    run.choose("begin.1")
    again, _ = Run.resume(run.journal.path)
    again.choose("midden.1")
    assert len(actions(read_journal(run.journal.path).events)) == 2


# --- failing disks ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_journal_append_failure_keeps_every_turn_and_says_how_to_continue(code, mini_path, tmp_path, monkeypatch,
                                                                          capsys):
    run = Run.start(str(mini_path), tmp_path)
    run.choose("begin.1")
    real_write = os.write

    def half_then_fail(fd, data):
        real_write(fd, bytes(data[:5]))  # a torn line first: it must be cut off again
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "write", half_then_fail)
    ui = PlainUI(run, out=io.StringIO(), inp=io.StringIO("1\n1\n"))
    assert ui.loop() == 1
    monkeypatch.setattr(os, "write", real_write)
    err = capsys.readouterr().err
    assert f"trainer play --resume {run.session_id}" in err and "beurt 1" in err
    data = read_journal(run.journal.path)
    assert not data.truncated and [e["choice"] for e in data.events] == ["begin.1"]
    again, _ = Run.resume(run.journal.path)
    assert len(again.session.turns) == 1


def test_fsync_failure_is_a_clear_error(mini_path, tmp_path, monkeypatch):
    run = Run.start(str(mini_path), tmp_path)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(JournalWriteError, match="cannot write"):
        run.choose("begin.1")


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_journal_create_failure_is_one_clear_line(code, mini_path, tmp_path, monkeypatch, capsys):
    real_open = os.open

    def failing_open(path, flags, *a):
        if str(path).endswith(".jsonl"):
            raise OSError(code, os.strerror(code))
        return real_open(path, flags, *a)

    monkeypatch.setattr(os, "open", failing_open)
    with pytest.raises(JournalWriteError, match="cannot create a session file"):
        Run.start(str(mini_path), tmp_path)
    rc, out, err = cli(capsys, "play", str(mini_path), "--plain", "--sessions", str(tmp_path))
    assert rc == 1 and "--sessions" in err and err.count("\n") <= 2 and "Traceback" not in err
    assert not list(tmp_path.glob("*.jsonl"))


def test_header_write_failure_leaves_no_half_journal(mini_path, tmp_path, monkeypatch):
    monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(JournalWriteError, match="disk is full"):
        Run.start(str(mini_path), tmp_path)
    assert not list(tmp_path.glob("*.jsonl"))


# --- stdin and sizes -------------------------------------------------------------------------------------------

def test_invalid_utf8_on_stdin_loses_no_turn(tmp_path):
    proc = subprocess.run(trainer_cmd("play", "henk", "--plain", "--free", "--sessions", str(tmp_path)),
                          input=b"ik \xff\xfe begrijp u\n1\n", capture_output=True, env=subprocess_env(), timeout=120)
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
    journal = next(tmp_path.glob("*.jsonl"))
    events = read_journal(journal).events
    assert len(events) == 2 and "\ufffd" in events[0]["typed"]


@given(st.binary(max_size=200))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_bytes_on_plain_stdin_never_crash(mini_path, data):
    with tempfile.TemporaryDirectory() as folder:
        run = Run.start(str(mini_path), Path(folder))
        raw = io.TextIOWrapper(io.BytesIO(data + b"\nq\n"), encoding="utf-8")
        out = io.StringIO()
        assert PlainUI(run, out=out, inp=raw, free=True).loop() == 0
        assert is_safe(out.getvalue())
        read_journal(run.journal.path)


def test_an_overlong_typed_line_is_refused_with_a_message(mini_path, tmp_path):
    run = Run.start(str(mini_path), tmp_path)
    out = io.StringIO()
    PlainUI(run, out=out, inp=io.StringIO("x" * 1_000_000 + "\n1\nq\n"), free=True).loop()
    assert "te lang (1000000 tekens; maximaal 2000)" in out.getvalue()
    assert len(out.getvalue()) < 20_000  # the echo is shortened too
    assert [e["choice"] for e in read_journal(run.journal.path).events] == ["begin.1"]


def test_analyze_refuses_an_overlong_line(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("u moet " * 1000 + "\nWat wilt u zelf?\n"))
    rc, out, err = cli(capsys, "analyze")
    assert rc == 2 and "line 1 is too long" in err and len(out.strip().splitlines()) == 1


# --- lexicon files that would hang everything --------------------------------------------------------------------

@pytest.mark.parametrize("regex", [r"(a+)+$", r"moet(?:\s*\w+\s*)*!", r"(a|a)*$", r"(a|aa)*$", r"(?:ab|a|b)*$",
                                   r"(x*)*y", r"(a?)*b", "(?:" * 2000 + ")" * 2000])
def test_catastrophic_regex_is_refused_when_the_lexicon_loads(regex, tmp_path):
    lex = tmp_path / "lex.yaml"
    lex.write_text(json.dumps({"rules": [{"id": "x.bad", "lang": "nl", "category": "obligation", "severity": 2,
                                          "explanation": "e", "suggestion": "s", "regex": regex}]}),
                   encoding="utf-8")
    with pytest.raises(LexiconError, match=r"lex.yaml: rules\[0\] \(id 'x.bad'\): (regex|regular expression)"):
        load_lexicon([lex], env=False)


@pytest.mark.parametrize("regex", [r"\bmoet\w*\b", r"(?:u|je) (?:moet|dient)", r"(?:toch |nou |nu )*maar",
                                   r"(?:,|\s)+en", r"(a|ab)*c", r"(a{1,5}){1,5}"])
def test_ordinary_regexes_still_load(regex, tmp_path):
    lex = tmp_path / "lex.yaml"
    lex.write_text(json.dumps({"rules": [{"id": "x.ok", "lang": "nl", "category": "obligation", "severity": 2,
                                          "explanation": "e", "suggestion": "s", "regex": regex}]}),
                   encoding="utf-8")
    load_lexicon([lex], env=False)


@pytest.mark.parametrize("key,value", [("trainee", [1]), ("started", 5), ("meters", "x"), ("start", 7),
                                       ("lang", []), ("session", 5), ("free_text", "ja")])
def test_a_start_record_with_wrong_types_is_damage_everywhere(key, value, mini_path, sessions, capsys):
    good = Run.start(str(mini_path), sessions)
    good.choose("begin.1")
    bad = Run.start(str(mini_path), sessions)
    lines = bad.journal.path.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    head[key] = value
    bad.journal.path.write_text(json.dumps(head) + "\n", encoding="utf-8")
    assert any(r["damaged"] for r in list_sessions(sessions))
    for argv in (["report", "--format", "json"], ["export", str(sessions), "--format", "csv", "-o",
                                                   str(sessions.parent / "x.csv")]):
        rc, out, err = cli(capsys, *argv, "--personas", str(mini_path.parent))
        assert rc == 1 and f"`{key}` in the start record" in err
    rc, out, err = cli(capsys, "debrief", bad.journal.path.stem)
    assert rc == 1 and "damaged" in err


def test_a_turn_the_disk_refuses_is_taken_back_so_trying_again_works(mini_path, tmp_path, monkeypatch):
    """The app keeps running after a failed save: the session in memory must stay the one in the journal, or the
    next turn would be written after a missing one and the journal would no longer replay."""
    run = Run.start(str(mini_path), tmp_path)
    run.choose("begin.1")
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(JournalWriteError):
        run.choose("midden.1")
    assert len(run.session.turns) == 1 and run.session.state.node == "midden"
    monkeypatch.setattr(os, "write", real_write)
    run.choose("midden.1")  # space freed: the same turn again
    again, _ = Run.resume(run.journal.path)
    assert again.session.turns == run.session.turns
