"""The debrief in a terminal, with rich: the same content as render_text, laid out in tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from trainer.debrief.model import Debrief
from trainer.debrief.render import bar, source_note
from trainer.i18n import CATEGORY_LABELS, LEVEL_LABELS, MI_LABELS, label, t


def print_debrief(d: Debrief, lang: str = "nl", console: Console | None = None) -> None:
    c = console or Console()
    r = d.rubric
    c.rule(t("debrief_title", lang, name=d.persona_name))
    c.print(f"[bold]{t('outcome', lang)}:[/] {d.outcome_label}")
    for note in d.notes:
        c.print(note)
    c.print(f"[bold]{t('score', lang)}:[/] {r.score}/100 — [bold]{label(LEVEL_LABELS, r.level, lang)}[/]")
    c.print(Text(r.rule, style="dim"))

    traj = Table(title=t("trajectory", lang), title_justify="left")
    for col in (t("turn", lang), t("trust", lang), t("motivation", lang), t("phase", lang)):
        traj.add_column(col)
    for p in d.trajectory:
        traj.add_row(str(p.turn), f"{p.trust:>3} {bar(p.trust, 12)}", f"{p.motivation:>3} {bar(p.motivation, 12)}", p.phase)
    c.print(traj)

    c.print(f"\n[bold]{t('flags_title', lang)} ({len(d.flags)})[/]")
    if not d.flags:
        c.print(t("no_flags", lang))
    for f in d.flags:
        words = Text(f.text)
        words.stylize("bold reverse", f.start, f.end)
        c.print(f"{t('turn', lang).capitalize()} {f.turn} — {label(CATEGORY_LABELS, f.category, lang)} "
                f"({t('severity', lang)} {f.severity}"
                f"{'; ' + source_note(f, lang) if f.source == 'model' else ''})")
        c.print(Text("  “").append(words).append("”"))
        if f.example:
            c.print(Text(f"  {t('model_example', lang)}: “{f.example}”", style="dim"))
        c.print(f"  [italic]{t('why_it_hurts', lang)}:[/] {f.explanation}")
        c.print(f"  [italic]{t('better', lang)}:[/] {f.suggestion}")

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
