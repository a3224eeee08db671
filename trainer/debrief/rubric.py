"""MITI 4.2-inspired rubric: counts, ratios with levels, and one overall score with a documented rule.

Thresholds (MITI 4.2 where it has one, our own choice where it has none; see docs/debrief.md):
- reflection-to-question ratio: voldoende >= 1:1, goed >= 2:1 (MITI 4.2)
- % complex reflections: voldoende >= 40 %, goed >= 50 % (MITI 4.2)
- cue-response rate: voldoende >= 50 %, goed >= 75 % (ours)
- controlling language: goed = none, voldoende = at most one line with a mild flag (ours)

Controlling language is counted per trainee line: a sentence with two categories is one controlling line, and
its severity is that of its strongest flag.

Score (0-100) = 25 x cue-response rate + 25 x (1 - severity sum / 6, at least 0) + 15 x min(R:Q / 2, 1)
+ 10 x min(%CR / 50 %, 1) + 15 x outcome (own choice or postponed 1, complied 0.33, broken off 0)
+ 10 x final trust / 100. A measure that does not apply (no cue offered, no question or reflection) counts
as "voldoende" (its half weight), so a short conversation is not punished for what could not happen.
Level: goed >= 75 without a severity-3 flag, voldoende >= 55, otherwise onvoldoende. Passed = not onvoldoende.

Counts: a typed turn counts as the act its line was classified as (Turn.codes, from trainer.vocab.ACT_CODES), not
as the codes of the authored choice it happened to match; a typed line answered with the fallback counts as nothing.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

from trainer.debrief.model import CueEvent, FlagView, Measure, Rubric
from trainer.engine.session import Turn
from trainer.vocab import MI_CODES, OUTCOMES

LEVELS = ("onvoldoende", "voldoende", "goed")
OUTCOME_WEIGHT = {"own_choice": 1.0, "postponed": 1.0, "complied": 0.33, "broken_off": 0.0}

_LABELS = {
    "rq_ratio": {"nl": "Reflecties : vragen", "en": "Reflections : questions"},
    "complex_pct": {"nl": "Complexe reflecties", "en": "Complex reflections"},
    "cue_rate": {"nl": "Cues opgepakt", "en": "Cues picked up"},
    "controlling": {"nl": "Controlerend taalgebruik", "en": "Controlling language"},
    "outcome": {"nl": "Uitkomst", "en": "Outcome"},
    "trust": {"nl": "Vertrouwen aan het eind", "en": "Trust at the end"},
}
_TARGETS = {
    "rq_ratio": {"nl": "voldoende ≥ 1:1, goed ≥ 2:1", "en": "fair ≥ 1:1, good ≥ 2:1"},
    "complex_pct": {"nl": "voldoende ≥ 40 %, goed ≥ 50 %", "en": "fair ≥ 40 %, good ≥ 50 %"},
    "cue_rate": {"nl": "voldoende ≥ 50 %, goed ≥ 75 %", "en": "fair ≥ 50 %, good ≥ 75 %"},
    "controlling": {"nl": "goed: geen, voldoende: hooguit één milde zin", "en": "good: none, fair: at most one mild line"},
    "outcome": {"nl": "goed: eigen keuze of uitstel met respect", "en": "good: own choice or respectful postponement"},
    "trust": {"nl": "voldoende ≥ 40, goed ≥ 60", "en": "fair ≥ 40, good ≥ 60"},
}
RULE = {
    "nl": "Score = 25 × cues opgepakt + 25 × (1 − ernst controlerend taalgebruik / 6) + 15 × reflecties:vragen "
          "(2:1 = vol) + 10 × complexe reflecties (50 % = vol) + 15 × uitkomst + 10 × vertrouwen/100. "
          "Goed ≥ 75 (zonder zware vlag), voldoende ≥ 55.",
    "en": "Score = 25 × cues picked up + 25 × (1 − controlling severity / 6) + 15 × reflections:questions "
          "(2:1 = full) + 10 × complex reflections (50 % = full) + 15 × outcome + 10 × trust/100. "
          "Good ≥ 75 (without a severe flag), fair ≥ 55.",
}


def _level(value, fair, good) -> str | None:
    if value is None:
        return None
    return "goed" if value >= good else "voldoende" if value >= fair else "onvoldoende"


class Figures(NamedTuple):
    """The numbers of a rubric without its measures in words (what a cohort summary keeps)."""

    counts: dict
    rq: float | None
    cr: float | None
    cue_rate: float | None
    judged: int
    picked: int
    controlling_count: int
    controlling_severity: int
    controlling_level: str
    outcome_level: str | None
    score: int
    level: str
    passed: bool


def rubric_figures(turns: Sequence[Turn], flags: Sequence[FlagView], cues: Sequence[CueEvent], outcome: str | None,
                   final_trust: int) -> Figures:
    counts = dict.fromkeys(MI_CODES, 0)
    for turn in turns:
        if turn.typed is not None and turn.choice_id is None and turn.reaction is None:
            continue  # a typed line that was not understood (the fallback) counts as no act at all, also in old journals
        for code in turn.codes:
            counts[code] = counts.get(code, 0) + 1
    questions = counts["question"]
    reflections = counts["simple_reflection"] + counts["complex_reflection"]
    rq = None if questions == 0 and reflections == 0 else (float("inf") if questions == 0 else reflections / questions)
    cr = None if reflections == 0 else counts["complex_reflection"] / reflections
    judged = len(cues)
    picked = sum(c.status == "picked_up" for c in cues)
    cue_rate = None if not judged else picked / judged
    per_line: dict[int, int] = {}  # turn -> strongest flag of that line
    for f in flags:
        per_line[f.turn] = max(per_line.get(f.turn, 0), f.severity)
    lines = len(per_line)
    severity = sum(per_line.values())
    strongest = max(per_line.values(), default=0)
    controlling_level = "goed" if not lines else "voldoende" if lines == 1 and strongest == 1 else "onvoldoende"
    outcome_level = None if outcome is None else (
        "goed" if OUTCOME_WEIGHT.get(outcome, 0) >= 1 else "voldoende" if OUTCOME_WEIGHT.get(outcome, 0) > 0 else "onvoldoende")

    def frac(value, full) -> float:
        return 0.5 if value is None else min(value / full, 1.0)

    score = (25 * (0.5 if cue_rate is None else cue_rate)
             + 25 * max(0.0, 1 - severity / 6)
             + 15 * frac(rq, 2.0)
             + 10 * frac(cr, 0.5)
             + 15 * (OUTCOME_WEIGHT.get(outcome, 0.0) if outcome else 0.0)
             + 10 * final_trust / 100)
    score = round(max(0.0, min(100.0, score)))
    level = "goed" if score >= 75 and strongest < 3 else "voldoende" if score >= 55 else "onvoldoende"
    return Figures(counts, rq, cr, cue_rate, judged, picked, lines, severity, controlling_level,
                   outcome_level, score, level, level != "onvoldoende")


def score_rubric(turns: Sequence[Turn], flags: Sequence[FlagView], cues: Sequence[CueEvent], outcome: str | None,
                 final_trust: int, lang: str = "nl") -> Rubric:
    lang = lang if lang in ("nl", "en") else "nl"
    fig = rubric_figures(turns, flags, cues, outcome, final_trust)
    rq, cr, cue_rate, lines, severity = fig.rq, fig.cr, fig.cue_rate, fig.controlling_count, fig.controlling_severity

    def display_rq() -> str:
        if rq is None:
            return "—"
        text = "∞ : 1" if rq == float("inf") else f"{rq:.1f} : 1"
        return text.replace(".", ",") if lang == "nl" else text  # Dutch decimal comma: "0,7 : 1"

    measures = (
        Measure("rq_ratio", _LABELS["rq_ratio"][lang], None if rq in (None, float("inf")) else round(rq, 2),
                display_rq(), _level(rq, 1.0, 2.0), _TARGETS["rq_ratio"][lang]),
        Measure("complex_pct", _LABELS["complex_pct"][lang], None if cr is None else round(cr * 100),
                "—" if cr is None else f"{cr * 100:.0f} %", _level(cr, 0.4, 0.5), _TARGETS["complex_pct"][lang]),
        Measure("cue_rate", _LABELS["cue_rate"][lang], None if cue_rate is None else round(cue_rate * 100),
                "—" if cue_rate is None else f"{fig.picked}/{fig.judged} ({cue_rate * 100:.0f} %)",
                _level(cue_rate, 0.5, 0.75), _TARGETS["cue_rate"][lang]),
        Measure("controlling", _LABELS["controlling"][lang], lines,
                (f"{lines} {'zin' if lines == 1 else 'zinnen'} (ernst {severity})" if lang == "nl"
                 else f"{lines} {'line' if lines == 1 else 'lines'} (severity {severity})"), fig.controlling_level,
                _TARGETS["controlling"][lang]),
        Measure("outcome", _LABELS["outcome"][lang], outcome, OUTCOMES.get(outcome, {}).get(lang, outcome or "—"),
                fig.outcome_level, _TARGETS["outcome"][lang]),
        Measure("trust", _LABELS["trust"][lang], final_trust, str(final_trust), _level(final_trust, 40, 60),
                _TARGETS["trust"][lang]),
    )
    return Rubric(counts=fig.counts, measures=measures, controlling_count=lines, controlling_severity=severity,
                  score=fig.score, level=fig.level, passed=fig.passed, rule=RULE[lang])
