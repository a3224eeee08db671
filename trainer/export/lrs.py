"""Sending xAPI statements to a learning record store (LRS), without duplicates and with a retry that resends
exactly what was not stored.

- POST {endpoint}/statements with the statements of one session (X-Experience-API-Version: 1.0.3, basic auth).
  200 = stored; 204 = the LRS already had all of them. 409 (some id already stored, maybe with other content):
  each statement is PUT by its id, and 204 or 409 counts as stored -- an LRS keeps the first version of a
  statement id, so "already stored" is success and never a duplicate.
- 401/403, a network error or a timeout stop the run (every following session would fail the same way);
  400/422 (statement rejected) and 5xx fail that session only.
- The send state `<sessions folder>/.sent.json` records, per LRS endpoint, each session whose statements were all
  stored (when, which statement ids, with or without per-turn statements). It is written atomically, merged with
  what is on disk (two sends at once lose nothing), after every 50 sessions and at the end. A session that failed
  is not in it, so running the same command again sends exactly those.

Standard library only (urllib), no redirects followed (a POST must not silently turn into a GET).
"""

from __future__ import annotations

import base64
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from http.client import HTTPException
from pathlib import Path

from trainer.export.xapi import XAPI_VERSION

STATE_FILE = ".sent.json"


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
    if parts.port:
        netloc += f":{parts.port}"
    path = parts.path if parts.path.endswith("/statements") else parts.path + "/statements"
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, "", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class LRSClient:
    def __init__(self, url: str, user: str, password: str, timeout: float = 20.0):
        self.endpoint = endpoint_of(url)
        token = base64.b64encode(f"{user}:{password}".encode("utf-8")).decode("ascii")
        self.headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": XAPI_VERSION,
                        "Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def request(self, method: str, url: str, body=None) -> tuple[int, str]:
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        req = urllib.request.Request(url, data=data, headers=self.headers, method=method)
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            try:
                text = exc.read().decode("utf-8", "replace")
            except Exception:  # noqa: BLE001 - the body of an error is best effort
                text = ""
            return exc.code, text
        except (socket.timeout, TimeoutError):
            raise LRSError(f"the LRS at {self.endpoint} did not answer within {self.timeout:g} s", fatal=True) from None
        except urllib.error.URLError as exc:
            reason = exc.reason.strerror if isinstance(exc.reason, OSError) and exc.reason.strerror else exc.reason
            raise LRSError(f"cannot reach the LRS at {self.endpoint}: {reason}", fatal=True) from None
        except (OSError, HTTPException) as exc:
            reason = str(exc) or type(exc).__name__
            raise LRSError(f"cannot reach the LRS at {self.endpoint}: {reason}", fatal=True) from None

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
    """The send-state file of one sessions folder."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / STATE_FILE
        self.data = self._read()
        self.pending = 0

    def _read(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("lrs"), dict):
                return data
        except (OSError, ValueError):
            pass
        return {"version": 1, "lrs": {}}

    def entry(self, endpoint: str, session_id: str) -> dict | None:
        return self.data["lrs"].get(endpoint, {}).get(session_id)

    def is_stored(self, endpoint: str, session_id: str, per_turn: bool) -> bool:
        entry = self.entry(endpoint, session_id)
        return bool(entry) and (entry.get("per_turn", False) or not per_turn)

    def mark(self, endpoint: str, session_id: str, ids: list[str], per_turn: bool) -> None:
        sessions = self.data["lrs"].setdefault(endpoint, {})
        old = sessions.get(session_id) or {}
        sessions[session_id] = {
            "stored_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "per_turn": per_turn or bool(old.get("per_turn")),
            "ids": sorted(set(old.get("ids", [])) | set(ids)),
        }
        self.pending += 1

    def save(self) -> None:
        if not self.pending:
            return
        from trainer.export.fileio import write_text_atomic

        disk = self._read()  # merge: another send may have written meanwhile
        for endpoint, sessions in disk["lrs"].items():
            mine = self.data["lrs"].setdefault(endpoint, {})
            for sid, entry in sessions.items():
                if sid not in mine:
                    mine[sid] = entry
                elif isinstance(entry, dict):
                    ours = mine[sid]
                    ours["per_turn"] = bool(ours.get("per_turn") or entry.get("per_turn"))
                    ours["ids"] = sorted(set(ours.get("ids", [])) | set(entry.get("ids", [])))
        write_text_atomic(self.path, json.dumps(self.data, ensure_ascii=False, indent=1) + "\n")
        self.pending = 0
