"""Integration test against a real learning record store: Ralph (fs backend) on loopback.

Sends a cohort with `trainer send`, reads the statements back over the xAPI API and compares them, sends again
(no duplicates, also when the send-state file is lost), makes a send fail (wrong password) and checks that the
retry sends exactly the sessions that were not stored. Ralph answers 400/422 to an invalid statement, so this
also checks that our statements are valid xAPI. Skipped only when Ralph cannot be imported or started.
"""

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import b64encode
from pathlib import Path

import pytest

from test_export_record import BAD, COMPLIED, GOOD, HOME_PAGE, analyser, play, xapi_env
from trainer.cli import main
from trainer.export.load import Loader
from trainer.export.privacy import anonymise
from trainer.export.record import with_trainee
from trainer.export.xapi import registration
from trainer.export.xapi import statements as _statements
from trainer.export.xapiconf import XAPISettings

SALT = "test-salt"  # xapi_env sets it
COURSE = "https://lms.voorbeeld.nl/course/gespreksvoering"


def statements(record, per_turn=False, hashed=True, settings=None, **kw):
    """What `trainer send` makes of a record: pseudonymous by default."""
    if hashed:
        record = with_trainee(record, anonymise(record.trainee, SALT), True)
    return _statements(record, per_turn, settings=settings or XAPISettings(HOME_PAGE), **kw)

USER, PASSWORD = "assessor", "correct horse battery"

# Ralph's file backend writes every batch with operation_type CREATE and refuses the second one ("fs_lrs.jsonl
# already exists and overwrite is not allowed with operation_type create or index" -> HTTP 500): as shipped it
# stores exactly one POST. And `ralph runserver` starts uvicorn with reload=True (a reloader process that watches
# the working folder). So the server is started as `ralph runserver` would (same app, same RALPH_* settings), but
# without the reloader and with the file backend set to APPEND, an operation type that backend supports.
# Routing, authentication, statement validation, duplicate detection and queries are all Ralph's own.
RALPH_SERVER = (
    "import sys\n"
    "from ralph.backends.data.base import BaseOperationType\n"
    "from ralph.backends.data.fs import FSDataBackend\n"
    "FSDataBackend.default_operation_type = BaseOperationType.APPEND\n"
    "import uvicorn\n"
    "uvicorn.run('ralph.api:app', host='127.0.0.1', port=int(sys.argv[1]), log_level='warning')\n"
)


