"""The debrief in a terminal, with rich: the same content as render_text, laid out in tables."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from trainer.debrief.model import Debrief, first_per_category
from trainer.debrief.render import bar, source_note
from trainer.i18n import CATEGORY_LABELS, LEVEL_LABELS, MI_LABELS, label, t


def _safe(value):
    """Every text of the debrief (typed words, persona and lexicon text) without control characters or rich
    markup, so a stored `[link=…]` or escape sequence prints as the characters it is."""
    import dataclasses

    from trainer.safe_text import printable

    if isinstance(value, str):
        return escape(printable(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _safe(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, (list, tuple)):
        return type(value)(_safe(v) for v in value)
    if isinstance(value, dict):
        return {k: _safe(v) for k, v in value.items()}
    return value


def print_debrief(d: Debrief, lang: str = "nl", console: Console | None = None) -> None:
    c = console or Console()
    d = _safe(d)
    r = d.rubric
    c.rule(t("debrief_title", lang, name=d.persona_name))
    c.print(f"[bold]{t('outcome', lang)}:[/] {d.outcome_label}")
    for note in d.notes:
        c.print(note)
    if d.finished:
        c.print(f"[bold]{t('score', lang)}:[/] {r.score}/100 — [bold]{label(LEVEL_LABELS, r.level, lang)}[/]")
    else:  # an unfinished attempt has no verdict
        c.print(f"[bold]{t('score', lang)}:[/] {t('no_verdict', lang)}")

    traj = Table(title=t("trajectory", lang), title_justify="left")
    for col in (t("turn", lang), t("trust", lang), t("motivation", lang), t("phase", lang)):
        traj.add_column(col)
    for p in d.trajectory:
        traj.add_row(str(p.turn), f"{p.trust:>3} {bar(p.trust, 12)}", f"{p.motivation:>3} {bar(p.motivation, 12)}", p.phase)
    c.print(traj)

    lines = d.flagged_lines()
    c.print(f"\n[bold]{t('flags_title', lang)} ({len(lines)})[/]")
    if not lines:
        c.print(t("no_flags", lang))
    for turn, line, flags in lines:
        words = Text.from_markup(line)  # _safe escaped it: this gives the plain words back
        for f in flags:
            words.stylize("bold reverse", f.start, f.end)
        cats = ", ".join(dict.fromkeys(label(CATEGORY_LABELS, f.category, lang) for f in flags))
        c.print(f"{t('turn', lang).capitalize()} {turn} — {cats} ({t('severity', lang)} {max(f.severity for f in flags)})")
        c.print(Text("  “").append(words).append("”"))
        for f in first_per_category(flags):
            prefix = f"{label(CATEGORY_LABELS, f.category, lang)} — " if len(flags) > 1 else ""
            if f.source == "model":
                c.print(f"  {prefix}[dim]{source_note(f, lang)}[/]")
                if f.example:  # escaped by _safe like the explanation
                    c.print(f"  [dim]{t('model_example', lang)}: “{f.example}”[/]")
            c.print(f"  {prefix}[italic]{t('why_it_hurts', lang)}:[/] {f.explanation}")  # escaped by _safe
            c.print(f"  {prefix}[italic]{t('better', lang)}:[/] {f.suggestion}")

    missed = [x for x in d.cues if x.status == "missed"]
    c.print(f"\n[bold]{t('missed_cues', lang)} ({len(missed)}/{len(d.cues)})[/]")
    for x in missed:
        c.print(f"{t('turn', lang).capitalize()} {x.offered_turn} — {x.label} ({t('miss_' + x.reason, lang)})")
        c.print(f"  {t('persona_said', lang, name=d.persona_name)}: “{x.persona_line}”")
        c.print(f"  [italic]{t('why_it_matters', lang)}:[/] {x.why}")
        c.print(f"  [italic]{t('could_sound', lang)}:[/] “{x.example_pickup}”")

    rub = Table(title=t("rubric", lang), title_justify="left")
    for col in ("", "", "", ""):
        rub.add_column(col)
    for m in r.measures:
        rub.add_row(m.label, m.display, label(LEVEL_LABELS, m.level, lang) if m.level else "—", m.target)
    c.print(rub)
    counts = ", ".join(f"{label(MI_LABELS, k, lang)} {v}" for k, v in r.counts.items() if v)
    c.print(f"{t('counts', lang)}: {counts or '—'}")
