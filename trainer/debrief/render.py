"""Plain-text rendering of a Debrief (plain mode, piped `trainer debrief`). No colours, no rich."""

from __future__ import annotations

from trainer.debrief.model import Debrief
from trainer.i18n import CATEGORY_LABELS, LEVEL_LABELS, MI_LABELS, label, t


def highlight(text: str, start: int, end: int) -> str:
    """Mark the flagged words so they stand out without colour."""
    return f"{text[:start]}«{text[start:end]}»{text[end:]}"


def source_note(f, lang: str) -> str:
    """Which source found a flag: "woordenlijst" (a word rule, exact words) or "betekenis" (the meaning model, the
    whole line) with its score. The renderers show it for model flags only (the word list is the default source,
    and debriefs of authored choices look as before)."""
    source = getattr(f, "source", "lexicon")
    note = t("source_model" if source == "model" else "source_lexicon", lang)
    score = getattr(f, "score", None)
    return f"{note} {score:.2f}" if source == "model" and score is not None else note


def _model_note(f, lang: str) -> str:
    return f"; {source_note(f, lang)}" if getattr(f, "source", "lexicon") == "model" else ""


def bar(value: int, width: int = 20) -> str:
    filled = round(value / 100 * width)
    return "█" * filled + "·" * (width - filled)


def render_text(d: Debrief, lang: str = "nl") -> str:
    out: list[str] = []
    add = out.append
    add(f"== {t('debrief_title', lang, name=d.persona_name)} ==")
    add(f"{t('outcome', lang)}: {d.outcome_label}")
    if not d.finished:
        add(t("not_finished", lang))
    for note in d.notes:
        add(note)
    r = d.rubric
    add(f"{t('score', lang)}: {r.score}/100 — {label(LEVEL_LABELS, r.level, lang)}")
    add(f"  ({r.rule})")
    add("")
    add(f"{t('trajectory', lang)}:")
    add(f"  {t('turn', lang):>5}  {t('trust', lang):<26} {t('motivation', lang):<26} {t('phase', lang)}")
    for p in d.trajectory:
        add(f"  {p.turn:>5}  {p.trust:>3} {bar(p.trust)}   {p.motivation:>3} {bar(p.motivation)}   {p.phase}")
    add("")
    add(f"{t('flags_title', lang)} ({len(d.flags)}):")
    if not d.flags:
        add(f"  {t('no_flags', lang)}")
    for f in d.flags:
        add(f"  {t('turn', lang).capitalize()} {f.turn} — {label(CATEGORY_LABELS, f.category, lang)} "
            f"({t('severity', lang)} {f.severity}{_model_note(f, lang)}):")
        add(f"    “{highlight(f.text, f.start, f.end)}”")
        if f.example:
            add(f"    {t('model_example', lang)}: “{f.example}”")
        add(f"    {t('why_it_hurts', lang)}: {f.explanation}")
        add(f"    {t('better', lang)}: {f.suggestion}")
    add("")
    missed = [c for c in d.cues if c.status == "missed"]
    picked = [c for c in d.cues if c.status == "picked_up"]
    if not d.cues:
        add(t("no_cues", lang))
    else:
        add(f"{t('missed_cues', lang)} ({len(missed)}/{len(d.cues)}):")
        for c in missed:
            add(f"  {t('turn', lang).capitalize()} {c.offered_turn} — {c.label} ({t('miss_' + c.reason, lang)})")
            add(f"    {t('persona_said', lang, name=d.persona_name)}: “{c.persona_line}”")
            add(f"    {t('why_it_matters', lang)}: {c.why}")
            add(f"    {t('could_sound', lang)}: “{c.example_pickup}”")
        if picked:
            add(f"{t('picked_cues', lang)}: " + ", ".join(f"{c.label} ({t('turn', lang)} {c.picked_turn})" for c in picked))
    add("")
    add(f"{t('rubric', lang)}:")
    for m in r.measures:
        level = label(LEVEL_LABELS, m.level, lang) if m.level else "—"
        add(f"  {m.label:<28} {m.display:<24} {level:<12} ({m.target})")
    counts = ", ".join(f"{label(MI_LABELS, k, lang)} {v}" for k, v in r.counts.items() if v)
    add(f"  {t('counts', lang)}: {counts or '—'}")
    return "\n".join(out)
