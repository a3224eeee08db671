"""trainer analyze — find controlling and autonomy-supportive language in client-manager lines.

    trainer analyze --text "U dient maandag te verschijnen."
    printf 'Wat zou u zelf willen?\nIk controleer het over een jaar.\n' | trainer analyze --lang nl

Prints one JSON object per analysed line (UTF-8, not ASCII-escaped) with the keys text, controlling, flags,
supportive, codes and model_score (see trainer/debrief/analyser.py). The verdict has two sources
(trainer/debrief/detector.py): each flag says its `source`, "lexicon" (a word rule, with its span) or "model" (the
meaning model, whole line, with its `score` and the closest labelled `example`); model_score is the model's
"controlling" score. --lexicon-only gives the word rules alone (no model, no model_score). Blank stdin lines are skipped. Exit 0, or 2 when a
lexicon file is broken (the message names the file and the problem).
"""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser("analyze", help="find controlling and autonomy-supportive language in client-manager lines",
                       description="Analyse client-manager lines (--text, or one per line on stdin) and print one "
                                   "JSON object per line.")
    p.add_argument("--text", help="the line to analyse (default: read lines from stdin)")
    p.add_argument("--lang", choices=["nl", "en"], default=None,
                   help="language of the lines (default: detect; Dutch unless clearly English)")
    p.add_argument("--ui-lang", choices=["nl", "en"], default=None,
                   help="language of explanations and suggestions (default nl; also GESPREKSTRAINER_LANG)")
    p.add_argument("--lexicon", action="append", default=[], metavar="FILE",
                   help="extra lexicon file on top of the built-in one (repeatable; also GESPREKSTRAINER_LEXICON)")
    p.add_argument("--lexicon-only", action="store_true",
                   help="the word rules alone, without the meaning model")
    p.set_defaults(run=run)


def run(args) -> int:
    import json
    import os
    import sys

    from trainer.debrief.analyser import LexiconError, analyse, default_lexicon, load_lexicon, to_json
    from trainer.safe_text import MAX_TYPED_CHARS, json_safe, printable

    ui_lang = args.ui_lang or os.environ.get("GESPREKSTRAINER_LANG", "nl")
    ui_lang = ui_lang if ui_lang in ("nl", "en") else "nl"
    try:
        lexicon = load_lexicon(args.lexicon) if args.lexicon else default_lexicon()
    except LexiconError as exc:
        print(f"trainer analyze: {printable(exc)}", file=sys.stderr)
        return 2
    for stream in (sys.stdin, sys.stdout):  # JSON lines are UTF-8 whatever the console's code page
        try:
            stream.reconfigure(encoding="utf-8", errors="replace")
        except (AttributeError, ValueError):
            pass
    lines = [args.text] if args.text is not None else (line.rstrip("\r\n") for line in sys.stdin)
    status = 0
    for number, line in enumerate(lines, 1):
        if args.text is None and not line.strip():
            continue
        if len(line) > MAX_TYPED_CHARS:  # the same cap as a typed turn: no line is analysed without bound
            print(f"trainer analyze: line {number} is too long ({len(line)} characters; at most {MAX_TYPED_CHARS})",
                  file=sys.stderr)
            status = 2
            continue
        result = analyse(line, args.lang, ui_lang=ui_lang, lexicon=lexicon)
        if not args.lexicon_only:
            from trainer.debrief.detector import verdict

            result = verdict(line, args.lang, ui_lang=ui_lang, lexicon=lexicon, remember=True)
        sys.stdout.write(json_safe(json.dumps(to_json(result), ensure_ascii=False)) + "\n")
    if not args.lexicon_only:
        from trainer.semantic import default_encoder

        default_encoder().save()  # these lines are not embedded again next time
    return status
