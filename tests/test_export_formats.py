"""CSV (read back with the csv module), HTML (escaping, self-contained, chart) and xAPI statements."""

import csv
import io
import re
import uuid

import pytest

from test_export_record import (BAD, COMPLIED, GOOD, HOME_PAGE, ROOT, analyser, mini_header, play, write_journal,
                                xapi_env)
from trainer.export.csvout import SESSION_COLUMNS, TURN_COLUMNS, session_row, turn_rows, write_csv
from trainer.export.html import highlight, render_html
from trainer.export.load import Loader
from trainer.export.privacy import Pseudonyms, anonymise
from trainer.export.record import with_trainee
from trainer.export.summary import summarise, summarise_session
from trainer.export.xapi import NAMESPACE, iso_duration, registration, statement_id
from trainer.export.xapi import statements as _statements
from trainer.export.xapiconf import XAPISettings

SETTINGS = XAPISettings(HOME_PAGE)


def statements(record, per_turn=False, **kw):
    return _statements(record, per_turn, settings=kw.pop("settings", SETTINGS), **kw)

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "Zoë's & \"quotes\" </p>"]


def records(tmp_path, scripts=(GOOD, BAD, COMPLIED), lang="nl", typed=None, trainee="Zoë"):
    loader = Loader(analyser=analyser(), lang=lang)
    return [loader.record(play(tmp_path, s, trainee=trainee, typed=typed).journal.path) for s in scripts]


def read_csv(data: bytes, delimiter=","):
    assert data.startswith("\ufeff".encode("utf-8")), "UTF-8 BOM for Excel"
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


# --- CSV -----------------------------------------------------------------------------------------------------------

def test_csv_one_row_per_session(tmp_path):
    recs = records(tmp_path)
    data = write_csv([session_row(summarise(r)) for r in recs], SESSION_COLUMNS)
    rows = read_csv(data)
    assert list(rows[0]) == SESSION_COLUMNS and len(rows) == 3
    good = rows[0]
    assert good["trainee"] == "Zoë" and good["persona_id"] == "mini" and good["outcome"] == "own_choice"
    assert good["outcome_label"] == "Eigen keuze afgesproken" and good["finished"] == "true"
    assert good["n_question"] == "2" and good["score"] == str(recs[0].rubric.score)
    assert good["cues_judged"] == "1" and good["cue_response_pct"] == "100"
    assert good["final_trust"] == str(recs[0].final.trust)
    assert rows[1]["passed"] in ("true", "false") and int(rows[1]["controlling_count"]) >= 0


def test_csv_one_row_per_turn_keeps_dutch_text_and_neutralises_formulas(tmp_path):
    recs = records(tmp_path, (GOOD,), typed=["=HYPERLINK(\"http://x\")", "Wat vindt ú, Zoë, van café?"])
    data = write_csv(turn_rows(recs[0]), TURN_COLUMNS)
    rows = read_csv(data)
    assert list(rows[0]) == TURN_COLUMNS and len(rows) == len(recs[0].turns) == 5
    assert rows[0]["trainee_line"] == "'=HYPERLINK(\"http://x\")" and rows[0]["typed"] == "true"
    assert rows[1]["trainee_line"] == "Wat vindt ú, Zoë, van café?" and rows[1]["choice_id"] == ""
    assert rows[2]["choice_id"] == "begin.1" and rows[2]["cues_offered"] == "trots"
    assert rows[2]["picks_up"] == "trots" and rows[2]["codes"] == "question"
    for row, turn in zip(rows, recs[0].turns):  # cue events as the debrief judged them (its rule, docs/debrief.md)
        for event in ("offered", "picked_up", "missed"):
            assert row[f"cues_{event}"] == " ".join(e.cue for e in turn.cue_events if e.event == event)
    assert rows[0]["cues_offered"] == "trots"
    assert int(rows[2]["trust_change"]) == int(rows[2]["trust_after"]) - int(rows[2]["trust_before"])


