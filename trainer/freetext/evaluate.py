"""Measure the matcher on the evaluation sets in tests/data/freetext_eval (used by scripts/bench_freetext.py, the
tests and `trainer match --eval`).

An evaluation file:

    persona: henk
    meters: {trust: 50, motivation: 50}     # state the choice conditions are evaluated in (optional)
    lines:
      - {node: opening, expect: opening.2, typed: "je voelt je een nummer"}
      - {node: opening, expect: fallback, typed: "mooi weer vandaag"}

Figures:
- top1: of the lines that expect a choice, the share where the matcher does not fall back and ranks the expected
  choice first (a tie counts only when the expected choice is ranked first; the trainee is asked, but the
  ranking must still be right).
- played_right: the share of those lines where the trainee ends up with the expected choice without retyping:
  a match to it, or a tie that offers it.
- fallback_precision: of the lines the matcher sends to the fallback, the share that expected the fallback.
- fallback_recall: of the lines that expect the fallback, the share that got it.
- tie_rate: share of all lines answered with "which did you mean".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from trainer.engine.session import Session
from trainer.freetext.matcher import DEFAULT, Settings, decide, index_for
from trainer.persona.model import Persona

EVAL_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "freetext_eval"


@dataclass
class Outcome:
    node: str
    typed: str
    expect: str
    kind: str
    best: str | None
    score: float
    candidates: tuple[str, ...]

    @property
    def top1(self) -> bool:
        return self.expect != "fallback" and self.kind != "fallback" and self.best == self.expect

    @property
    def played_right(self) -> bool:
        if self.expect == "fallback":
            return self.kind == "fallback"
        return (self.kind == "match" and self.best == self.expect) or (self.kind == "tie" and self.expect in self.candidates)


@dataclass
class Report:
    persona: str
    outcomes: list[Outcome] = field(default_factory=list)

    def figures(self) -> dict:
        return figures(self.outcomes)


def figures(outcomes: list[Outcome]) -> dict:
    choice = [o for o in outcomes if o.expect != "fallback"]
    expect_fb = [o for o in outcomes if o.expect == "fallback"]
    got_fb = [o for o in outcomes if o.kind == "fallback"]
    return {
        "lines": len(outcomes),
        "choice_lines": len(choice),
        "fallback_lines": len(expect_fb),
        "top1": sum(o.top1 for o in choice) / len(choice) if choice else 1.0,
        "played_right": sum(o.played_right for o in choice) / len(choice) if choice else 1.0,
        "fallback_precision": sum(o.expect == "fallback" for o in got_fb) / len(got_fb) if got_fb else 1.0,
        "fallback_recall": sum(o.kind == "fallback" for o in expect_fb) / len(expect_fb) if expect_fb else 1.0,
        "tie_rate": sum(o.kind == "tie" for o in outcomes) / len(outcomes) if outcomes else 0.0,
    }


def load_eval(path: str | Path) -> dict:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or "persona" not in data or not isinstance(data.get("lines"), list):
        raise ValueError(f"{path}: an evaluation file needs 'persona' and a list of 'lines'")
    return data


def evaluate(persona: Persona, data: dict, settings: Settings = DEFAULT) -> Report:
    idx = index_for(persona, settings)
    report = Report(persona.id)
    default_meters = data.get("meters") or None
    for line in data["lines"]:
        session = Session(persona, start=line["node"], meters=line.get("meters", default_meters))
        r = decide(idx, line["node"], str(line["typed"]), session.open_choices(), settings)
        report.outcomes.append(Outcome(line["node"], str(line["typed"]), str(line["expect"]), r.kind,
                                       r.best.id if r.best else None, r.score, tuple(c.id for c in r.candidates)))
    return report


def eval_files(folder: str | Path = EVAL_DIR) -> list[Path]:
    return sorted(Path(folder).glob("*.yaml"))
