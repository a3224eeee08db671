"""A self-contained, printable HTML report of one or more sessions.

No external assets: inline CSS (with @media print and @page), an inline SVG chart of trust and motivation per
turn that reads in black and white (solid line with circles, dashed line with squares, labelled axes and
legend). Sections: outcome and score, chart, controlling language with the trainee's words marked, missed cues,
rubric, the full transcript. Every piece of text that comes from a session or persona goes through
html.escape, so a trainee who typed <script> sees it as text.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from trainer.export.strings import t
from trainer.i18n import CATEGORY_LABELS, LEVEL_LABELS, MI_LABELS, PHASE_LABELS, effect_reason, label

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #bbb; --soft: #f4f4f1; --mark: #ffe27a; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0; background: #fff; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.8rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--ink); }
h3 { font-size: 1rem; margin: 0 0 .3rem; }
.meta { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: .15rem 1rem; margin: .8rem 0;
        font-size: .92rem; }
.meta dt { color: var(--muted); } .meta dd { margin: 0; }
.outcome { border: 2px solid var(--ink); padding: .8rem 1rem; display: flex; gap: 1.5rem; align-items: center;
           flex-wrap: wrap; }
.outcome .score { font-size: 2.2rem; font-weight: 700; line-height: 1; }
.outcome .score small { font-size: 1rem; font-weight: 400; }
.badge { display: inline-block; border: 1.5px solid var(--ink); border-radius: 3px; padding: 0 .4rem;
         font-size: .85rem; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.badge.goed { background: #dff0d8; } .badge.voldoende { background: #fcf3cf; }
.badge.onvoldoende { background: #f6d5d1; }
.note { border-left: 4px solid var(--ink); background: var(--soft); padding: .4rem .8rem; margin: .8rem 0; }
blockquote { margin: .3rem 0; padding: .3rem .8rem; border-left: 3px solid var(--line); background: var(--soft);
             break-inside: avoid; page-break-inside: avoid; }
.group { margin: 0 0 1rem; }
h3 { break-after: avoid; page-break-after: avoid; }
mark { background: var(--mark); color: inherit; border-bottom: 2px solid var(--ink); padding: 0 .1em;
       font-weight: 600; }
.item { margin: 0 0 1rem; break-inside: avoid; page-break-inside: avoid; }
.label { font-weight: 600; }
.muted { color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { border-bottom: 2px solid var(--ink); }
.chart svg { width: 100%; height: auto; max-width: 44rem; display: block; }
ol.transcript { list-style: none; padding: 0; margin: 0; }
ol.transcript li { margin: 0 0 .9rem; break-inside: avoid; page-break-inside: avoid; }
.who { font-weight: 700; font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; }
.line { margin: .1rem 0 .2rem; }
.persona .line { font-style: italic; }
.trainee { margin-left: 1.5rem; }
.facts { font-size: .85rem; color: var(--muted); margin-left: 1.5rem; }
nav ol { columns: 2; }
footer { margin-top: 2rem; font-size: .8rem; color: var(--muted); border-top: 1px solid var(--line);
         padding-top: .4rem; }
@page { size: A4; margin: 14mm 14mm 16mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  article + article { break-before: page; page-break-before: always; }
  h2 { break-after: avoid; page-break-after: avoid; }
  nav { display: none; }
  a { color: inherit; text-decoration: none; }
  .badge, mark, .note, blockquote { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _source(f, lang: str) -> str:
    """", betekenis 0.87" for a flag of the meaning model (lexicon flags: nothing, as before)."""
    if getattr(f, "source", "lexicon") != "model":
        return ""
    from trainer.debrief.render import source_note

    return ", " + _e(source_note(f, lang))


def _e(value) -> str:
    return escape("" if value is None else str(value), quote=True)


_ZONE: list = []  # (tzinfo, name) of the page being rendered; set by render_html / render_cohort


def _zone():
    if not _ZONE:
        from trainer.export.timefmt import zone

        return zone()
    return _ZONE[-1]


def _when(value: str | None, lang: str) -> str:
    """A time in the page's one time zone (named once, in the page header)."""
    from trainer.export.timefmt import show

    return show(value, _zone()[0], lang)


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {secs} s" if minutes else f"{secs} s"


def highlight(text: str, spans: list[tuple[int, int]]) -> str:
    """Escaped text with <mark> around the (merged) spans."""
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(len(text), e)) for s, e in spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(_e(text[pos:start]))
        out.append(f"<mark>{_e(text[start:end])}</mark>")
        pos = end
    out.append(_e(text[pos:]))
    return "".join(out)


