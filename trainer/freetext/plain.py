"""Free text in the plain, line-based mode (`trainer play PERSONA --plain --free`).

PlainUI hands every line that is not a number or a command to `plain_handler(ui, text)`, which returns the Turn it
played, or None to ask the original prompt again.

- match: plays the choice; in practice mode it says which choice the words were read as.
- tie: prints "Bedoelde u:" with the candidates numbered and reads one answer: a number plays that choice,
  anything else (or an empty line) cancels and the original prompt is asked again.
- fallback: plays the persona's fallback and prints the persona's answer (the node's line follows, as always).
"""

from __future__ import annotations

from trainer.freetext.play import match, play

_STRINGS = {
    "which_did_you_mean": {"nl": "Bedoelde u:", "en": "Did you mean:"},
    "tie_prompt": {"nl": "Nummer van wat u bedoelde (iets anders = opnieuw typen): ",
                   "en": "Number of what you meant (anything else = type again): "},
    "tie_cancelled": {"nl": "Geen keuze gemaakt; typ het nog eens of kies een nummer.",
                      "en": "Nothing chosen; type it again or pick a number."},
    "read_as": {"nl": "  (opgevat als: {text})", "en": "  (read as: {text})"},
    "not_understood": {"nl": "  (niet herkend als een van de keuzes)", "en": "  (not recognised as one of the choices)"},
}


def _t(key: str, lang: str, **fields) -> str:
    """Interface string: trainer.i18n when it has the key, else this module's own table."""
    try:
        from trainer.i18n import STRINGS
    except ImportError:  # pragma: no cover
        STRINGS = {}
    entry = STRINGS.get(key) or _STRINGS[key]
    text = entry.get(lang) or entry["nl"]
    return text.format(**fields) if fields else text


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def plain_handler(ui, text: str):
    """The PlainUI matcher hook: returns a Turn, or None to re-ask the prompt."""
    run = ui.run
    lang = getattr(ui, "lang", "nl")
    result = match(run.session, text)
    if result.kind == "tie":
        ui.say(_t("which_did_you_mean", lang))
        for k, cand in enumerate(result.candidates, 1):
            ui.say(f"  {k}. {cand.text}")
        ui.out.write(_t("tie_prompt", lang))
        ui.out.flush()
        answer = ui.inp.readline()
        if answer and not ui.inp.isatty():
            ui.out.write(answer if answer.endswith("\n") else answer + "\n")
        answer = answer.strip()
        if answer.isdigit() and 1 <= int(answer) <= len(result.candidates):
            return play(run, result, choice=result.candidates[int(answer) - 1].id)
        ui.say(_t("tie_cancelled", lang))
        return None
    turn = play(run, result)
    if getattr(ui, "practice", True):
        if turn.choice_id is not None:
            ui.say(_t("read_as", lang, text=_short(turn.choice_text)))
        else:
            ui.say(_t("not_understood", lang))
    if turn.choice_id is None and not run.session.ended:
        ui.say(f"{run.session.persona.name}: {turn.reply}")
    return turn
