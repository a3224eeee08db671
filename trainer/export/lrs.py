"""Sending xAPI statements to a learning record store (LRS), without duplicates and with a retry that resends
exactly what was not stored.

- POST {endpoint}/statements with the statements of one session (X-Experience-API-Version: 1.0.3, basic auth).
  200 = stored; 204 = the LRS already had all of them. 409 (some id already stored, maybe with other content):
  each statement is PUT by its id; 204 = stored. A 409 to the PUT as well is only believed after reading the
  statement back (GET ?statementId=): the LRS then kept an earlier version, which is success and never a
  duplicate; if it cannot be read back, the session is not stored and is not marked as sent.
- Every request has a total deadline (`timeout`, a watchdog closes the connection: a server that drips one byte a
  second cannot stall a send) and a response size cap (an endless body is never read into memory).
- 401/403, a network error or a timeout stop the run (every following session would fail the same way);
  400/422 (statement rejected) and 5xx fail that session only.
- The send state `<sessions folder>/.sent.json` records, per LRS endpoint, each session whose statements were all
  stored (when, which statement ids, with or without per-turn statements) and each session voided there. A send
  holds an exclusive lock on `.sent.json.lock` for its whole run, so two sends at once neither double-send nor
  corrupt the file (the second waits, then skips what the first stored). The file is written atomically, merged
  with what is on disk, after every 50 sessions and at the end. A session that failed is not in it, so running
  the same command again sends exactly those.

Standard library only (http.client), no redirects followed (a POST must not silently turn into a GET).
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path

from trainer.export.xapi import XAPI_VERSION

STATE_FILE = ".sent.json"
LOCK_FILE = ".sent.json.lock"
MAX_RESPONSE = 8 * 1024 * 1024  # bytes; an LRS answer to our requests is small (ids, one statement, errors)


class LRSError(Exception):
    def __init__(self, message: str, fatal: bool = False):
        super().__init__(message)
        self.fatal = fatal


def endpoint_of(url: str) -> str:
    """The statements resource: the URL itself when it ends in /statements, else URL + /statements."""
    url = url.strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LRSError(f"not an http(s) URL: {url!r} (e.g. https://lrs.example.org/xAPI)", fatal=True)
    netloc = parts.hostname or ""
    if ":" in netloc:
        netloc = f"[{netloc}]"
    try:
        port = parts.port
    except ValueError:
        raise LRSError(f"not a valid port in {url!r}", fatal=True) from None
    if port:
        netloc += f":{port}"
    path = parts.path if parts.path.endswith("/statements") else parts.path + "/statements"
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, "", ""))


class _Deadline:
    """Closes a connection's socket when the request's total time is up (unblocks any read or write)."""

    def __init__(self, conn: http.client.HTTPConnection, seconds: float):
        self.conn = conn
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = self.conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()


class LRSClient:
    def __init__(self, url: str, user: str, password: str, timeout: float = 20.0, max_response: int | None = None):
        self.endpoint = endpoint_of(url)
        token = base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": XAPI_VERSION,
                        "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        self.timeout = timeout
        self.max_response = MAX_RESPONSE if max_response is None else max_response
        parts = urllib.parse.urlsplit(self.endpoint)
        self._scheme, self._host, self._port = parts.scheme, parts.hostname, parts.port

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._scheme == "https":
            return http.client.HTTPSConnection(self._host, self._port, timeout=timeout,
                                               context=ssl.create_default_context())
        return http.client.HTTPConnection(self._host, self._port, timeout=timeout)

    def request(self, method: str, url: str, body=None) -> tuple[int, str]:
        """One request with a total deadline of `timeout` seconds and a capped response body."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn = self._connection(self.timeout)
        watchdog = _Deadline(conn, self.timeout)
        started = time.monotonic()
        try:
            with watchdog:
                conn.request(method, target, body=data, headers=self.headers)
                resp = conn.getresponse()
                chunks, size = [], 0
                while True:
                    chunk = resp.read(65536)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > self.max_response:
                        raise LRSError(f"the LRS at {self.endpoint} sent an answer larger than "
                                       f"{self.max_response / (1024 * 1024):g} MB; stopped reading it", fatal=True)
                    chunks.append(chunk)
                return resp.status, b"".join(chunks).decode("utf-8", "replace")
        except LRSError:
            raise
        except (socket.timeout, TimeoutError):
            raise self._late() from None
        except (OSError, http.client.HTTPException) as exc:
            if watchdog.expired or time.monotonic() - started >= self.timeout:
                raise self._late() from None
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else (str(exc) or type(exc).__name__)
            raise LRSError(f"cannot reach the LRS at {self.endpoint}: {reason}", fatal=True) from None
        finally:
            conn.close()

    def _late(self) -> LRSError:
        return LRSError(f"the LRS at {self.endpoint} did not answer within {self.timeout:g} s", fatal=True)

    def get(self, **params) -> tuple[int, str]:
        return self.request("GET", self.endpoint + "?" + urllib.parse.urlencode(params))

    def _fail(self, status: int, text: str, what: str) -> LRSError:
        detail = _detail(text)
        if status in (401, 403):
            return LRSError(f"the LRS refused the credentials (HTTP {status}); check --user and --password",
                            fatal=True)
        if status in (400, 422):
            return LRSError(f"the LRS rejected {what} as invalid (HTTP {status}){': ' + detail if detail else ''}")
        if 300 <= status < 400:
            return LRSError(f"the LRS answered with a redirect (HTTP {status}); give its final URL with --lrs",
                            fatal=True)
        if status == 404:
            return LRSError(f"no xAPI statements resource at {self.endpoint} (HTTP 404); check the --lrs URL",
                            fatal=True)
        return LRSError(f"the LRS failed on {what} (HTTP {status}){': ' + detail if detail else ''}")

    def holds(self, statement_id: str, include_voided: bool = True) -> bool:
        """Whether the LRS returns a statement with this id (voided ones count too unless include_voided=False)."""
        for param in ("statementId", "voidedStatementId") if include_voided else ("statementId",):
            status, text = self.get(**{param: statement_id})
            if status != 200:
                continue
            try:
                data = json.loads(text)
            except ValueError:
                continue
            if isinstance(data, dict) and isinstance(data.get("statements"), list):  # some LRSs wrap it
                data = data["statements"][0] if data["statements"] else None
            if isinstance(data, dict) and data.get("id") == statement_id:
                return True
        return False

    def store(self, statements: list[dict]) -> str:
        """Store statements; returns "stored", "already" or "kept" (some ids were there with other content)."""
        status, text = self.request("POST", self.endpoint, statements)
        if status == 200:
            return "stored"
        if status == 204:
            return "already"
        if status != 409:
            raise self._fail(status, text, "the statements")
        kept = False
        for stmt in statements:
            url = self.endpoint + "?" + urllib.parse.urlencode({"statementId": stmt["id"]})
            status, text = self.request("PUT", url, stmt)
            if status == 409:
                if not self.holds(stmt["id"]):
                    detail = _detail(text)
                    raise LRSError(f"the LRS answered 409 (conflict) to statement {stmt['id']} but does not "
                                   f"return it when asked{': ' + detail if detail else ''}; not marked as sent")
                kept = True
            elif status not in (200, 204):
                raise self._fail(status, text, f"statement {stmt['id']}")
        return "kept" if kept else "stored"


