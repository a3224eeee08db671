"""Golden playthroughs: every plan in tests/plans runs straight, and again through a journal round trip."""

from pathlib import Path

import pytest

from trainer.engine.journal import open_session
from trainer.engine.runner import Run
from trainer.engine.session import Session
from trainer.engine.testplan import check_expect, load_plan, run_plan, run_steps
from trainer.persona.loader import load_persona
from trainer.persona.registry import resolve
from trainer.wiring import default_analyser, free_text_step

PLANS = sorted((Path(__file__).parent / "plans").glob("*.yaml"))


def _persona_path(plan):
    return resolve(plan.persona, [str(Path(__file__).parent / "fixtures" / "engine")])


@pytest.mark.skipif(not PLANS, reason="no test plans yet")
@pytest.mark.parametrize("plan_path", PLANS, ids=[p.stem for p in PLANS])
def test_plan(plan_path):
    plan = load_plan(plan_path)
    persona = load_persona(_persona_path(plan)).persona
    session = Session(persona, analyser=default_analyser(), start=plan.start, meters=plan.meters)
    result = run_plan(plan, session, free_text=free_text_step())
    assert result.passed, "\n".join(result.failures)
    assert session.ended, f"{plan_path.name} does not reach an ending"


@pytest.mark.skipif(not PLANS, reason="no test plans yet")
@pytest.mark.parametrize("plan_path", PLANS, ids=[p.stem for p in PLANS])
def test_plan_after_journal_round_trip(plan_path, tmp_path):
    """Save halfway, reload from the journal, continue: the conversation ends the same."""
    plan = load_plan(plan_path)
    straight = Session(load_persona(_persona_path(plan)).persona, analyser=default_analyser(),
                       start=plan.start, meters=plan.meters)
    run_plan(plan, straight, free_text=free_text_step())

    run = Run.start(str(_persona_path(plan)), tmp_path, default_analyser(), start=plan.start, meters=plan.meters)
    half = len(plan.steps) // 2
    journaling = free_text_step(run)
    for step in plan.steps[:half]:
        if "choose" in step:
            run.choose(step["choose"])
        elif "type" in step:
            journaling(run.session, step["type"])
    resumed = open_session(run.journal.path, default_analyser())
    failures = run_steps(resumed.session, plan, plan.steps[half:], offset=half, free_text=free_text_step())
    failures += check_expect(resumed.session, plan)
    assert not failures, "\n".join(failures)
    assert resumed.session.turns == straight.turns
    assert resumed.session.state == straight.state