def _ralph_executable() -> str | None:
    if importlib.util.find_spec("ralph") is None:
        return None
    here = Path(sys.executable).with_name("ralph")
    return str(here) if here.exists() else shutil.which("ralph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, password: str = PASSWORD, timeout: float = 5):
    req = urllib.request.Request(url, headers={
        "Authorization": "Basic " + b64encode(f"{USER}:{password}".encode()).decode(),
        "X-Experience-API-Version": "1.0.3"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, json.loads(resp.read() or b"null")


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    exe = _ralph_executable()
    if exe is None:
        pytest.skip("Ralph (ralph-malph[cli,lrs]) is not installed: pip install 'ralph-malph[cli,lrs]'")
    base = tmp_path_factory.mktemp("ralph")
    env = dict(os.environ, RALPH_AUTH_FILE=str(base / "auth.json"), RALPH_RUNSERVER_BACKEND="fs",
               RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH=str(base / "data"))
    try:
        subprocess.run([exe, "auth", "-u", USER, "-p", PASSWORD, "-s", "all", "-M", "mailto:assessor@example.org",
                        "-w"], env=env, check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot create Ralph credentials: {exc}")
    port = _free_port()
    log = open(base / "ralph.log", "wb")
    proc = subprocess.Popen([sys.executable, "-c", RALPH_SERVER, str(port)], env=env, stdout=log,
                            stderr=subprocess.STDOUT, cwd=base)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/__heartbeat__", timeout=1).read()
            break
        except (OSError, urllib.error.URLError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                pytest.skip(f"Ralph did not start: {(base / 'ralph.log').read_text(errors='replace')[-500:]}")
            time.sleep(0.2)
    try:
        yield url + "/xAPI"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def _send(capsys, folder, lrs, *extra, password=PASSWORD):
    rc = main(["send", str(folder), "--lrs", lrs, "--user", USER, "--password", password, *extra])
    out, err = capsys.readouterr()
    return rc, out + err


def _all_ids(lrs) -> list[str]:
    status, body = _get(lrs + "/statements?limit=1000")
    assert status == 200
    return [s["id"] for s in body["statements"]]


def test_send_read_back_resend_and_retry(ralph, tmp_path, capsys):
    folder = tmp_path / "cohort"
    runs = [play(folder, GOOD, trainee="Zoë"), play(folder, BAD, trainee="Bram"),
            play(folder, COMPLIED, trainee="Ömer"), play(folder, ["begin.1"], trainee="Anna")]
    rc, output = _send(capsys, folder, ralph, "--per-turn")
    assert rc == 0, output
    assert "3 sent, 0 already in the LRS, 1 not finished (skipped), 0 not sent" in output

    # read back over the xAPI API and compare with what we made
    loader = Loader(analyser=analyser())
    expected_total = 0
    for attempt, run in zip((1, 1, 1), runs[:3]):
        ours = {s["id"]: s for s in statements(loader.record(run.journal.path), per_turn=True, attempt=attempt)}
        expected_total += len(ours)
        status, body = _get(f"{ralph}/statements?registration={registration(run.session_id)}&limit=100")
        theirs = {s["id"]: s for s in body["statements"]}
        assert set(theirs) == set(ours), run.session_id
        for sid, mine in ours.items():
            stored = theirs[sid]
            for field in ("actor", "verb", "object", "result", "context"):
                assert stored[field] == mine[field], (field, sid)
            assert stored["timestamp"][:19] == mine["timestamp"][:19]
        status, one = _get(f"{ralph}/statements?statementId={next(iter(ours))}")
        got = one["statements"][0] if "statements" in one else one  # Ralph wraps even a single statement
        assert status == 200 and got["id"] == next(iter(ours))
    status, body = _get(f"{ralph}/statements?registration={registration(runs[3].session_id)}")
    assert body["statements"] == []  # unfinished: nothing sent
    assert len(_all_ids(ralph)) == expected_total

    # again: nothing to do; with the state file lost the LRS answers 204 and nothing is duplicated
    rc, output = _send(capsys, folder, ralph, "--per-turn")
    assert rc == 0 and "0 sent, 3 already in the LRS" in output
    (folder / ".sent.json").unlink()
    rc, output = _send(capsys, folder, ralph, "--per-turn")
    assert rc == 0 and "0 sent, 3 already in the LRS" in output, output
    ids = _all_ids(ralph)
    assert len(ids) == len(set(ids)) == expected_total

    # a failing send (wrong password) stores nothing and says which sessions were not sent ...
    runs += [play(folder, GOOD, trainee="Zoë"), play(folder, COMPLIED, trainee="Bram")]
    rc, output = _send(capsys, folder, ralph, "--per-turn", password="wrong")
    assert rc == 1 and "Traceback" not in output
    failed = [line for line in output.splitlines() if line.startswith("not sent")]
    assert sorted(line.split()[2].rstrip(":") for line in failed) == sorted(r.session_id for r in runs[4:])
    assert all("HTTP 401" in line for line in failed)
    assert len(_all_ids(ralph)) == expected_total
    # ... and the retry sends exactly those
    rc, output = _send(capsys, folder, ralph, "--per-turn")
    assert rc == 0 and "2 sent, 3 already in the LRS, 1 not finished (skipped), 0 not sent" in output
    for run in runs[4:]:
        assert f"sent      {run.session_id}" in output
    added = sum(len(_statements(loader.record(r.journal.path), True, settings=XAPISettings(HOME_PAGE)))
                for r in runs[4:])
    ids = _all_ids(ralph)
    assert len(ids) == len(set(ids)) == expected_total + added


def test_every_kind_of_statement_is_strict_xapi(tmp_path):
    """Ralph's LRS checks only actor, verb, object and id of incoming statements ("lax"); Ralph's full xAPI 1.0.3
    model also checks result (score range, ISO 8601 duration), context, language maps and extension IRIs."""
    if importlib.util.find_spec("ralph") is None:
        pytest.skip("Ralph (ralph-malph) is not installed")
    from ralph.models.xapi.base.statements import BaseXapiStatement

    loader = Loader(analyser=analyser())
    runs = [play(tmp_path, GOOD, trainee="Zoë"), play(tmp_path, BAD, trainee=""),
            play(tmp_path, COMPLIED, typed=["Wat wilt ú? <script>", "=1+1"])]
    from trainer.export.xapi import voiding_statement

    settings = XAPISettings(HOME_PAGE, course=COURSE, course_name="Gespreksvoering", cohort="Groep 2026-A")
    runs.append(play(tmp_path, ["begin.1"], trainee="Anna"))
    count = 0
    for run in runs:
        rec = loader.record(run.journal.path)
        for record in (rec, with_trainee(rec, anonymise(rec.trainee or "x", "s"), True)):
            for stmt in _statements(record, True, settings=settings, attempt=2, abandoned=True):
                BaseXapiStatement(**stmt)
                BaseXapiStatement(**voiding_statement(stmt["id"], settings))
                count += 1
    assert count >= 2 * (3 * 2 + 3 + 1)


def test_ralph_rejects_an_invalid_statement_and_we_say_so(ralph, tmp_path, capsys, monkeypatch):
    """A statement the LRS refuses is reported in one line per session and is not marked as sent."""
    from trainer.export import xapi

    folder = tmp_path / "one"
    play(folder, GOOD)
    real = xapi.statements

    def broken(record, per_turn=False, **kw):
        out = real(record, per_turn, **kw)
        out[0]["actor"] = {"objectType": "Agent", "name": "no identifier"}
        return out

    monkeypatch.setattr(xapi, "statements", broken)
    rc, output = _send(capsys, folder, ralph)
    assert rc == 1 and "rejected the statements as invalid (HTTP 4" in output and "Traceback" not in output, output
    assert not (folder / ".sent.json").exists()


def _stored_statements(lrs) -> list[dict]:
    status, body = _get(lrs + "/statements?limit=1000")
    assert status == 200
    return body["statements"]


def _visible(lrs, reg) -> list[dict]:
    """A registration's statements as an xAPI 1.0.3 query must return them: without voided statements. Ralph 5
    stores voiding statements but does not apply them to queries ("Not implemented" in its API), so the rule of
    the xAPI spec (a statement is voided once a voided statement refers to it) is applied here."""
    voided = {s["object"]["id"] for s in _stored_statements(lrs) if s["verb"]["id"].endswith("/voided")}
    status, body = _get(f"{lrs}/statements?registration={reg}&limit=1000")
    return [s for s in body["statements"] if s["id"] not in voided]


def test_pseudonymous_grouped_interactions_then_void_against_ralph(ralph, tmp_path, capsys):
    folder = tmp_path / "privacy"
    first = play(folder, BAD, trainee="Zoë de Vries")
    second = play(folder, GOOD, trainee="Zoë de Vries")
    other = play(folder, COMPLIED, trainee="Bram Jansen")
    rc, output = _send(capsys, folder, ralph, "--per-turn", "--course", COURSE, "--course-name", "Gespreksvoering",
                       "--cohort", "Groep 2026-A")
    assert rc == 0 and "3 sent" in output, output
    mine = [s for s in _stored_statements(ralph)
            if s["context"]["registration"] in {registration(r.session_id) for r in (first, second, other)}]
    text = json.dumps(mine, ensure_ascii=False)
    assert "Zoë de Vries" not in text and "Bram Jansen" not in text  # pseudonymous by default
    assert {s["actor"]["account"]["name"] for s in mine} == {anonymise("Zoë de Vries", SALT),
                                                             anonymise("Bram Jansen", SALT)}
    assert {s["actor"]["account"]["homePage"] for s in mine} == {HOME_PAGE}
    for s in mine:
        groups = s["context"]["contextActivities"]["grouping"]
        assert [g["id"] for g in groups][0] == COURSE and groups[1]["definition"]["name"]["nl-NL"] == "Groep 2026-A"
    attempts = {(s["context"]["registration"], s["context"]["extensions"][
        "https://gesprekstrainer.example/xapi/ext/attempt"]) for s in mine}
    assert {a for r, a in attempts if r == registration(first.session_id)} == {1}
    assert {a for r, a in attempts if r == registration(second.session_id)} == {2}
    answered = [s for s in mine if s["verb"]["id"].endswith("/answered")]
    assert answered and all(s["object"]["definition"]["interactionType"] == "choice" for s in answered)
    for s in answered:
        ids = [c["id"] for c in s["object"]["definition"]["choices"]]
        assert s["result"]["response"] in ids and len(ids) >= 2

    # take the first session back: voiding statements for all its statements; queries no longer show it
    before = len(_visible(ralph, registration(first.session_id)))
    assert before == 2 + len(first.session.turns)
    rc, output = _send(capsys, first.journal.path, ralph, "--void")
    assert rc == 0 and f"voided    {first.session_id}: {before} statements" in output, output
    assert _visible(ralph, registration(first.session_id)) == []
    assert len(_visible(ralph, registration(second.session_id))) == 2 + len(second.session.turns)
    voids = [s for s in _stored_statements(ralph) if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"]
    assert all(v["object"]["objectType"] == "StatementRef" for v in voids)
    # voiding again changes nothing (stable voiding ids), and a voided session is not sent again
    count = len(_stored_statements(ralph))
    rc, output = _send(capsys, first.journal.path, ralph, "--void")
    assert rc == 0 and len(_stored_statements(ralph)) == count
    rc, output = _send(capsys, folder, ralph, "--per-turn")
    assert rc == 0 and f"voided    {first.session_id}: taken back" in output and "0 sent" in output


# --- hostile servers (a tiny raw HTTP server on loopback) ------------------------------------------------------------

class HostileServer:
    """Answers every request in one of three bad ways: 'drip' (headers one byte at a time, forever), 'endless'
    (a body without end) or 'conflict' (409 to POST and PUT, 404 to every GET: it holds nothing)."""

    def __init__(self, mode: str):
        import threading

        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/xAPI"
        self.stop = threading.Event()
        self.methods: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        import threading

        self.sock.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _read_request(self, conn) -> str:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return ""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length")), 0)
        while len(body) < length:
            body += conn.recv(65536)
        return head.split(b" ")[0].decode()

    def _handle(self, conn):
        try:
            with conn:
                while not self.stop.is_set():
                    method = self._read_request(conn)
                    if not method:
                        return
                    self.methods.append(method)
                    if self.mode == "drip":
                        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000:
                            if self.stop.is_set():
                                return
                            conn.sendall(bytes([byte]))
                            time.sleep(0.2)
                    elif self.mode == "endless":
                        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[")
                        chunk = b'"x",' * 16384
                        while not self.stop.is_set():
                            conn.sendall(chunk)
                    else:
                        code = b"404 Not Found" if method == "GET" else b"409 Conflict"
                        body = b'{"detail": "conflict"}'
                        conn.sendall(b"HTTP/1.1 " + code + b"\r\nContent-Type: application/json\r\nContent-Length: "
                                     + str(len(body)).encode() + b"\r\n\r\n" + body)
        except OSError:
            pass

    def close(self):
        self.stop.set()
        self.sock.close()


@pytest.fixture
def hostile(request):
    server = HostileServer(request.param)
    yield server
    server.close()


def _send_in_thread(capsys, folder, url, *extra):
    """`trainer send` in a thread: the test fails (instead of hanging) if the send never ends."""
    import threading

    result = {}

    def go():
        result["rc"] = main(["send", str(folder), "--lrs", url, "--user", USER, "--password", PASSWORD, *extra])

    thread = threading.Thread(target=go, daemon=True)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "trainer send did not end"
    out, err = capsys.readouterr()
    return result["rc"], out + err


@pytest.mark.parametrize("hostile", ["drip"], indirect=True)
def test_a_dripping_server_cannot_stall_a_send(hostile, tmp_path, capsys):
    play(tmp_path / "s", GOOD)
    rc, output = _send_in_thread(capsys, tmp_path / "s", hostile.url, "--timeout", "1")
    assert rc == 1 and "did not answer within 1 s" in output and "Traceback" not in output, output
    assert not (tmp_path / "s" / ".sent.json").exists()


@pytest.mark.parametrize("hostile", ["endless"], indirect=True)
def test_an_endless_answer_is_not_read_into_memory(hostile, tmp_path, capsys, monkeypatch):
    from trainer.export import lrs

    monkeypatch.setattr(lrs, "MAX_RESPONSE", 256 * 1024)
    play(tmp_path / "s", GOOD)
    rc, output = _send_in_thread(capsys, tmp_path / "s", hostile.url, "--timeout", "60")
    assert rc == 1 and "sent an answer larger than 0.25 MB" in output and "Traceback" not in output, output
    assert not (tmp_path / "s" / ".sent.json").exists()


@pytest.mark.parametrize("hostile", ["conflict"], indirect=True)
def test_409_to_post_and_put_is_not_sent_unless_the_statement_reads_back(hostile, tmp_path, capsys):
    run = play(tmp_path / "s", GOOD)
    rc, output = _send_in_thread(capsys, tmp_path / "s", hostile.url)
    assert rc == 1 and f"not sent  {run.session_id}: the LRS answered 409" in output, output
    assert "not marked as sent" in output and "0 sent" in output
    assert hostile.methods[:3] == ["POST", "PUT", "GET"]
    assert not (tmp_path / "s" / ".sent.json").exists()
