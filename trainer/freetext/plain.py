"""Free text in the plain, line-based mode (`trainer play PERSONA --plain --free`).

PlainUI hands every line that is not a number or a command to `plain_handler(ui, text)`, which returns the Turn it
played, or None to ask the original prompt again.

- match: plays the choice; in practice mode it says which choice the words were read as.
- tie: prints "Bedoelde u:" with the candidates numbered and reads one answer: a number plays that choice,
  anything else (or an empty line) cancels and the original prompt is asked again.
- no choice fits: the persona reacts to the act (or falls back); its answer is shown as its current line, in
  place of the node's line, so nothing is said twice.
"""

from __future__ import annotations

from trainer.freetext.play import match, play
from trainer.i18n import t as _t

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
        answer = ui.read_line().strip()  # decoded leniently and echoed safely by the PlainUI
        if answer.isdigit() and 1 <= int(answer) <= len(result.candidates):
            return play(run, result, choice=result.candidates[int(answer) - 1].id)
        ui.say(_t("tie_cancelled", lang))
        return None
    turn = play(run, result)
    if getattr(ui, "practice", True):
        if turn.choice_id is not None:
            ui.say(_t("read_as", lang, text=_short(turn.choice_text)))
        elif turn.reaction is not None:
            from trainer.i18n import ACT_LABELS, label

            ui.say(_t("understood_as", lang, act=label(ACT_LABELS, turn.act, lang), name=run.session.persona.name))
        else:
            ui.say(_t("not_understood", lang))
    # the persona's answer (reaction or fallback) is its current line: the loop shows it next, with the choices
    return turn