def test_csv_dutch_dialect_has_dutch_headers_values_and_decimal_commas(tmp_path, monkeypatch):
    monkeypatch.setenv("GESPREKSTRAINER_TZ", "Europe/Amsterdam")
    good, unfinished = records(tmp_path, (GOOD, ["begin.1"]))
    rows = [session_row(summarise(good)), session_row(summarise(unfinished))]
    rows[0]["rq_ratio"] = 1.5
    for dialect in ("nl", "excel-nl"):
        data = write_csv(rows, SESSION_COLUMNS, dialect=dialect)
        out = read_csv(data, delimiter=";")
        head = data.decode("utf-8-sig").splitlines()[0]
        assert "Begonnen (Europe/Amsterdam)" in head and "Deelnemer" in head and "own_choice" not in head
        assert out[0]["Reflecties per vraag"] == "1,5" and out[0]["Deelnemer"] == "Zoë"
        assert out[0]["Uitkomst"] == "Eigen keuze afgesproken" and out[0]["Afgerond"] == "ja"
        assert out[0]["Modus"] == "oefenen" and out[0]["Niveau"] in ("goed", "voldoende", "onvoldoende")
        assert re.fullmatch(r"\d\d-\d\d-\d{4} \d\d:\d\d", out[0]["Begonnen (Europe/Amsterdam)"])
        assert "true" not in data.decode("utf-8-sig") and "false" not in data.decode("utf-8-sig")
        # an unfinished session: no score, no level, no verdict
        assert out[1]["Afgerond"] == "nee" and out[1]["Uitkomst"] == "Niet afgerond"
        assert out[1]["Score"] == out[1]["Niveau"] == out[1]["Behaald"] == ""


def test_unfinished_session_has_no_verdict_in_standard_csv(tmp_path):
    rec = records(tmp_path, (["begin.1"],))[0]
    assert rec.rubric.score is None and rec.rubric.passed is None and rec.rubric.level is None
    row = read_csv(write_csv([session_row(summarise(rec))], SESSION_COLUMNS))[0]
    assert row["finished"] == "false" and row["score"] == row["level"] == row["passed"] == ""
    assert row["outcome_label"] == "Niet afgerond"


def test_csv_cells_over_the_excel_limit_are_cut_with_a_marker(tmp_path):
    from trainer.export.csvout import CELL_LIMIT, CUT_MARKER

    rec = records(tmp_path, (GOOD,), typed=["x"])[0]
    # a typed line is capped at 2,000 characters on input; a handed-in record can still hold a huge cell
    rec = rec.model_copy(update={"turns": [rec.turns[0].model_copy(update={"trainee_line": "x" * 100_000})]
                                 + list(rec.turns[1:])})
    for dialect in ("standard", "nl"):
        rows = read_csv(write_csv(turn_rows(rec), TURN_COLUMNS, dialect), ";" if dialect == "nl" else ",")
        line = rows[0]["trainee_line" if dialect == "standard" else "Deelnemer zei"]
        assert len(line) == CELL_LIMIT and line.endswith(CUT_MARKER)


