import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PERSONAS = ROOT / "personas"


@pytest.fixture
def mini_path() -> Path:
    return FIXTURES / "engine" / "mini.yaml"


@pytest.fixture
def mini(mini_path):
    from trainer.persona.loader import load_persona

    return load_persona(mini_path).persona


@pytest.fixture
def sessions(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "sessions"
    monkeypatch.setenv("GESPREKSTRAINER_SESSIONS", str(folder))
    return folder


def trainer_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "trainer", *args]


def subprocess_env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env
