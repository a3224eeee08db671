"""Plain-text rendering of a Debrief (plain mode, piped `trainer debrief`). No colours, no rich."""

from __future__ import annotations

from trainer.debrief.model import Debrief, first_per_category
from trainer.i18n import CATEGORY_LABELS, LEVEL_LABELS, MI_LABELS, label, t


def highlight(text: str, start: int, end: int) -> str:
    """Mark the flagged words so they stand out without colour."""
    return highlight_spans(text, [(start, end)])


def highlight_spans(text: str, spans) -> str:
    """Mark every flagged span of a line (overlapping spans merged) with «…»."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out += [text[pos:s], "«", text[s:e], "»"]
        pos = e
    out.append(text[pos:])
    return "".join(out)


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
    if d.finished:
        add(f"{t('score', lang)}: {r.score}/100 — {label(LEVEL_LABELS, r.level, lang)}")
    else:  # an unfinished attempt has no verdict (the exports say the same)
        add(f"{t('score', lang)}: {t('no_verdict', lang)}")
    add("")
    add(f"{t('trajectory', lang)}:")
    add(f"  {t('turn', lang):>5}  {t('trust', lang):<26} {t('motivation', lang):<26} {t('phase', lang)}")
    for p in d.trajectory:
        add(f"  {p.turn:>5}  {p.trust:>3} {bar(p.trust)}   {p.motivation:>3} {bar(p.motivation)}   {p.phase}")
    add("")
    lines = d.flagged_lines()
    add(f"{t('flags_title', lang)} ({len(lines)}):")
    if not lines:
        add(f"  {t('no_flags', lang)}")
    for turn, text, flags in lines:
        cats = ", ".join(dict.fromkeys(label(CATEGORY_LABELS, f.category, lang) for f in flags))
        add(f"  {t('turn', lang).capitalize()} {turn} — {cats} ({t('severity', lang)} {max(f.severity for f in flags)}):")
        add(f"    “{highlight_spans(text, [(f.start, f.end) for f in flags])}”")
        for f in first_per_category(flags):
            prefix = f"{label(CATEGORY_LABELS, f.category, lang)} — " if len(flags) > 1 else ""
            if f.source == "model":
                add(f"    {prefix}{source_note(f, lang)}"
                    + (f"; {t('model_example', lang)}: “{f.example}”" if f.example else ""))
            add(f"    {prefix}{t('why_it_hurts', lang)}: {f.explanation}")
            add(f"    {prefix}{t('better', lang)}: {f.suggestion}")
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
    # columns as wide as their longest entry, two spaces apart: a long value ("Nog niet — later verder, met
    # respect") never runs into the next column
    levels = [label(LEVEL_LABELS, m.level, lang) if m.level else "—" for m in r.measures]
    w_label = max((len(m.label) for m in r.measures), default=0)
    w_value = max((len(m.display) for m in r.measures), default=0)
    w_level = max((len(x) for x in levels), default=0)
    for m, level in zip(r.measures, levels):
        add(f"  {m.label:<{w_label}}  {m.display:<{w_value}}  {level:<{w_level}}  ({m.target})")
    counts = ", ".join(f"{label(MI_LABELS, k, lang)} {v}" for k, v in r.counts.items() if v)
    add(f"  {t('counts', lang)}: {counts or '—'}")
    return "\n".join(out)
