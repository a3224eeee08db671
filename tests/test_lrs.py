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

from test_export_record import BAD, COMPLIED, GOOD, analyser, play, xapi_env
from trainer.cli import main
from trainer.export.load import Loader
from trainer.export.xapi import registration, statements

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
    for run in runs[:3]:
        ours = {s["id"]: s for s in statements(loader.record(run.journal.path), per_turn=True)}
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
    added = sum(len(statements(loader.record(r.journal.path), per_turn=True)) for r in runs[4:])
    ids = _all_ids(ralph)
    assert len(ids) == len(set(ids)) == expected_total + added


def test_every_kind_of_statement_is_strict_xapi(tmp_path):
    """Ralph's LRS checks only actor, verb, object and id of incoming statements ("lax"); Ralph's full xAPI 1.0.3
    model also checks result (score range, ISO 8601 duration), context, language maps and extension IRIs."""
    if importlib.util.find_spec("ralph") is None:
        pytest.skip("Ralph (ralph-malph) is not installed")
    from ralph.models.xapi.base.statements import BaseXapiStatement

    from trainer.export.privacy import anonymise
    from trainer.export.record import with_trainee

    loader = Loader(analyser=analyser())
    runs = [play(tmp_path, GOOD, trainee="Zoë"), play(tmp_path, BAD, trainee=""),
            play(tmp_path, COMPLIED, typed=["Wat wilt ú? <script>", "=1+1"])]
    count = 0
    for run in runs:
        rec = loader.record(run.journal.path)
        for record in (rec, with_trainee(rec, anonymise(rec.trainee or "x", "s"), True)):
            for stmt in statements(record, per_turn=True):
                BaseXapiStatement(**stmt)
                count += 1
    assert count >= 2 * (3 * 2 + 3)


def test_ralph_rejects_an_invalid_statement_and_we_say_so(ralph, tmp_path, capsys, monkeypatch):
    """A statement the LRS refuses is reported in one line per session and is not marked as sent."""
    from trainer.export import xapi

    folder = tmp_path / "one"
    play(folder, GOOD)
    real = xapi.statements

    def broken(record, per_turn=False):
        out = real(record, per_turn)
        out[0]["actor"] = {"objectType": "Agent", "name": "no identifier"}
        return out

    monkeypatch.setattr(xapi, "statements", broken)
    rc, output = _send(capsys, folder, ralph)
    assert rc == 1 and "rejected the statements as invalid (HTTP 4" in output and "Traceback" not in output, output
    assert not (folder / ".sent.json").exists()