def chart_svg(points, lang: str, uid: str) -> str:
    """Line chart of trust (solid, circles) and motivation (dashed, squares) per turn, 0-100."""
    width, height = 640, 270
    left, right, top, bottom = 44, 16, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(points) - 1)

    def x(i: int) -> float:
        return left + plot_w * i / n

    def y(v: int) -> float:
        return top + plot_h * (1 - v / 100)

    title_id, desc_id = f"ct-{uid}", f"cd-{uid}"
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-labelledby="{title_id} {desc_id}" '
             f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="11">',
             f'<title id="{title_id}">{_e(t("chart_title", lang))}</title>',
             f'<desc id="{desc_id}">{_e(t("chart_desc", lang))}</desc>']
    for v in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" stroke="#ccc" '
                     f'stroke-width="{1 if v else 1.5}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#333">{v}</text>')
    step = max(1, -(-len(points) // 20))
    for i, p in enumerate(points):
        if i % step == 0 or i == len(points) - 1:
            text = t("start", lang) if p.turn == 0 else str(p.turn)
            parts.append(f'<text x="{x(i):.1f}" y="{height - bottom + 15}" text-anchor="middle" fill="#333">'
                         f'{_e(text)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" fill="#333">'
                 f'{_e(t("turn", lang))}</text>')
    series = (("trust", "#1f4e9c", "", "circle"), ("motivation", "#b4410e", "7 4", "square"))
    for key, color, dash, marker in series:
        coords = " ".join(f"{x(i):.1f},{y(getattr(p, key)):.1f}" for i, p in enumerate(points))
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2.2"{dash_attr}/>')
        for i, p in enumerate(points):
            cx, cy = x(i), y(getattr(p, key))
            if marker == "circle":
                parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3.6" fill="#fff" stroke="{color}" '
                             f'stroke-width="1.8"><title>{_e(t(key, lang))} {getattr(p, key)}</title></circle>')
            else:
                parts.append(f'<rect x="{cx - 3.3:.1f}" y="{cy - 3.3:.1f}" width="6.6" height="6.6" fill="{color}">'
                             f'<title>{_e(t(key, lang))} {getattr(p, key)}</title></rect>')
    # legend
    lx = left + 4
    parts.append(f'<line x1="{lx}" y1="14" x2="{lx + 30}" y2="14" stroke="#1f4e9c" stroke-width="2.2"/>'
                 f'<circle cx="{lx + 15}" cy="14" r="3.6" fill="#fff" stroke="#1f4e9c" stroke-width="1.8"/>'
                 f'<text x="{lx + 36}" y="18" fill="#111">{_e(t("trust", lang))}</text>')
    lx += 150
    parts.append(f'<line x1="{lx}" y1="14" x2="{lx + 30}" y2="14" stroke="#b4410e" stroke-width="2.2" '
                 f'stroke-dasharray="7 4"/><rect x="{lx + 11.7}" y="10.7" width="6.6" height="6.6" fill="#b4410e"/>'
                 f'<text x="{lx + 36}" y="18" fill="#111">{_e(t("motivation", lang))}</text>')
    if points:
        last = points[-1]
        parts.append(f'<text x="{width - right}" y="18" text-anchor="end" fill="#333">'
                     f'{_e(t("phase", lang))}: {_e(label(PHASE_LABELS, last.phase, lang))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _badge(level: str | None, lang: str) -> str:
    if not level:
        return "—"
    return f'<span class="badge {_e(level)}">{_e(label(LEVEL_LABELS, level, lang))}</span>'


def _article(rec, lang: str) -> str:
    d, r = rec.debrief, rec.rubric
    uid = _e(rec.session_id)
    name = _e(rec.persona.name)
    out = [f'<article id="s-{uid}">']
    out.append(f"<header><h1>{_e(t('report_title', lang))}: {name}</h1>")
    mode = t(f"mode_{rec.mode}", lang) if rec.mode in ("practice", "assessment") else rec.mode
    meta = [
        (t("trainee", lang), rec.trainee or "—"), (t("persona", lang), f"{rec.persona.name} ({rec.persona.id})"),
        (t("started", lang), _when(rec.started_at, lang)), (t("mode", lang), mode),
        (t("duration", lang), _duration(rec.duration_seconds)), (t("turns", lang), str(len(rec.turns))),
        (t("finished_at", lang), _when(rec.finished_at, lang)), (t("session", lang), rec.session_id),
    ]
    out.append('<dl class="meta">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta) + "</dl>")
    out.append("</header>")

    # outcome
    out.append('<section class="outcome" aria-label="' + _e(t("outcome", lang)) + '">')
    if rec.finished:
        out.append(f'<div><div class="muted">{_e(t("outcome", lang))}</div><h3>{_e(d.outcome_label)}</h3></div>')
        out.append(f'<div><div class="muted">{_e(t("score", lang))}</div>'
                   f'<div class="score">{r.score}<small>/100</small></div></div>')
        out.append(f'<div><div class="muted">{_e(t("level", lang))}</div>{_badge(r.level, lang)} '
                   f'<span class="muted">{_e(t("passed", lang))}: {_e(t("yes" if r.passed else "no", lang))}'
                   f'</span></div>')
    else:  # an unfinished attempt has no score and no verdict
        out.append(f'<div><div class="muted">{_e(t("outcome", lang))}</div><h3>{_e(t("no_verdict", lang))}</h3></div>')
    out.append("</section>")
    if not rec.finished:
        out.append(f'<p class="note">{_e(t("no_verdict_note", lang))}</p>')
    if rec.persona.changed:
        out.append(f'<p class="note">{_e(t("persona_changed", lang))}</p>')
    if d.ending_line:
        out.append(f"<blockquote>{name}: “{_e(d.ending_line)}”</blockquote>")
    for note in d.notes:
        out.append(f"<p>{_e(note)}</p>")

    # chart
    out.append(f'<section class="chart"><h2>{_e(t("chart_title", lang))}</h2>'
               f"{chart_svg(d.trajectory, lang, uid)}</section>")

    # flags
    out.append(f'<section class="flags"><h2>{_e(t("flags", lang))} ({len(d.flags)})</h2>')
    if not d.flags:
        out.append(f"<p>{_e(t('no_flags', lang))}</p>")
    groups: dict[str, list] = {}
    for f in d.flags:  # one block per category, in order of first appearance; explanations said once
        groups.setdefault(f.category, []).append(f)
    for category, flags in groups.items():
        out.append('<div class="group">')
        out.append(f'<h3>{_e(label(CATEGORY_LABELS, category, lang))} ({len(flags)}×)</h3>')
        for f in flags:
            out.append(f'<blockquote><span class="muted">{_e(t("turn", lang))} {f.turn}, {_e(t("severity", lang))} '
                       f'{f.severity}/3{_source(f, lang)}:</span> {highlight(f.text, [(f.start, f.end)])}</blockquote>')
        for why in dict.fromkeys(f.explanation for f in flags):
            out.append(f'<div><span class="label">{_e(t("why", lang))}:</span> {_e(why)}</div>')
        for better in dict.fromkeys(f.suggestion for f in flags):
            out.append(f'<div><span class="label">{_e(t("better", lang))}:</span> {_e(better)}</div>')
        out.append("</div>")
    out.append("</section>")

    # cues
    missed = [c for c in d.cues if c.status == "missed"]
    picked = [c for c in d.cues if c.status == "picked_up"]
    out.append(f'<section class="cues"><h2>{_e(t("missed_cues", lang))} ({len(missed)}/{len(d.cues)})</h2>')
    if not d.cues:
        out.append(f"<p>{_e(t('no_cues', lang))}</p>")
    elif not missed:
        out.append(f"<p>{_e(t('no_missed', lang))}</p>")
    for c in missed:
        reason = t("miss_" + c.reason, lang) if c.reason else ""
        out.append('<div class="item">')
        out.append(f'<div><span class="label">{_e(t("turn", lang))} {c.offered_turn} — {_e(c.label)}</span> '
                   f'<span class="muted">({_e(reason)})</span></div>')
        out.append(f"<blockquote>{_e(t('persona_said', lang, name=rec.persona.name))}: “{_e(c.persona_line)}”"
                   f"</blockquote>")
        out.append(f'<div><span class="label">{_e(t("why_matters", lang))}:</span> {_e(c.why)}</div>')
        out.append(f'<div><span class="label">{_e(t("could_sound", lang))}:</span> “{_e(c.example_pickup)}”</div>')
        out.append("</div>")
    if picked:
        items = ", ".join(f"{_e(c.label)} ({_e(t('turn', lang).lower())} {c.picked_turn})" for c in picked)
        out.append(f'<p><span class="label">{_e(t("picked_cues", lang))}:</span> {items}</p>')
    out.append("</section>")

    # rubric
    out.append(f'<section class="rubric"><h2>{_e(t("rubric", lang))}</h2><table><thead><tr>'
               f'<th>{_e(t("measure", lang))}</th><th>{_e(t("value", lang))}</th><th>{_e(t("level", lang))}</th>'
               f'<th>{_e(t("target", lang))}</th></tr></thead><tbody>')
    for m in r.measures:
        out.append(f"<tr><td>{_e(m.label)}</td><td>{_e(m.display)}</td><td>{_badge(m.level, lang)}</td>"
                   f"<td>{_e(m.target)}</td></tr>")
    out.append("</tbody></table>")
    counts = ", ".join(f"{_e(label(MI_LABELS, k, lang))} {v}" for k, v in r.counts.items() if v) or "—"
    out.append(f'<p><span class="label">{_e(t("counts", lang))}:</span> {counts}</p>')
    out.append(f'<p class="muted">{_e(r.rule)}</p></section>')

    # transcript
    out.append(f'<section class="transcript"><h2>{_e(t("transcript", lang))}</h2><ol class="transcript">')
    previous_reply = None
    for turn in rec.turns:
        out.append("<li>")
        if turn.persona_line != previous_reply:  # else the persona's reply above already said it
            out.append(f'<div class="persona"><span class="who">{name}</span> '
                       f'<span class="muted">({_e(t("turn", lang).lower())} {turn.index}, '
                       f'{_e(label(PHASE_LABELS, turn.before.phase, lang))})</span>'
                       f'<p class="line">{_e(turn.persona_line)}</p></div>')
        spans = [(f.start, f.end) for f in turn.flags]
        how = ""
        if turn.typed is not None:
            if turn.choice_id:
                score = "—" if turn.match_score is None else _num(turn.match_score, lang)
                how = f"{t('typed', lang)}; {t('matched', lang, id=turn.choice_id, score=score)}"
            elif any(e.source == "reaction" for e in turn.effects):  # no choice fitted; the persona reacted to the act
                how = f"{t('typed', lang)}; {t('reacted_to_typed', lang)}"
            else:
                how = f"{t('typed', lang)}; {t('not_matched', lang)}"
        out.append(f'<div class="trainee"><span class="who">{_e(t("trainee", lang))}</span> '
                   f'<span class="muted">({_e(t("turn", lang).lower())} {turn.index}'
                   + (f"; {_e(how)}" if how else "") + ")</span>"
                   + f'<p class="line">{highlight(turn.trainee_line, spans)}</p></div>')
        facts = []
        if turn.codes:
            facts.append(", ".join(label(MI_LABELS, c, lang) for c in turn.codes))
        changes = []
        for meter in ("trust", "motivation"):
            delta = getattr(turn.after, meter) - getattr(turn.before, meter)
            reasons = ", ".join(f"{getattr(e, meter):+d} {effect_reason(e.source, lang)}" for e in turn.effects
                                if getattr(e, meter))
            changes.append(f"{t(meter, lang).lower()} {getattr(turn.before, meter)} → {getattr(turn.after, meter)}"
                           + (f" ({reasons})" if reasons and delta else ""))
        facts.append("; ".join(changes))
        if turn.after.phase != turn.before.phase:
            facts.append(f"{t('phase', lang).lower()}: {label(PHASE_LABELS, turn.after.phase, lang)}")
        events = [f"{e.cue} {t('ev_' + e.event, lang)}" for e in turn.cue_events]
        if events:
            facts.append("cues: " + ", ".join(events))
        out.append(f'<div class="facts">{_e(" · ".join(facts))}</div>')
        if turn.reply:  # what the persona answered to this line (to typed words too)
            what = t("ending", lang).lower() if turn.ended else t("persona_replied", lang)
            out.append(f'<div class="persona reply"><span class="who">{name}</span> '
                       f'<span class="muted">({_e(what)})</span><p class="line">{_e(turn.reply)}</p></div>')
        previous_reply = turn.reply
        out.append("</li>")
    out.append("</ol></section>")
    out.append(f"<footer>{_e(t('generated', lang, generator=rec.generator))} · {_e(rec.session_id)} · "
               f"persona {_e(rec.persona.id)} sha256 {_e(rec.persona.hash[:12])}"
               f"{' · ' + _e(rec.journal.file) if rec.journal.file else ''}</footer>")
    out.append("</article>")
    return "\n".join(out)


def _num(value: float, lang: str, digits: int = 2) -> str:
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nl" else text


def render_html(records: list, lang: str | None = None, tz=None) -> str:
    """The report page; its language is that of the records (their labels and explanations) unless given.
    `tz` = (tzinfo, name) from timefmt.zone(); default the computer's zone."""
    _ZONE.append(tz or _zone())
    try:
        return _render_html(records, lang)
    finally:
        _ZONE.pop()


def _render_html(records: list, lang: str | None = None) -> str:
    lang = lang or (records[0].lang if records else "nl")
    lang = lang if lang in ("nl", "en") else "nl"
    if len(records) == 1:
        rec = records[0]
        title = f"{t('report_title', lang)} — {rec.persona.name} — {rec.trainee or rec.session_id}"
    else:
        title = f"{t('report_title', lang)} — {len(records)} {t('sessions', lang).lower()}"
    head = (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="gesprekstrainer">\n<title>{_e(title)}</title>\n'
            f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n")
    body = [f'<p class="muted">{_e(t("times_in", lang, zone=_zone()[1]))}</p>']
    if len(records) > 1:
        items = "".join(f'<li><a href="#s-{_e(r.session_id)}">{_e(r.trainee or "—")} · {_e(r.persona.name)} · '
                        f"{_e(_when(r.started_at, lang))}</a></li>" for r in records)
        body.append(f"<nav><h2>{_e(t('contents', lang))}</h2><ol>{items}</ol></nav>")
    body += [_article(r, lang) for r in records]
    return head + "\n".join(body) + "\n</main>\n</body>\n</html>\n"


COHORT_CSS = """
@page { size: A4 landscape; margin: 12mm; }
main { max-width: 72rem; }
table.grade td, table.grade th { font-size: .85rem; padding: .2rem .35rem; }
table.grade td.num, table.grade th.num { text-align: right; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
@media print { section + section { break-before: page; page-break-before: always; } }
"""


def _spans(text: str, words: str) -> list[tuple[int, int]]:
    at = text.find(words)
    return [(at, at + len(words))] if words and at >= 0 else []


def render_cohort(agg: dict, lang: str = "nl", title: str = "", tz=None, limit: int = 40) -> str:
    """A printable overview of a cohort: totals, the gradebook (one row per trainee), one row per persona, and
    what the group needs to practise (flagged words and missed cues, most frequent first)."""
    _ZONE.append(tz or _zone())
    try:
        return _render_cohort(agg, lang if lang in ("nl", "en") else "nl", title, limit)
    finally:
        _ZONE.pop()


def _render_cohort(agg: dict, lang: str, title: str, limit: int) -> str:
    from datetime import datetime, timezone

    from trainer.export.cohort import practice_kind

    totals = agg["totals"]
    mean = "—" if totals["mean_score"] is None else _num(totals["mean_score"], lang, 1)
    heading = f"{t('cohort_title', lang)}" + (f" — {title}" if title else "")
    out = [f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f'<meta name="generator" content="gesprekstrainer">\n<title>{_e(heading)}</title>\n'
           f"<style>{CSS}{COHORT_CSS}</style>\n</head>\n<body>\n<main>\n"]
    now = datetime.now(timezone.utc).isoformat()
    out.append(f"<header><h1>{_e(heading)}</h1>")
    out.append(f'<p>{_e(t("totals", lang, n=totals["sessions"], finished=totals["finished"], passed=totals["passed"], mean=mean))}</p>')
    out.append(f'<p class="muted">{_e(t("made_on", lang, when=_when(now, lang)))} · '
               f'{_e(t("times_in", lang, zone=_zone()[1]))}</p></header>')

    personas = [(p["persona_id"], p["persona_name"]) for p in agg["personas"]]
    out.append(f'<section><h2>{_e(t("gradebook", lang))}</h2><table class="grade"><thead><tr>'
               f'<th>{_e(t("trainee", lang))}</th><th class="num">{_e(t("attempts", lang))}</th>'
               f'<th>{_e(t("personas_passed", lang))}</th>')
    for _, pname in personas:
        out.append(f"<th>{_e(pname)}<br><span class=\"muted\">{_e(t('attempts', lang).lower())} · "
                   f"{_e(t('best', lang))}/{_e(t('last', lang))} · {_e(t('outcome', lang).lower())}</span></th>")
    out.append(f'<th>{_e(t("last_date", lang))}</th></tr></thead><tbody>')
    for row in agg["gradebook"]:
        cells = [f"<td>{_e(row['trainee'] or '—')}</td><td class=\"num\">{row['attempts']}</td>"
                 f"<td>{row['personas_passed']}/{row['personas_played']}</td>"]
        for pid, _ in personas:
            per = row["personas"].get(pid)
            if not per:
                cells.append("<td>—</td>")
                continue
            if per["finished"]:
                lab = per["last_outcome"]
                outcome = lab.get(lang, lab["nl"]) if lab else ""
                mark = f" ✓ {_e(t('passed', lang).lower())}" if per["passed"] else ""
                cells.append(f"<td>{per['attempts']} · {per['best']}/{per['last']} · {_e(outcome)}{mark}</td>")
            else:
                cells.append(f"<td>{per['attempts']} · {_e(t('not_finished', lang).lower())}</td>")
        cells.append(f"<td>{_e(_when(row['last_date'], lang))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table></section>")

    heads = [("persona", ""), ("trainees", "num"), ("attempts", "num"), ("finished_n", "num"),
             ("not_finished", "num"), ("pass_pct", "num"), ("mean_score", "num"), ("best", "num"),
             ("mean_turns", "num"), ("cue_response_pct", "num"), ("controlling_per_session", "num")]
    out.append(f'<section><h2>{_e(t("persona_overview", lang))}</h2><table class="grade"><thead><tr>'
               + "".join(f'<th class="{c}">{_e(t(k, lang))}</th>' for k, c in heads) + "</tr></thead><tbody>")

    def num(v, digits=1):
        return "—" if v is None else (_num(v, lang, digits) if isinstance(v, float) else str(v))

    for p in agg["personas"]:
        values = [_e(p["persona_name"]), p["trainees"], p["attempts"], p["finished"], p["unfinished"],
                  num(p["pass_pct"]), num(p["mean_score"]), num(p["best_score"]), num(p["mean_turns"]),
                  num(p["mean_cue_pct"]), num(p["controlling_per_session"], 2)]
        out.append("<tr>" + "".join(f'<td class="{c}">{v}</td>' for (_, c), v in zip(heads, values)) + "</tr>")
    out.append("</tbody></table></section>")

    out.append(f'<section><h2>{_e(t("practice_title", lang))}</h2>')
    cues = [r for r in agg["practice"] if r["kind"] == "cue"][:limit]
    flags = [r for r in agg["practice"] if r["kind"] == "flag"][:limit]
    out.append(f'<h3>{_e(t("most_missed", lang))}</h3><table class="grade"><thead><tr>'
               f'<th>{_e(t("persona", lang))}</th><th>{_e(t("cue", lang))}</th>'
               f'<th class="num">{_e(t("missed", lang))}</th><th class="num">{_e(t("offered", lang))}</th>'
               f'<th class="num">{_e(t("missed_pct", lang))}</th></tr></thead><tbody>')
    for r in cues:
        out.append(f"<tr><td>{_e(r['persona_name'])}</td><td>{_e(r['words'])}</td><td class=\"num\">{r['count']}"
                   f"</td><td class=\"num\">{r['sessions']}</td><td class=\"num\">{num(r['missed_pct'])}</td></tr>")
    out.append("</tbody></table>")
    out.append(f'<h3>{_e(t("practice_flags", lang))}</h3><table class="grade"><thead><tr>'
               f'<th>{_e(t("practice_kind", lang))}</th><th>{_e(t("persona", lang))}</th>'
               f'<th>{_e(t("practice_what", lang))}</th><th class="num">{_e(t("practice_count", lang))}</th>'
               f'<th class="num">{_e(t("sessions", lang))}</th><th class="num">{_e(t("trainees", lang))}</th>'
               f"</tr></thead><tbody>")
    for r in flags:
        where = r["choice_id"] or t("typed", lang)
        out.append(f"<tr><td>{_e(practice_kind(r, lang))}</td><td>{_e(r['persona_name'])}</td>"
                   f"<td>“{_e(r['words'])}” <span class=\"muted\">({_e(where)})</span>"
                   + (f"<br><span class=\"muted\">{highlight(r['line'], _spans(r['line'], r['words']))}</span>"
                      if r.get("line") else "") + "</td>"
                   f"<td class=\"num\">{r['count']}</td><td class=\"num\">{r['sessions']}</td>"
                   f"<td class=\"num\">{r['trainees']}</td></tr>")
    out.append("</tbody></table></section>")
    out.append("</main>\n</body>\n</html>\n")
    return "\n".join(out)
