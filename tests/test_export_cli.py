"""`trainer export` and `trainer report` as an assessor uses them: files, formats, errors without tracebacks."""

import csv
import io
import json
import os
import subprocess
import sys
import time

import pytest

from conftest import subprocess_env, trainer_cmd
from test_export_record import BAD, COMPLIED, GOOD, mini_header, play, write_journal, xapi_env
from trainer.cli import main


@pytest.fixture
def cohort(sessions):
    """Five sessions of three trainees in the sessions folder (GESPREKSTRAINER_SESSIONS)."""
    runs = [play(sessions, GOOD, trainee="Zoë"), play(sessions, BAD, trainee="Zoë"),
            play(sessions, COMPLIED, trainee="Bram", mode="assessment"), play(sessions, ["begin.1"], trainee="Ömer"),
            play(sessions, GOOD, trainee="Bram", typed=["Ik <script>alert(1)</script> snap het."])]
    return runs


def cli(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def no_temp_files(folder):
    return not [p for p in folder.rglob("*.tmp")]


# --- export ----------------------------------------------------------------------------------------------------------

def test_export_json_by_id_prefix_and_path(cohort, capsys, sessions):
    rc, out, err = cli(capsys, "export", cohort[0].session_id)
    assert rc == 0 and json.loads(out)["session_id"] == cohort[0].session_id
    rc, out, _ = cli(capsys, "export", cohort[0].session_id[:8])  # the day: all five
    assert rc == 0 and [r["session_id"] for r in json.loads(out)] == sorted(r.session_id for r in cohort)
    rc, out, _ = cli(capsys, "export", str(cohort[2].journal.path), "--lang", "en")
    assert rc == 0 and json.loads(out)["debrief"]["outcome_label"] == "Complied without motivation"


def test_export_csv_file_opens_with_the_csv_module(cohort, capsys, tmp_path, sessions):
    target = tmp_path / "out" / "cohort.csv"
    target.parent.mkdir()
    rc, _, err = cli(capsys, "export", str(sessions), "--format", "csv", "-o", str(target))
    assert rc == 0 and "5 session(s) exported" in err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert len(rows) == 5 and {r["trainee"] for r in rows} == {"Zoë", "Bram", "Ömer"}
    assert [r["finished"] for r in rows].count("false") == 1
    assert no_temp_files(tmp_path) and oct(target.stat().st_mode & 0o077) != "0o0"  # not a private temp file
    rc, _, _ = cli(capsys, "export", str(sessions), "--format", "csv", "--turns", "-o", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"), newline="")))
    assert rc == 0 and len(rows) == sum(len(r.session.turns) for r in cohort)
    assert any(r["trainee_line"] == "Ik <script>alert(1)</script> snap het." for r in rows)


def test_export_html_and_xapi_to_a_folder(cohort, capsys, tmp_path, sessions):
    out = tmp_path / "reports"
    out.mkdir()
    rc, _, err = cli(capsys, "export", str(sessions), "--format", "html", "-o", str(out))
    assert rc == 0 and len(list(out.glob("*.html"))) == 5
    page = (out / f"{cohort[4].session_id}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page
    rc, _, err = cli(capsys, "export", str(sessions), "--format", "xapi", "-o", str(out))
    assert rc == 0 and len(list(out.glob("*.xapi.json"))) == 4  # the unfinished one has no statements
    assert f"{cohort[3].session_id} is not finished" in err
    rc, stdout, _ = cli(capsys, "export", str(sessions), "--format", "xapi", "--per-turn")
    stmts = json.loads(stdout)
    assert len(stmts) == 4 * 2 + sum(len(r.session.turns) for r in cohort if r.session.ended)
    assert len({s["id"] for s in stmts}) == len(stmts)


def test_export_anonymised(cohort, capsys, sessions, monkeypatch):
    monkeypatch.setenv("GESPREKSTRAINER_SALT", "test-salt")
    for fmt in ("json", "csv", "xapi", "html"):
        rc, out, _ = cli(capsys, "export", str(sessions), "--format", fmt, "--anonymise")
        assert rc == 0 and "Zoë" not in out and "Bram" not in out and "anon-" in out, fmt


@pytest.mark.parametrize("setup, message", [
    ("unknown", "no session 'nope'"),
    ("damaged", "damaged (not valid JSON)"),
    ("persona", "persona 'ghost' is not available"),
])
def test_export_bad_input_is_one_clear_line_and_exit_1(setup, message, capsys, sessions, tmp_path):
    sessions.mkdir(parents=True, exist_ok=True)
    ref = "nope"
    if setup == "damaged":
        path = sessions / "bad.jsonl"
        path.write_text('{"type":"start","persona":"mini"}\n{broken\n{"type":"undo"}\n', encoding="utf-8")
        ref = str(path)
    elif setup == "persona":
        ref = str(write_journal(sessions / "g.jsonl", mini_header("g", persona="ghost", persona_path="/x.yaml"), []))
    for fmt in ("json", "csv", "html", "xapi"):
        rc, out, err = cli(capsys, "export", ref, "--format", fmt, "-o", str(tmp_path / f"x.{fmt}"))
        assert rc == 1 and message in err and "Traceback" not in err, (fmt, err)
        assert len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("x.*"))  # nothing half-written


def test_one_bad_session_does_not_stop_the_others(cohort, capsys, sessions, tmp_path):
    (sessions / "zz-bad.jsonl").write_text("garbage\n", encoding="utf-8")
    target = tmp_path / "all.csv"
    rc, _, err = cli(capsys, "export", str(sessions), "--format", "csv", "-o", str(target))
    assert rc == 1 and "zz-bad.jsonl is not a session journal" in err
    assert len(target.read_bytes().decode("utf-8-sig").strip().splitlines()) == 1 + 5


def test_export_command_in_a_subprocess_has_no_traceback(tmp_path):
    env = subprocess_env(GESPREKSTRAINER_SESSIONS=str(tmp_path))
    proc = subprocess.run(trainer_cmd("export", "does-not-exist"), capture_output=True, text=True, env=env,
                          timeout=60)
    assert proc.returncode == 1 and "no session 'does-not-exist'" in proc.stderr and "Traceback" not in proc.stderr


# --- report ----------------------------------------------------------------------------------------------------------

def test_report_table(cohort, capsys, sessions):
    rc, out, err = cli(capsys, "report")
    assert rc == 0, err
    assert "5 sessies, 4 afgerond" in out and "Zoë" in out and "Ömer" in out and "Niet afgerond" in out
    assert "Mini" in out and "Trots op oud werk" in out or "Vaakst gemiste cues" not in out
    rc, out, _ = cli(capsys, "report", str(sessions), "--lang", "en", "--limit", "2", "--anonymise", "--salt", "s")
    assert rc == 0 and "and 3 more sessions" in out and "Zoë" not in out and "anon-" in out


def test_report_xlsx_opens_with_openpyxl(cohort, capsys, sessions, tmp_path):
    from openpyxl import load_workbook

    target = tmp_path / "cohort.xlsx"
    rc, _, err = cli(capsys, "report", str(sessions), "--format", "xlsx", "-o", str(target))
    assert rc == 0, err
    wb = load_workbook(target)
    assert wb.sheetnames == ["Cijferlijst", "Persona's", "Oefenpunten", "Sessies", "Cues", "Categorieën"]
    for sheet in wb.worksheets:  # prints: landscape, fitted to the page width, header row on every page
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$1:$1"
        assert sheet.freeze_panes == "A2" and all(c.font.bold for c in sheet[1])
    ws = wb["Sessies"]
    assert ws["A1"].value == "Deelnemer" and ws["C1"].value.startswith("Begonnen (")
    assert ws.max_row == 6 and ws.column_dimensions["A"].width >= 10
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert {r["Deelnemer"] for r in rows} == {"Zoë", "Bram", "Ömer"}
    done = [r for r in rows if r["Deelnemer"] != "Ömer"]
    assert all(isinstance(r["Score"], int) for r in done)  # scores are numbers, not text
    (open_,) = [r for r in rows if r["Deelnemer"] == "Ömer"]  # unfinished: no score, no level, no verdict
    assert open_["Score"] is None and open_["Niveau"] is None and open_["Behaald"] == "Niet afgerond"
    assert sorted(r["Poging"] for r in rows if r["Deelnemer"] == "Zoë") == [1, 2]
    # the gradebook: one row per trainee
    gb = wb["Cijferlijst"]
    head = [c.value for c in gb[1]]
    grades = {r[0]: dict(zip(head, r)) for r in gb.iter_rows(min_row=2, values_only=True)}
    assert set(grades) == {"Zoë", "Bram", "Ömer"}
    zoe = grades["Zoë"]
    assert zoe["Pogingen"] == 2 and zoe["Mini: pogingen"] == 2
    scores = [r["Score"] for r in rows if r["Deelnemer"] == "Zoë"]
    assert zoe["Mini: beste"] == max(scores) and zoe["Mini: laatste"] == scores[-1]
    assert grades["Ömer"]["Mini: uitkomst"] == "Niet afgerond" and grades["Ömer"]["Mini: beste"] is None
    personas = [dict(zip([c.value for c in wb["Persona's"][1]], r))
                for r in wb["Persona's"].iter_rows(min_row=2, values_only=True)]
    assert personas[0]["Persona"] == "Mini" and personas[0]["Pogingen"] == 5 and personas[0]["Niet afgerond"] == 1
    head = [c.value for c in wb["Oefenpunten"][1]]
    practice = [dict(zip(head, r)) for r in wb["Oefenpunten"].iter_rows(min_row=2, values_only=True)]
    flagged = [r for r in practice if r["Oefenpunt"] != "Gemiste cue"]
    assert flagged, "the controlling lines of the cohort are practice points"
    for r in flagged:  # the flagged words, the authored line they are in and its choice id (or "zelf getypt")
        assert r["Woorden of cue"] and r["Keer"] >= 1 and r["Sessies"] >= 1 and r["Deelnemers"] >= 1
        if r["Keuze / cue-id"] != "zelf getypt":
            assert r["Woorden of cue"] in r["Hele zin (keuze)"]
    assert sorted((r["Keer"] for r in flagged), reverse=True) == [r["Keer"] for r in flagged]
    cues = wb["Cues"]
    assert cues.freeze_panes == "A2" and cues["B2"].value == "trots"
    assert wb["Categorieën"]["A1"].font.bold
    assert no_temp_files(tmp_path)


def test_xlsx_never_turns_typed_text_into_a_formula():
    from openpyxl import load_workbook

    from trainer.export.cohort import aggregate, write_xlsx

    summary = {"trainee": "=cmd|' /C calc'!A0", "session_id": "s", "persona_id": "p", "persona_name": "P",
               "persona_changed": False, "mode": "practice", "started_at": None, "finished_at": None,
               "duration_seconds": None, "finished": False, "outcome": None, "outcome_label": None, "turns": 0,
               "score": 0, "level": "onvoldoende", "passed": False, "counts": {}, "questions": 0, "reflections": 0,
               "rq_ratio": None, "complex_pct": None, "cues_judged": 0, "cues_picked_up": 0,
               "cue_response_pct": None, "controlling_count": 0, "controlling_severity": 0, "final_trust": 0,
               "final_motivation": 0, "final_phase": "open", "categories": {}, "category_severity": {}, "cues": []}
    wb = load_workbook(io.BytesIO(write_xlsx(aggregate([summary]), "en")))
    cell = wb["Sessions"]["A2"]
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"
    assert wb["Gradebook"]["A2"].value == "=cmd|' /C calc'!A0" and wb["Gradebook"]["A2"].data_type == "s"


def test_xlsx_survives_control_characters_and_huge_text(cohort, capsys, sessions, tmp_path):
    """One pseudonym with a control character (illegal in XML) must not fail the cohort's workbook."""
    from openpyxl import load_workbook

    play(sessions, GOOD, trainee="Evil\x1b]0;pwned\x07\x00name", typed=["moet\x0b" + "x" * 40_000])
    target = tmp_path / "c.xlsx"
    rc, _, err = cli(capsys, "report", str(sessions), "--format", "xlsx", "-o", str(target))
    assert rc == 0 and "Traceback" not in err, err
    names = [r[0] for r in load_workbook(target)["Sessies"].iter_rows(min_row=2, values_only=True)]
    assert "Evil\x1b]0;pwned\x07\x00name" not in names
    # the control characters are gone: cleaned when the session started, or replaced in the cell (U+FFFD)
    assert any(n.startswith("Evil") and "pwned" in n and not any(ord(c) < 32 for c in n) for n in names)


def test_report_csv_and_json(cohort, capsys, sessions, tmp_path):
    rc, out, _ = cli(capsys, "report", "--format", "json")
    data = json.loads(out)
    assert rc == 0 and data["totals"]["sessions"] == 5 and data["totals"]["finished"] == 4
    assert data["cues"][0]["cue"] == "trots" and data["cues"][0]["judged"] >= 4
    assert {s["trainee"] for s in data["sessions"]} == {"Zoë", "Bram", "Ömer"}
    target = tmp_path / "r.csv"
    rc, _, _ = cli(capsys, "report", "--format", "csv", "-o", str(target), "--dialect", "excel-nl")
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rc == 0 and len(rows) == 5


def test_report_cache_is_used_and_invalidated(cohort, capsys, sessions, monkeypatch):
    from trainer.export import summary as summary_mod

    calls = []
    real = summary_mod._build
    monkeypatch.setattr(summary_mod, "_build", lambda *a: calls.append(a[1].name) or real(*a))
    assert cli(capsys, "report", "--format", "json")[0] == 0
    assert len(calls) == 5 and (sessions / ".cache" / "summaries.json").is_file()
    calls.clear()
    rc, out, _ = cli(capsys, "report", "--format", "json")
    assert rc == 0 and calls == [] and json.loads(out)["totals"]["sessions"] == 5
    # the unfinished session goes on: only that journal is summarised again
    run = cohort[3]
    time.sleep(0.01)
    run.choose("midden.1")
    rc, out, _ = cli(capsys, "report", "--format", "json")
    assert calls == [run.journal.path.name] and json.loads(out)["totals"]["finished"] == 4
    # a deleted journal disappears from report and cache
    calls.clear()
    os.unlink(cohort[1].journal.path)
    rc, out, _ = cli(capsys, "report", "--format", "json")
    assert calls == [] and json.loads(out)["totals"]["sessions"] == 4
    cache = json.loads((sessions / ".cache" / "summaries.json").read_text(encoding="utf-8"))
    assert cohort[1].journal.path.name not in cache["entries"]


def test_report_cache_follows_persona_changes(capsys, sessions, tmp_path, monkeypatch):
    import shutil

    from test_export_record import MINI
    from trainer.export import summary as summary_mod

    copy = tmp_path / "mini.yaml"
    shutil.copy(MINI, copy)
    play(sessions, GOOD, persona=copy)
    assert cli(capsys, "report", "--format", "json")[0] == 0
    calls = []
    real = summary_mod._build
    monkeypatch.setattr(summary_mod, "_build", lambda *a: calls.append(1) or real(*a))
    copy.write_text(copy.read_text(encoding="utf-8").replace("Goedemorgen.", "Dag."), encoding="utf-8")
    rc, out, _ = cli(capsys, "report", "--format", "json")
    assert rc == 0 and calls == [1] and json.loads(out)["sessions"][0]["persona_changed"] is True


def test_report_on_a_missing_folder_and_damaged_files(capsys, tmp_path):
    rc, _, err = cli(capsys, "report", str(tmp_path / "nope"))
    assert rc == 1 and "no such folder" in err
    (tmp_path / "a.jsonl").write_text("{}\n", encoding="utf-8")
    rc, out, err = cli(capsys, "report", str(tmp_path))
    assert rc == 1 and "a.jsonl is not a session journal" in err and "0 sessies" in out
    rc, _, err = cli(capsys, "report", str(tmp_path))  # from the cache: same message
    assert rc == 1 and "a.jsonl is not a session journal" in err


def test_export_package_imports_neither_rich_nor_textual():
    code = ("import sys, importlib\n"
            "for m in ['record','load','summary','csvout','xapi','lrs','html','cohort','privacy','fileio']:\n"
            "    importlib.import_module('trainer.export.' + m)\n"
            "importlib.import_module('trainer.commands.export'); importlib.import_module('trainer.commands.send')\n"
            "importlib.import_module('trainer.commands.report')\n"
            "bad = [m for m in ('rich', 'textual') if m in sys.modules]\n"
            "print(bad); sys.exit(1 if bad else 0)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(),
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_parallel_rebuild_gives_the_same_summaries(cohort, sessions):
    from test_export_record import analyser
    from trainer.export.load import Loader
    from trainer.export.summary import Stats, summaries

    (sessions / "zz-bad.jsonl").write_text("garbage\n", encoding="utf-8")
    paths = sorted(sessions.glob("*.jsonl"))
    serial = summaries(paths, Loader(analyser=analyser()), use_cache=False, jobs=1)
    stats = Stats()
    parallel = summaries(paths, Loader(analyser=analyser()), use_cache=False, jobs=2, stats=stats)
    assert stats.jobs == 2 and parallel == serial and len(serial[0]) == 5 and len(serial[1]) == 1


def test_session_ids_from_journals_never_become_paths_outside_the_folder(capsys, sessions, tmp_path):
    """A handed-in journal with "session": "../../x" or an absolute path writes inside -o FOLDER only."""
    sessions.mkdir(parents=True, exist_ok=True)
    evil = tmp_path / "evil-target"
    refs = []
    for i, sid in enumerate(["../../escaped", str(evil), "..", ".hidden/../../x", "a/b\\c:d"]):
        refs.append(str(write_journal(sessions / f"j{i}.jsonl", mini_header(sid), [
            {"type": "choose", "turn": 1, "at": "2026-03-02T09:01:00+00:00", "node": "begin", "choice": "begin.1"}])))
    out = tmp_path / "out" / "inner"
    out.mkdir(parents=True)
    for fmt in ("json", "html", "xapi"):
        rc, _, err = cli(capsys, "export", *refs, "--format", fmt, "-o", str(out), "--abandoned")
        assert rc == 0 and "Traceback" not in err, err
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 3 * 5 and all("/" not in n and not n.startswith(".") for n in written)
    assert [p for p in (tmp_path / "out").iterdir()] == [out]
    assert not evil.exists() and not (tmp_path / "escaped.json").exists() and not (sessions.parent / "x.json").exists()


def test_an_export_killed_mid_write_leaves_no_temp_file(tmp_path):
    """kill -9 while the report is being written: no multi-MB temp file stays behind (unnamed O_TMPFILE, or a
    named temp file of a dead writer that the next write sweeps away)."""
    import signal

    from trainer.export.fileio import write_bytes_atomic

    code = ("import os, sys, time\n"
            "from trainer.export import fileio\n"
            "real = os.fsync\n"
            "def slow(fd):\n"
            "    print('writing', flush=True); time.sleep(60)\n"
            "os.fsync = slow\n"
            "fileio.write_bytes_atomic(sys.argv[1], b'x' * 5_000_000)\n")
    target = tmp_path / "report.html"
    for force_named in (False, True):
        env = subprocess_env()
        if force_named:  # the fallback path: a named temp file, swept by the next write
            code_run = code.replace("from trainer.export import fileio\n",
                                    "from trainer.export import fileio\nfileio._write_unnamed = lambda *a: False\n")
        else:
            code_run = code
        proc = subprocess.Popen([sys.executable, "-c", code_run, str(target)], stdout=subprocess.PIPE, text=True,
                                env=env)
        assert proc.stdout.readline().strip() == "writing"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        leftovers = [p for p in tmp_path.iterdir() if p.name != "report.html"]
        if not force_named:
            assert leftovers == []  # nothing was ever named
        write_bytes_atomic(target, b"<html></html>")  # the next export of the same file
        assert [p.name for p in tmp_path.iterdir()] == ["report.html"] and target.read_bytes() == b"<html></html>"


def test_report_html_is_a_printable_cohort_overview(cohort, capsys, sessions, tmp_path):
    target = tmp_path / "groep.html"
    rc, _, err = cli(capsys, "report", str(sessions), "--format", "html", "-o", str(target), "--tz", "UTC")
    assert rc == 0, err
    page = target.read_text(encoding="utf-8")
    assert "<script" not in page and "size: A4 landscape" in page
    for heading in ("Cijferlijst", "Per persona", "Oefenpunten van de groep", "Vaakst gemiste cues"):
        assert heading in page
    assert "Tijden in UTC" in page and "Ömer" in page and "niet afgerond" in page
    rc, _, err = cli(capsys, "report", str(sessions), "--tz", "Mars/Olympus")
    assert rc == 1 and "unknown time zone 'Mars/Olympus'" in err


def test_session_html_shows_times_in_one_named_zone_and_the_persona_replies(capsys, sessions, tmp_path):
    run = play(sessions, GOOD, trainee="Zoë", typed=["Hoe gaat het met u?"])
    target = tmp_path / "s.html"
    rc, _, err = cli(capsys, "export", run.session_id, "--format", "html", "-o", str(target),
                     "--tz", "Europe/Amsterdam")
    assert rc == 0, err
    page = target.read_text(encoding="utf-8")
    assert "Tijden in Europe/Amsterdam" in page and "UTC" not in page.split("<main>")[1].split("<footer>")[0]
    # the typed line that matched nothing is followed by what the persona answered, then its line again
    transcript = page.split('<ol class="transcript">')[1]
    typed_at = transcript.index("Hoe gaat het met u?")
    reply = run.session.turns[0].reply
    assert reply and transcript.index(reply, typed_at) > typed_at
    assert "(antwoord)" in transcript


def test_xapi_export_is_pseudonymous_by_default(cohort, capsys, sessions):
    rc, out, err = cli(capsys, "export", str(sessions), "--format", "xapi")
    stmts = json.loads(out)
    assert rc == 0 and "Zoë" not in out and all(s["actor"]["account"]["name"].startswith("anon-") for s in stmts)
    rc, out, err = cli(capsys, "export", str(sessions), "--format", "xapi", "--send-pseudonym")
    assert rc == 0 and {s["actor"]["account"]["name"] for s in json.loads(out)} == {"Zoë", "Bram"}
    rc, out, err = cli(capsys, "export", str(sessions), "--format", "xapi", "--abandoned")
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in json.loads(out)]
    assert rc == 0 and verbs.count("abandoned") == 1 and verbs.count("completed") == 4
