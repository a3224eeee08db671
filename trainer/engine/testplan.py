"""Golden playthroughs ("test plans"): scripted steps with expectations, for trainers and for the test suite.

A plan is a small YAML file (see docs/format.md): `persona`, optional `start`/`meters`, `steps` (say, node,
choose, type, phase, trust, motivation) and `expect` (outcome, ending, phases, trust, motivation). Running a plan
returns the list of failed expectations, each a readable sentence; an empty list means it passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from trainer.engine.session import Session, SessionError

_CMP = re.compile(r"^\s*(<=|>=|==|!=|<|>)?\s*(-?\d+)\s*$")


@dataclass
class Plan:
    path: str
    persona: str
    title: str
    steps: list[dict]
    expect: dict
    start: str | None = None
    meters: dict | None = None


@dataclass
class PlanResult:
    plan: Plan
    failures: list[str] = field(default_factory=list)
    session: Session | None = None

    @property
    def passed(self) -> bool:
        return not self.failures


class PlanError(Exception):
    pass


def load_plan(path: str | Path) -> Plan:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PlanError(f"{path}: cannot read test plan: {exc}") from None
    if not isinstance(data, dict) or "persona" not in data or not isinstance(data.get("steps", []), list):
        raise PlanError(f"{path}: a test plan needs 'persona' and a list of 'steps'")
    return Plan(str(path), str(data["persona"]), str(data.get("title", Path(path).stem)), data.get("steps") or [],
                data.get("expect") or {}, data.get("start"), data.get("meters"))


def compare(actual: int, spec) -> bool:
    if isinstance(spec, bool):
        return False
    if isinstance(spec, int):
        return actual == spec
    m = _CMP.match(str(spec))
    if not m:
        raise PlanError(f"cannot read meter expectation {spec!r} (use 40 or '>= 40')")
    op, value = m.group(1) or "==", int(m.group(2))
    return {"<": actual < value, "<=": actual <= value, ">": actual > value, ">=": actual >= value,
            "==": actual == value, "!=": actual != value}[op]


def _check(session: Session, key: str, spec, where: str) -> str | None:
    s = session.state
    if key in ("trust", "motivation"):
        actual = getattr(s, key)
        return None if compare(actual, spec) else f"{where}: {key} is {actual}, expected {spec}"
    if key == "phase":
        return None if s.phase == spec else f"{where}: phase is {s.phase}, expected {spec}"
    if key == "node":
        return None if s.node == spec else f"{where}: at node {s.node}, expected {spec}"
    if key == "say":
        line = session.current_line()
        return None if str(spec) in line else f"{where}: persona line {line!r} does not contain {spec!r}"
    if key == "outcome":
        return None if session.outcome == spec else f"{where}: outcome is {session.outcome}, expected {spec}"
    if key == "ending":
        return None if s.ending == spec else f"{where}: ending is {s.ending}, expected {spec}"
    if key == "phases":
        path = session.phase_path()
        return None if path == list(spec) else f"{where}: phase path is {path}, expected {list(spec)}"
    if key == "ended":
        return None if session.ended == bool(spec) else f"{where}: ended is {session.ended}, expected {spec}"
    raise PlanError(f"unknown expectation '{key}'")


def run_steps(session: Session, plan: Plan, steps: list[dict], offset: int = 0, free_text=None) -> list[str]:
    failures: list[str] = []
    for n, step in enumerate(steps, offset + 1):
        if not isinstance(step, dict) or len(step) != 1:
            raise PlanError(f"{plan.path}: step {n} must be one 'key: value'")
        (key, value), = step.items()
        where = f"step {n} ({key}: {value})"
        if key == "choose":
            try:
                session.choose(value)
            except SessionError as exc:
                failures.append(f"{where}: {exc}; open: {[o.id for o in session.open_choices()]}")
                break
        elif key == "type":
            if free_text is None:
                raise PlanError(f"{plan.path}: free-text steps need the matcher")
            free_text(session, str(value))
        else:
            problem = _check(session, key, value, where)
            if problem:
                failures.append(problem)
    return failures


def run_plan(plan: Plan, session: Session, free_text=None) -> PlanResult:
    result = PlanResult(plan, session=session)
    result.failures = run_steps(session, plan, plan.steps, free_text=free_text)
    result.failures += check_expect(session, plan)
    return result


def check_expect(session: Session, plan: Plan) -> list[str]:
    failures = []
    for key, spec in plan.expect.items():
        problem = _check(session, key, spec, "at the end")
        if problem:
            failures.append(problem)
    return failures