def test_fast_summary_equals_the_summary_of_the_record(tmp_path):
    """The report summarises straight from the replayed session (Loader.summary); exports summarise the
    SessionRecord. Both must give the same summary: finished, broken off, unfinished, typed fallback lines,
    typed matched lines with picks, undo, a truncated journal, a changed persona, and a generated cohort of
    every shipped persona (their own outcomes, cues, flags)."""
    import importlib.util
    import shutil

    from test_export_record import MINI
    from trainer.debrief.build import build_debrief
    from trainer.export.record import build_record

    paths = [play(tmp_path / "s", s).journal.path for s in (GOOD, BAD, COMPLIED, ["begin.1"], [])]
    paths.append(play(tmp_path / "s", GOOD, trainee="", typed=["Ik snap het."]).journal.path)
    paths.append(play(tmp_path / "s", ["begin.1"], typed=["U moet gewoon gaan, anders kort ik uw uitkering."]).journal.path)
    run = play(tmp_path / "s", [], mode="assessment", typed=["Wat wilt u zelf?"])
    run.choose("begin.1", typed="Wat zou u zelf willen?", score=0.71, extra_picks=("x",), own_picks=())
    run.undo()
    run.choose("begin.1", typed="Wat zou u zelf willen doen?", score=0.8)
    paths.append(run.journal.path)
    truncated = play(tmp_path / "s", ["begin.1", "midden.1"])
    with open(truncated.journal.path, "ab") as fh:
        fh.write(b'{"type":"choose","turn":3,"cho')
    paths.append(truncated.journal.path)
    copy = tmp_path / "mini.yaml"
    shutil.copy(MINI, copy)
    paths.append(play(tmp_path / "s", GOOD, persona=copy).journal.path)
    copy.write_text(copy.read_text(encoding="utf-8").replace("Goedemorgen.", "Dag."), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "scripts" / "bench_report.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.generate(tmp_path / "g" / "sessions", 80, seed=3)
    paths += sorted((tmp_path / "g" / "sessions").glob("*.jsonl"))

    seen = {"unfinished": 0, "fallback": 0, "typed": 0, "own_outcome": 0, "changed": 0}
    for lang in ("nl", "en"):
        loader = Loader(analyser=analyser(), lang=lang)
        for path in paths:
            fast = loader.summary(path)
            assert fast == summarise(loader.record(path)), path.name
            opened = loader.open(path)
            debrief = build_debrief(opened.session, lang)
            rec = build_record(opened.data.header, opened.data.events, opened.session, opened.loaded, debrief,
                               journal_file=path)
            assert summarise_session(opened.data.header, opened.data.events, opened.session, opened.loaded,
                                     debrief, path) == summarise(rec) == fast
            turns = opened.session.turns
            seen["unfinished"] += not fast["finished"]
            seen["fallback"] += any(t.choice_id is None for t in turns)
            seen["typed"] += any(t.choice_id and t.typed for t in turns)
            seen["own_outcome"] += fast["outcome"] == "lege_belofte"
            seen["changed"] += fast["persona_changed"]
    assert all(seen.values()), seen


# --- HTML ----------------------------------------------------------------------------------------------------------

def test_html_escapes_everything_the_trainee_typed(tmp_path):
    recs = records(tmp_path, (["begin.2", "midden.3"],), typed=["U moet " + XSS[0], XSS[1], XSS[2]],
                   trainee='<b onmouseover="x">km</b>')
    page = render_html(recs)
    assert "<script>" not in page and "<script" not in page.lower()
    assert "onerror=alert" not in page.replace("onerror=alert(2)&gt;", "")  # only as escaped text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "Zoë&#x27;s &amp; &quot;quotes&quot; &lt;/p&gt;" in page
    assert "<b onmouseover" not in page and "&lt;b onmouseover=&quot;x&quot;&gt;km&lt;/b&gt;" in page
    # no tag in the page comes from the session: every tag name is one the report itself uses
    tags = set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page))
    assert tags <= {"html", "head", "meta", "title", "style", "body", "main", "article", "header", "h1", "h2", "h3",
                    "dl", "dt", "dd", "section", "div", "span", "small", "p", "blockquote", "mark", "svg", "desc",
                    "line", "text", "polyline", "circle", "rect", "table", "thead", "tbody", "tr", "th", "td", "ol",
                    "li", "footer", "nav", "a"}, tags


def test_html_is_self_contained_printable_and_has_a_labelled_chart(tmp_path):
    recs = records(tmp_path, (GOOD, ["begin.1"]), lang="en")
    page = render_html(recs)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page
    assert "@media print" in page and "@page" in page
    assert not re.search(r"<(script|link|img|iframe)\b", page)
    assert not re.search(r"(src|href)=\"(https?:)?//", page)  # no external assets
    assert page.count("<svg") == 2 and "Trust" in page and "Motivation" in page
    assert 'stroke-dasharray="7 4"' in page  # motivation dashed: readable in black and white
    assert "Own choice agreed" in page and "Not finished" in page and "Full transcript" in page
    assert recs[0].turns[0].persona_line in page and "Cues picked up" in page
    assert page.count("<article") == 2 and "<nav>" in page


def test_html_marks_the_flagged_words(tmp_path):
    rec = records(tmp_path, (["begin.2", "midden.3"],))[0]
    page = render_html([rec])
    if not rec.debrief.flags:
        pytest.skip("the analyser flags nothing in the mini persona's controlling lines")
    for f in rec.debrief.flags:
        assert f"<mark>{f.words}</mark>" in page
    assert highlight("a <b> c", [(2, 5)]) == "a <mark>&lt;b&gt;</mark> c"
    assert highlight("abcdef", [(0, 2), (1, 4), (5, 9)]) == "<mark>abcd</mark>e<mark>f</mark>"


# --- xAPI ----------------------------------------------------------------------------------------------------------

