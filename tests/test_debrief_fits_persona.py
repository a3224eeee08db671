"""A debrief speaks about this persona and this conversation only: no other persona's story, no invented facts.

Each persona is played through its golden plans; the debrief (explanations, rephrasings, cues, notes), in Dutch and
English, must not name another persona, and every name it uses must come from this persona's own file or from the
product's fixed vocabulary (study and rubric names).
"""

import re
from pathlib import Path

import pytest

from trainer.debrief.build import build_debrief
from trainer.debrief.render import render_text
from trainer.engine.session import Session
from trainer.engine.testplan import load_plan, run_plan
from trainer.persona.loader import load_persona
from trainer.persona.registry import resolve
from trainer.wiring import default_analyser, free_text_step

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT.parent / "shared" / "study"
PERSONAS = ("henk", "trees", "ingrid", "chien")
PLANS = sorted(p for p in (ROOT / "tests" / "plans").glob("*.yaml") if p.stem.split("_")[0] in PERSONAS)
# Names the product itself uses in every debrief: the study, its authors, the rubric.
PRODUCT_NAMES = {"Kampen", "Spanning", "Eerherstel", "Verplicht", "Rondetafel", "TSV", "MITI", "Participatiewet",
                 "Actief", "Wat", "Liever", "Scepsis", "Geen", "Welke", "Klantmanagers", "Verplichten", "Dutch", "English"}


def _debrief_texts(plan_path, lang):
    plan = load_plan(plan_path)
    path = resolve(plan.persona, [])
    persona = load_persona(path).persona
    session = Session(persona, analyser=default_analyser(), start=plan.start, meters=plan.meters)
    run_plan(plan, session, free_text=free_text_step())
    debrief = build_debrief(session, lang)
    return persona, path, debrief, render_text(debrief, lang)


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("plan_path", PLANS, ids=[p.stem for p in PLANS])
def test_debrief_names_no_other_persona_and_no_fact_the_persona_does_not_hold(plan_path, lang):
    if not list(STUDY.glob("0*.txt")):
        pytest.skip("study sources not available next to the repository")
    persona, path, debrief, text = _debrief_texts(plan_path, lang)
    others = {p.capitalize() for p in PERSONAS} - {persona.id.capitalize()}
    said = {w for w in re.findall(r"\b[A-Z][a-zà-ÿ]+\b", text)}
    assert not (said & others), f"{plan_path.stem} ({lang}) debrief names {sorted(said & others)}"
    own = Path(path).read_text(encoding="utf-8")
    study = " ".join(f.read_text(encoding="utf-8") for f in STUDY.glob("0*.txt"))
    # Names in the explanations and suggestions (the parts not taken from this persona's lines):
    generic = " ".join(f"{f.explanation} {f.suggestion}" for f in debrief.flags)
    generic += " " + " ".join(debrief.notes)
    for name in set(re.findall(r"(?<=[a-zà-ÿ,;] )[A-Z][a-zà-ÿ]+", generic)):
        assert name in own or name in study or name in PRODUCT_NAMES, \
            f"{plan_path.stem} ({lang}): '{name}' in an explanation is neither in {persona.id}'s file nor the study"