def _detail(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    detail = data.get("detail", data) if isinstance(data, dict) else data
    if isinstance(detail, list):  # pydantic-style error list
        msgs = []
        for item in detail[:3]:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", ()))
                msgs.append(f"{loc}: {item.get('msg', '')}".strip(": "))
            else:
                msgs.append(str(item))
        detail = "; ".join(msgs)
    return " ".join(str(detail).split())[:300]


class SendState:
    """The send-state file of one sessions folder. `lock()` makes a run its only writer until `unlock()`."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / STATE_FILE
        self.data = self._read()
        self.pending = 0
        self._lock = None

    def lock(self, on_wait=None) -> None:
        """Take the folder's send lock (waits while another send holds it), then re-read the state it left."""
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock, the merge on save still loses nothing
            return
        fh = open(self.path.with_name(LOCK_FILE), "a+b")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait:
                on_wait()
            fcntl.flock(fh, fcntl.LOCK_EX)
        except OSError:
            fh.close()
            raise
        self._lock = fh
        self.data = self._read()

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing releases the flock
            self._lock = None

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("lrs"), dict):
                return data
        except (OSError, ValueError):
            pass
        return {"version": 1, "lrs": {}}

    def entry(self, endpoint: str, session_id: str) -> dict | None:
        entry = self.data["lrs"].get(endpoint, {}).get(session_id)
        return entry if isinstance(entry, dict) else None

    def is_stored(self, endpoint: str, session_id: str, per_turn: bool) -> bool:
        entry = self.entry(endpoint, session_id)
        return (bool(entry) and "stored_at" in entry and not entry.get("voided_at")
                and (entry.get("per_turn", False) or not per_turn))

    def voided_at(self, endpoint: str, session_id: str) -> str | None:
        entry = self.entry(endpoint, session_id)
        return entry.get("voided_at") if entry else None

    def mark(self, endpoint: str, session_id: str, ids: list[str], per_turn: bool) -> None:
        sessions = self.data["lrs"].setdefault(endpoint, {})
        old = sessions.get(session_id) or {}
        sessions[session_id] = {
            "stored_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "per_turn": per_turn or bool(old.get("per_turn")),
            "ids": sorted(set(old.get("ids", [])) | set(ids)),
        }
        self.pending += 1

    def mark_abandoned(self, endpoint: str, session_id: str, ids: list[str], turns: int) -> None:
        """An unfinished session sent as abandoned after `turns` turns (sent again only when it has more)."""
        sessions = self.data["lrs"].setdefault(endpoint, {})
        old = sessions.get(session_id) or {}
        sessions[session_id] = dict(old, abandoned_turns=turns, ids=sorted(set(old.get("ids", [])) | set(ids)))
        self.pending += 1

    def mark_voided(self, endpoint: str, session_id: str, ids: list[str]) -> None:
        sessions = self.data["lrs"].setdefault(endpoint, {})
        old = sessions.get(session_id) or {}
        sessions[session_id] = dict(old, voided_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                    ids=sorted(set(old.get("ids", [])) | set(ids)))
        self.pending += 1

    def save(self) -> None:
        if not self.pending:
            return
        from trainer.export.fileio import write_text_atomic

        disk = self._read()  # merge: another send may have written meanwhile
        for endpoint, sessions in disk["lrs"].items():
            if not isinstance(sessions, dict):
                continue
            mine = self.data["lrs"].setdefault(endpoint, {})
            for sid, entry in sessions.items():
                if not isinstance(entry, dict):
                    continue
                if sid not in mine:
                    mine[sid] = entry
                else:
                    ours = mine[sid]
                    ours["per_turn"] = bool(ours.get("per_turn") or entry.get("per_turn"))
                    ours["ids"] = sorted(set(ours.get("ids", [])) | set(entry.get("ids", [])))
                    if entry.get("voided_at") and not ours.get("voided_at"):
                        ours["voided_at"] = entry["voided_at"]
        write_text_atomic(self.path, json.dumps(self.data, ensure_ascii=False, indent=1) + "\n")
        self.pending = 0