def test_xapi_statements_of_a_finished_session(tmp_path):
    rec = records(tmp_path, (GOOD,))[0]
    stmts = statements(rec)
    verbs = [s["verb"]["id"] for s in stmts]
    expected = "passed" if rec.rubric.passed else "failed"
    assert verbs == ["http://adlnet.gov/expapi/verbs/completed", f"http://adlnet.gov/expapi/verbs/{expected}"]
    for s in stmts:
        assert uuid.UUID(s["id"]).version == 5
        assert s["actor"] == {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": "Zoë"}}
        assert s["object"]["id"] == "https://gesprekstrainer.example/xapi/activities/persona/mini"
        assert set(s["object"]["definition"]["name"]) == {"nl-NL", "en-US"}
        assert s["context"]["registration"] == str(uuid.uuid5(NAMESPACE, f"session/{rec.session_id}"))
        r = s["result"]
        assert r["score"] == {"scaled": rec.rubric.score / 100, "raw": rec.rubric.score, "min": 0, "max": 100}
        assert r["success"] is rec.rubric.passed and r["completion"] is True
        assert re.fullmatch(r"PT(\d+H)?(\d+M)?(\d+S)?", r["duration"])
        ext = r["extensions"]["https://gesprekstrainer.example/xapi/ext/rubric"]
        assert ext["counts"]["question"] == 2
        assert r["extensions"]["https://gesprekstrainer.example/xapi/ext/cues"][0]["cue"] == "trots"
        assert s["timestamp"] == rec.finished_at
    assert statements(rec) == stmts  # stable: the same ids and content every time


def test_xapi_ids_are_stable_and_distinct():
    assert statement_id("s1", "completed") == statement_id("s1", "completed")
    ids = {statement_id("s1", "completed"), statement_id("s1", "passed"), statement_id("s2", "completed"),
           statement_id("s1", "answered", 1), statement_id("s1", "answered", 2)}
    assert len(ids) == 5
    assert registration("s1") != registration("s2")
    assert [iso_duration(s) for s in (0, 59, 60, 3725, None)] == ["PT0S", "PT59S", "PT1M", "PT1H2M5S", "PT0S"]


def test_xapi_per_turn_and_unfinished(tmp_path):
    done, open_ = records(tmp_path, (GOOD, ["begin.1"]), typed=["Hoe gaat het <met u>?"])
    stmts = statements(done, per_turn=True)
    answered = [s for s in stmts if s["verb"]["id"].endswith("/answered")]
    assert len(answered) == len(done.turns) == 4
    # typed words: a fill-in interaction, the response is the words
    typed = answered[0]["object"]
    assert answered[0]["result"]["response"] == "Hoe gaat het <met u>?"
    assert typed["definition"]["interactionType"] == "fill-in" and typed["id"].endswith("/node/begin/free-text")
    assert typed["definition"]["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction"
    # a choice: interactionType choice, the choices that were open, the response is the picked choice id
    picked = answered[1]["object"]["definition"]
    assert picked["interactionType"] == "choice" and answered[1]["result"]["response"] == "begin.1"
    assert [c["id"] for c in picked["choices"]] == [o.id for o in done.turns[1].options]
    assert {c["id"] for c in picked["choices"]} >= {"begin.1", "begin.2"}
    assert picked["choices"][0]["description"]["nl-NL"] == done.turns[1].options[0].text
    assert answered[1]["result"]["extensions"]["https://gesprekstrainer.example/xapi/ext/turn"]["line"] == \
        done.turns[1].choice_text
    assert answered[1]["context"]["contextActivities"]["parent"][0]["id"].endswith("/persona/mini")
    assert len({s["id"] for s in stmts}) == len(stmts)
    assert statements(open_) == [] and statements(open_, per_turn=True) == []


def test_xapi_grouping_attempt_and_abandoned(tmp_path):
    done, open_ = records(tmp_path, (GOOD, ["begin.1"]))
    settings = XAPISettings(HOME_PAGE, course="https://lms.voorbeeld.nl/course/gespreksvoering",
                            course_name="Gespreksvoering", cohort="Groep 2026-A")
    stmts = statements(done, True, settings=settings, attempt=3)
    for s in stmts:
        groups = s["context"]["contextActivities"]["grouping"]
        assert groups[0]["id"] == settings.course and groups[0]["definition"]["name"]["nl-NL"] == "Gespreksvoering"
        assert groups[1]["id"].endswith("/cohort/Groep%202026-A")
        assert s["context"]["extensions"]["https://gesprekstrainer.example/xapi/ext/attempt"] == 3
    assert [s["id"] for s in stmts] == [s["id"] for s in statements(done, True)]  # ids do not depend on them
    # an unfinished session: no verdict; at most an 'abandoned' statement without score or success
    assert statements(open_) == []
    (abandoned,) = statements(open_, abandoned=True)
    assert abandoned["verb"]["id"] == "https://w3id.org/xapi/adl/verbs/abandoned"
    assert abandoned["result"] == {"completion": False, "duration": abandoned["result"]["duration"]}


def test_xapi_needs_a_configured_home_page(monkeypatch, tmp_path):
    from trainer.export.xapiconf import XAPIConfigError, resolve

    monkeypatch.delenv("GESPREKSTRAINER_XAPI_HOMEPAGE")
    with pytest.raises(XAPIConfigError, match="--home-page"):
        resolve()
    config = tmp_path / "xapi.toml"
    config.write_text('home_page = "https://lms.voorbeeld.nl"\ncohort = "A"\n', encoding="utf-8")
    monkeypatch.setenv("GESPREKSTRAINER_XAPI_CONFIG", str(config))
    assert resolve() == XAPISettings("https://lms.voorbeeld.nl", cohort="A")
    monkeypatch.setenv("GESPREKSTRAINER_XAPI_HOMEPAGE", "https://env.voorbeeld.nl")
    assert resolve().home_page == "https://env.voorbeeld.nl"
    assert resolve("https://flag.voorbeeld.nl").home_page == "https://flag.voorbeeld.nl"
    with pytest.raises(XAPIConfigError, match="http"):
        resolve("gesprekstrainer")
    import inspect

    from trainer.export import xapi
    assert "homePage\": \"http" not in inspect.getsource(xapi)


def test_xapi_failed_and_unknown_actor(tmp_path):
    rec = records(tmp_path, (BAD,), trainee="")[0]
    stmts = statements(rec)
    assert stmts[1]["verb"]["id"].endswith("/failed") and stmts[1]["result"]["success"] is False
    assert stmts[0]["actor"]["account"]["name"] == "unknown"


# --- privacy -------------------------------------------------------------------------------------------------------

def test_anonymise_is_stable_salted_and_keeps_empty(monkeypatch, tmp_path):
    a = anonymise("Zoë", "salt1")
    assert re.fullmatch(r"anon-[0-9a-f]{10}", a) and a == anonymise("Zoë", "salt1")
    assert a != anonymise("Zoë", "salt2") and a != anonymise("Zoe", "salt1")
    assert anonymise("", "salt1") == ""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.delenv("GESPREKSTRAINER_SALT", raising=False)
    first = Pseudonyms(True)("Zoë")
    salt_file = next((tmp_path / "cfg").rglob("salt"))
    assert oct(salt_file.stat().st_mode & 0o777) == "0o600"
    assert Pseudonyms(True)("Zoë") == first  # the same installation salt next time
    monkeypatch.setenv("GESPREKSTRAINER_SALT", "s")
    assert Pseudonyms(True)("Zoë") == anonymise("Zoë", "s") == Pseudonyms(True, "s")("Zoë")
    assert Pseudonyms(True, "other")("Zoë") != anonymise("Zoë", "s")
    assert Pseudonyms(False)("Zoë") == "Zoë"


def test_anonymised_record_carries_no_pseudonym(tmp_path):
    from trainer.export.record import record_to_json

    rec = records(tmp_path, (GOOD,), trainee="Zoë de Vries")[0]
    anon = with_trainee(rec, anonymise(rec.trainee, "x"), True)
    text = record_to_json(anon)
    assert "Zoë de Vries" not in text and anon.anonymised
    assert statements(anon)[0]["actor"]["account"]["name"] == anonymise("Zoë de Vries", "x")
    assert "Zoë de Vries" not in render_html([anon])


def test_duration_in_statement_from_journal_times(tmp_path):
    path = write_journal(tmp_path / "t.jsonl", mini_header("t"), [
        {"type": "choose", "turn": 1, "at": "2026-03-02T09:01:00+00:00", "node": "begin", "choice": "begin.1"},
        {"type": "choose", "turn": 2, "at": "2026-03-02T09:05:00+00:00", "node": "midden", "choice": "midden.1"},
        {"type": "choose", "turn": 3, "at": "2026-03-02T10:02:03+00:00", "node": "slot", "choice": "slot.1"},
    ])
    rec = Loader(analyser=analyser()).record(path)
    assert statements(rec)[0]["result"]["duration"] == "PT1H2M3S"
