"""trainer inspect PERSONA (also: trainer lees) — per choice, what the analyser reads in it and what the
persona's sensitivities add to the authored effects; flags meters that are counted twice."""

from __future__ import annotations

from trainer.commands.common import add_lang, add_persona_dirs


def add_parser(sub) -> None:
    p = sub.add_parser(
        "inspect", aliases=["lees"],
        help="how the simulator reads each choice: analyser categories, sensitivity effects, double counting",
        description="Lees een persona zoals de simulator hem leest: per keuze wat de analyse erin vindt "
                    "(controlerend of ondersteunend), wat de gevoeligheden van de persona daardoor bij de eigen "
                    "effecten optellen, en waar een meter dubbel telt. Exit 0; 1 als het bestand fouten heeft.")
    p.add_argument("persona", help="persona id or file")
    p.add_argument("--only-double", action="store_true", help="alleen keuzes waar een meter dubbel telt")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_persona_dirs(p)
    add_lang(p)
    p.set_defaults(run=run)


_TEXT = {
    "nl": {"reads": "analyse leest", "nothing": "analyse vindt niets", "control": "controlerend",
           "support": "ondersteunend", "own": "eigen effect", "adds": "gevoeligheden tellen op", "none": "niets",
           "total": "samen", "no_sens": "geen gevoeligheid voor", "trust": "vertrouwen", "motivation": "motivatie",
           "double": "LET OP: {meters} {verb} dubbel: het eigen effect en de gevoeligheid voor {cats} duwen dezelfde "
                     "kant op; verlaag het eigen effect als de gevoeligheid het al regelt",
           "tag_nothing": "let op: gemarkeerd als controlling, maar de analyse vindt hier geen controlerende taal; "
                          "de gevoeligheden doen dus niets",
           "summary": "{n} keuzes, {d} met een dubbel tellende meter"},
    "en": {"reads": "analyser reads", "nothing": "analyser finds nothing", "control": "controlling",
           "support": "supportive", "own": "own effect", "adds": "sensitivities add", "none": "nothing",
           "total": "total", "no_sens": "no sensitivity for", "trust": "trust", "motivation": "motivation",
           "double": "NOTE: {meters} {verb} counted twice: the own effect and the sensitivity to {cats} push the same "
                     "way; lower the own effect if the sensitivity already covers it",
           "tag_nothing": "note: marked controlling, but the analyser finds no controlling language here; the "
                          "sensitivities add nothing",
           "summary": "{n} choices, {d} with a meter counted twice"},
}


def _fx(t: int, m: int, words: dict) -> str:
    parts = [f"{words['trust']} {t:+d}" if t else "", f"{words['motivation']} {m:+d}" if m else ""]
    return ", ".join(p for p in parts if p) or "0"


def run(args) -> int:
    import json
    import sys

    from trainer.commands.common import resolve_lang
    from trainer.errors import SetupError
    from trainer.i18n import CATEGORY_LABELS, label
    from trainer.persona.loader import check_source
    from trainer.persona.messages import set_lang
    from trainer.persona.reading import read_choices
    from trainer.persona.registry import UnknownPersona, resolve
    from trainer.wiring import default_analyser

    lang = resolve_lang(args)
    set_lang(lang)
    words = _TEXT[lang]
    try:
        path = str(resolve(args.persona, args.personas))
    except UnknownPersona as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return 1
    checked = check_source(path)
    if checked.persona is None:
        for d in checked.diagnostics:
            print(d, file=sys.stderr)
        print("trainer inspect: fix these errors first (trainer validate)", file=sys.stderr)
        return 1
    try:
        analyse = default_analyser()
    except SetupError as exc:
        print(f"trainer inspect: {exc}", file=sys.stderr)
        return 1
    readings = everything = read_choices(checked.persona, analyse)
    if args.only_double:
        readings = [r for r in readings if r.double]
    if args.json:
        print(json.dumps([{"choice": r.choice, "text": r.text, "line": checked.source.where(r.path).line,
                           "controlling": r.controlling_tag,
                           "found": [{"category": f.category, "words": f.words, "controlling": f.controlling}
                                     for f in r.findings],
                           "own": {"trust": r.authored[0], "motivation": r.authored[1]},
                           "sensitivities": {c: {"trust": t, "motivation": m} for c, (t, m) in r.added.items()},
                           "total": {"trust": r.total[0], "motivation": r.total[1]}, "double": r.double}
                          for r in readings], ensure_ascii=False, indent=2))
        return 0
    out = []
    for r in readings:
        line = checked.source.where(r.path).line
        out.append(f"{path}:{line}: {r.choice}  “{r.text}”")
        if r.findings:
            found = "; ".join(f"{label(CATEGORY_LABELS, f.category, lang)} [{f.category}, "
                              f"{words['control'] if f.controlling else words['support']}]"
                              + (f" in '{f.words}'" if f.words else "") for f in r.findings)
            out.append(f"    {words['reads']}: {found}")
        else:
            out.append(f"    {words['nothing']}")
        out.append(f"    {words['own']}: {_fx(*r.authored, words)}")
        adds = ", ".join(f"{c} ({_fx(t, m, words)})" for c, (t, m) in r.added.items()) or words["none"]
        unused = sorted({f.category for f in r.findings} - set(r.added))
        if unused:  # found, but the persona has no sensitivity for it: the line moves nothing extra
            adds += f" ({words['no_sens']}: {', '.join(unused)})"
        out.append(f"    {words['adds']}: {adds}")
        out.append(f"    {words['total']}: {_fx(*r.total, words)}")
        if r.double:
            cats = ", ".join(r.added)
            joined = (" en " if lang == "nl" else " and ").join(words[m] for m in r.double)
            verb = ("tellen" if len(r.double) > 1 else "telt") if lang == "nl" else ("are" if len(r.double) > 1 else "is")
            out.append("    " + words["double"].format(meters=joined, verb=verb, cats=cats))
        if r.controlling_tag and not any(f.controlling for f in r.findings):
            out.append("    " + words["tag_nothing"])
    out.append("")
    out.append(words["summary"].format(n=len(everything), d=sum(bool(r.double) for r in everything)))
    print("\n".join(out))
    return 0
