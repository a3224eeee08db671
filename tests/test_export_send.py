"""`trainer send` against a small in-process LRS that can fail on purpose: partial failures, retries, auth,
invalid statements, timeouts, conflicts, a lost send-state file. (tests/test_lrs.py runs a real LRS.)"""

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from test_export_record import BAD, COMPLIED, GOOD, play, xapi_env
from trainer.cli import main
from trainer.export.xapi import registration


class FakeLRS:
    def __init__(self, user="u", password="p"):
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.stored: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []  # (method, registration or id)
        self.fail_registrations: set[str] = set()
        self.invalid_registrations: set[str] = set()
        self.delay = 0.0
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, code, body=None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

            def do_POST(self):
                body = self._body()
                time.sleep(lrs.delay)
                if self.headers.get("Authorization") != lrs.auth:
                    return self._send(401, {"detail": "Invalid authentication credentials"})
                assert self.headers["X-Experience-API-Version"] == "1.0.3"
                assert urlsplit(self.path).path == "/xAPI/statements"
                reg = body[0].get("context", {}).get("registration", "void")
                lrs.requests.append(("POST", reg))
                if reg in lrs.fail_registrations:
                    return self._send(500, {"detail": "backend down"})
                if reg in lrs.invalid_registrations:
                    return self._send(422, {"detail": [{"loc": ["body", 0, "actor"], "msg": "field required"}]})
                new = {}
                for stmt in body:
                    old = lrs.stored.get(stmt["id"])
                    if old is not None and old != stmt:
                        return self._send(409, {"detail": f"Differing statements already exist: {stmt['id']}"})
                    if old is None:
                        new[stmt["id"]] = stmt
                if not new:
                    return self._send(204)
                lrs.stored.update(new)
                return self._send(200, list(new))

            def do_GET(self):
                if self.headers.get("Authorization") != lrs.auth:
                    return self._send(401, {"detail": "no"})
                query = parse_qs(urlsplit(self.path).query)
                lrs.requests.append(("GET", urlsplit(self.path).query))
                voided = lrs.voided()
                if "statementId" in query:  # xAPI: a voided statement is only returned by voidedStatementId
                    sid = query["statementId"][0]
                    found = sid in lrs.stored and sid not in voided
                    return self._send(200, lrs.stored[sid]) if found else self._send(404, {"detail": "not found"})
                if "voidedStatementId" in query:
                    sid = query["voidedStatementId"][0]
                    return self._send(200, lrs.stored[sid]) if sid in voided else self._send(404, {"detail": "no"})
                reg = query.get("registration", [None])[0]
                return self._send(200, {"statements": [s for i, s in lrs.stored.items() if i not in voided and (
                    reg is None or s.get("context", {}).get("registration") == reg)]})

            def do_PUT(self):
                body = self._body()
                if self.headers.get("Authorization") != lrs.auth:
                    return self._send(401, {"detail": "no"})
                sid = parse_qs(urlsplit(self.path).query)["statementId"][0]
                lrs.requests.append(("PUT", sid))
                old = lrs.stored.get(sid)
                if old is not None and old != body:
                    return self._send(409, {"detail": "A different statement already exists with the same ID"})
                lrs.stored.setdefault(sid, body)
                return self._send(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xAPI"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def voided(self) -> set[str]:
        return {s["object"]["id"] for s in self.stored.values() if s["verb"]["id"].endswith("/voided")}

    def posted(self):
        return [r for m, r in self.requests if m == "POST"]


@pytest.fixture
def lrs():
    with FakeLRS() as server:
        yield server


@pytest.fixture
def cohort(sessions):
    return [play(sessions, GOOD, trainee="Zoë"), play(sessions, BAD, trainee="Bram"),
            play(sessions, COMPLIED, trainee="Ömer"), play(sessions, GOOD, trainee="Zoë"),
            play(sessions, ["begin.1"], trainee="Anna")]  # unfinished


def send(capsys, lrs, *extra, password="p"):
    rc = main(["send", *extra, "--lrs", lrs.url, "--user", "u", "--password", password])
    out, err = capsys.readouterr()
    return rc, out, err


def regs(runs):
    return {registration(r.session_id) for r in runs}


def test_send_stores_finished_sessions_once(cohort, sessions, lrs, capsys):
    rc, out, err = send(capsys, lrs, str(sessions))
    finished = cohort[:4]
    assert rc == 0, err
    assert set(lrs.posted()) == regs(finished) and len(lrs.stored) == 8
    assert "4 sent, 0 already in the LRS, 1 not finished (skipped), 0 not sent" in err
    assert f"skipped   {cohort[4].session_id}: not finished" in err
    state = json.loads((sessions / ".sent.json").read_text(encoding="utf-8"))
    (endpoint, stored), = state["lrs"].items()
    assert endpoint == lrs.url + "/statements" and set(stored) == {r.session_id for r in finished}
    assert all(len(e["ids"]) == 2 and e["per_turn"] is False for e in stored.values())
    lrs.requests.clear()
    rc, out, err = send(capsys, lrs, str(sessions))
    assert rc == 0 and lrs.requests == [] and "0 sent, 4 already in the LRS" in err


def test_partial_failure_then_retry_sends_exactly_the_unsent(cohort, sessions, lrs, capsys):
    lrs.fail_registrations = regs(cohort[1:3])
    rc, out, err = send(capsys, lrs, str(sessions))
    assert rc == 1
    for run in cohort[1:3]:
        assert f"not sent  {run.session_id}: the LRS failed on the statements (HTTP 500): backend down" in err
    assert "2 sent" in err and "2 not sent" in err and "Run the same command again" in err
    lrs.fail_registrations = set()
    lrs.requests.clear()
    rc, out, err = send(capsys, lrs, str(sessions))
    assert rc == 0 and sorted(lrs.posted()) == sorted(regs(cohort[1:3]))
    assert len(lrs.stored) == 8 and "2 sent, 2 already in the LRS" in err


def test_wrong_password_stops_and_reports_every_session(cohort, sessions, lrs, capsys):
    rc, out, err = send(capsys, lrs, str(sessions), password="wrong")
    assert rc == 1 and lrs.stored == {} and not (sessions / ".sent.json").exists()
    lines = [line for line in err.splitlines() if line.startswith("not sent")]
    assert len(lines) == 4 and all("refused the credentials (HTTP 401)" in line for line in lines)
    assert len(lrs.requests) == 0  # the fake answers 401 before logging; only one request was made
    rc, out, err = send(capsys, lrs, str(sessions))
    assert rc == 0 and len(lrs.stored) == 8


def test_invalid_statement_is_reported_with_the_lrs_reason(cohort, sessions, lrs, capsys):
    lrs.invalid_registrations = regs(cohort[:1])
    rc, out, err = send(capsys, lrs, cohort[0].session_id)
    assert rc == 1
    assert (f"not sent  {cohort[0].session_id}: the LRS rejected the statements as invalid (HTTP 422): "
            "body.0.actor: field required") in err
    assert "Traceback" not in err


def test_unreachable_lrs(cohort, sessions, capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rc = main(["send", str(sessions), "--lrs", f"http://127.0.0.1:{port}/xAPI", "--user", "u", "--password", "p"])
    err = capsys.readouterr().err
    assert rc == 1 and err.count("cannot reach the LRS") == 4 and "Traceback" not in err


def test_timeout(cohort, sessions, lrs, capsys):
    lrs.delay = 1.5
    rc, out, err = send(capsys, lrs, cohort[0].session_id, "--timeout", "0.5")
    assert rc == 1 and "did not answer within 0.5 s" in err


def test_conflicting_statement_counts_as_stored_and_never_duplicates(cohort, sessions, lrs, capsys, monkeypatch):
    monkeypatch.setenv("GESPREKSTRAINER_SALT", "x")
    rc, _, _ = send(capsys, lrs, cohort[0].session_id)  # pseudonymous (hashed) by default
    assert rc == 0 and len(lrs.stored) == 2
    (sessions / ".sent.json").unlink()  # state lost; now with the pseudonym as typed: same ids, other actor
    lrs.requests.clear()
    rc, out, err = send(capsys, lrs, cohort[0].session_id, "--send-pseudonym")
    assert rc == 0 and "kept an earlier version" in out
    # each 409 to a PUT is only believed after reading the statement back
    assert [m for m, _ in lrs.requests] == ["POST", "PUT", "GET", "PUT", "GET"] and len(lrs.stored) == 2
    assert all(s["actor"]["account"]["name"].startswith("anon-") for s in lrs.stored.values())


def test_lost_state_file_resend_is_harmless(cohort, sessions, lrs, capsys):
    send(capsys, lrs, str(sessions))
    (sessions / ".sent.json").unlink()
    rc, out, err = send(capsys, lrs, str(sessions))
    assert rc == 0 and len(lrs.stored) == 8 and "0 sent, 4 already in the LRS" in err


def test_per_turn_after_a_plain_send_adds_the_answered_statements(cohort, sessions, lrs, capsys):
    send(capsys, lrs, cohort[0].session_id)
    rc, out, err = send(capsys, lrs, cohort[0].session_id, "--per-turn")
    assert rc == 0 and len(lrs.stored) == 2 + len(cohort[0].session.turns)
    rc, out, err = send(capsys, lrs, cohort[0].session_id, "--per-turn")
    assert "0 sent, 1 already" in err


def test_missing_options_and_bad_url(cohort, capsys, monkeypatch):
    for var in ("URL", "USER", "PASSWORD"):
        monkeypatch.delenv(f"GESPREKSTRAINER_LRS_{var}", raising=False)
    assert main(["send", cohort[0].session_id]) == 1
    assert "missing --lrs, --user, --password" in capsys.readouterr().err
    assert main(["send", cohort[0].session_id, "--lrs", "ftp://x", "--user", "u", "--password", "p"]) == 1
    assert "not an http(s) URL" in capsys.readouterr().err


def test_credentials_from_the_environment(cohort, sessions, lrs, capsys, monkeypatch):
    monkeypatch.setenv("GESPREKSTRAINER_LRS_URL", lrs.url)
    monkeypatch.setenv("GESPREKSTRAINER_LRS_USER", "u")
    monkeypatch.setenv("GESPREKSTRAINER_LRS_PASSWORD", "p")
    assert main(["send", cohort[0].session_id]) == 0 and len(lrs.stored) == 2


def test_send_state_merges_concurrent_writers(tmp_path):
    from trainer.export.lrs import SendState

    a, b = SendState(tmp_path), SendState(tmp_path)
    a.mark("e", "s1", ["i1"], False)
    b.mark("e", "s2", ["i2"], True)
    a.save()
    b.save()
    data = json.loads((tmp_path / ".sent.json").read_text(encoding="utf-8"))
    assert set(data["lrs"]["e"]) == {"s1", "s2"} and data["lrs"]["e"]["s2"]["per_turn"] is True
    assert not list(tmp_path.glob("*.tmp"))


def test_two_sends_at_once_neither_double_send_nor_corrupt_the_state(cohort, sessions, lrs):
    """The second `trainer send` waits for the first (a lock on the send state), then skips what it stored."""
    import subprocess

    from conftest import subprocess_env, trainer_cmd

    lrs.delay = 0.4  # each POST is slow, so the two runs overlap
    cmd = trainer_cmd("send", str(sessions), "--lrs", lrs.url, "--user", "u", "--password", "p")
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env())
             for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    posted = lrs.posted()
    assert sorted(posted) == sorted(regs(cohort[:4])), "every session POSTed exactly once"
    errs = " ".join(err for _, err in results)
    assert "4 sent" in errs and "0 sent, 4 already in the LRS" in errs
    state = json.loads((sessions / ".sent.json").read_text(encoding="utf-8"))
    assert set(state["lrs"][lrs.url + "/statements"]) == {r.session_id for r in cohort[:4]}


def test_void_takes_a_session_out_and_it_is_not_sent_again(cohort, sessions, lrs, capsys):
    send(capsys, lrs, str(sessions), "--per-turn")
    target = cohort[0]
    rc, out, err = send(capsys, lrs, target.session_id, "--void")
    n = 2 + len(target.session.turns)
    assert rc == 0 and f"voided    {target.session_id}: {n} statements" in out, err
    visible = [s for s in lrs.stored.values() if s["id"] not in lrs.voided()
               and s.get("context", {}).get("registration") == registration(target.session_id)]
    assert visible == []
    assert len(lrs.voided()) == n
    rc, out, err = send(capsys, lrs, str(sessions))
    assert rc == 0 and f"voided    {target.session_id}: taken back" in err and "1 voided earlier" in err
    rc, out, err = send(capsys, lrs, target.session_id, "--void")  # again: the LRS holds nothing of it now
    assert rc == 0 and "holds none of its statements" in err


def test_send_needs_a_home_page_and_never_uses_a_placeholder(cohort, lrs, capsys, monkeypatch):
    monkeypatch.delenv("GESPREKSTRAINER_XAPI_HOMEPAGE")
    rc, out, err = send(capsys, lrs, cohort[0].session_id)
    assert rc == 1 and "no xAPI home page: give --home-page URL" in err and lrs.requests == []
    rc, out, err = send(capsys, lrs, cohort[0].session_id, "--home-page", "https://lms.voorbeeld.nl")
    assert rc == 0
    assert {s["actor"]["account"]["homePage"] for s in lrs.stored.values()} == {"https://lms.voorbeeld.nl"}
    assert all(s["actor"]["account"]["name"].startswith("anon-") for s in lrs.stored.values())


def test_abandoned_unfinished_session_then_its_verdict_once_finished(cohort, sessions, lrs, capsys):
    open_ = cohort[4]
    rc, out, err = send(capsys, lrs, open_.session_id, "--abandoned")
    assert rc == 0 and f"sent      {open_.session_id}: abandoned (not finished), 1 statement" in out, err
    (stmt,) = lrs.stored.values()
    assert stmt["verb"]["id"] == "https://w3id.org/xapi/adl/verbs/abandoned"
    assert "score" not in stmt["result"] and "success" not in stmt["result"]
    rc, out, err = send(capsys, lrs, open_.session_id, "--abandoned")
    assert rc == 0 and "0 sent, 1 already" in err
    for cid in ("midden.1", "slot.1"):
        if not open_.session.ended:
            open_.choose(cid)
    rc, out, err = send(capsys, lrs, open_.session_id)
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[1] for s in lrs.stored.values())
    assert rc == 0 and open_.session.ended and len(verbs) == 3
    assert verbs[:2] == ["abandoned", "completed"] and verbs[2] in ("failed", "passed")
