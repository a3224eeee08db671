"""Interface strings in Dutch (default) and English. Persona content itself is Dutch.

Every string the trainee sees outside persona files comes from here, so the app, the plain mode and the
reports switch language together: `t("key", lang, **fields)`.
"""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "persona": {"nl": "Persona", "en": "Persona"},
    "you": {"nl": "U", "en": "You"},
    "trust": {"nl": "vertrouwen", "en": "trust"},
    "motivation": {"nl": "motivatie", "en": "motivation"},
    "phase": {"nl": "fase", "en": "phase"},
    "outcome": {"nl": "Uitkomst", "en": "Outcome"},
    "prompt_choice": {"nl": "Uw keuze ({lo}-{hi}; u = ongedaan maken, q = opslaan en stoppen): ",
                      "en": "Your choice ({lo}-{hi}; u = undo, q = save and quit): "},
    "prompt_choice_free": {"nl": "Uw keuze ({lo}-{hi}) of typ wat u zou zeggen (u = ongedaan maken, q = stoppen): ",
                           "en": "Your choice ({lo}-{hi}) or type what you would say (u = undo, q = quit): "},
    "bad_number": {"nl": "Kies een nummer van {lo} tot {hi}.", "en": "Choose a number from {lo} to {hi}."},
    "not_a_number": {"nl": "Dat is geen nummer. Kies een nummer van {lo} tot {hi}.",
                     "en": "That is not a number. Choose a number from {lo} to {hi}."},
    "saved": {"nl": "Sessie opgeslagen: {id}\nVerder gaan: trainer play --resume {id}",
              "en": "Session saved: {id}\nContinue: trainer play --resume {id}"},
    "undone": {"nl": "Laatste beurt ongedaan gemaakt.", "en": "Last turn undone."},
    "nothing_to_undo": {"nl": "Er is nog niets om ongedaan te maken.", "en": "There is nothing to undo yet."},
    "undo_assessment": {"nl": "Ongedaan maken kan alleen in de oefenmodus.", "en": "Undo is only available in practice mode."},
    "resumed": {"nl": "Sessie {id} hervat na beurt {turns}.", "en": "Session {id} resumed after turn {turns}."},
    "persona_changed": {"nl": "Let op: het personabestand is sinds deze sessie gewijzigd.",
                        "en": "Note: the persona file has changed since this session."},
    "ended": {"nl": "Het gesprek is afgelopen.", "en": "The conversation has ended."},
    "meter_change": {"nl": "{meter} {sign}{delta}: {reason}", "en": "{meter} {sign}{delta}: {reason}"},
    "reason_choice": {"nl": "reactie op uw woorden", "en": "reaction to your words"},
    "reason_fallback": {"nl": "niet begrepen", "en": "not understood"},
    "which_did_you_mean": {"nl": "Bedoelde u:", "en": "Did you mean:"},
    "scene": {"nl": "Situatie", "en": "Situation"},
    "no_debrief": {"nl": "(nabespreking niet beschikbaar)", "en": "(debrief not available)"},
}

CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "obligation": {"nl": "verplichting", "en": "obligation"},
    "surveillance": {"nl": "controle", "en": "surveillance"},
    "sanction": {"nl": "dreigen met sancties", "en": "threat of sanction"},
    "deciding_for": {"nl": "beslissen voor de cliënt", "en": "deciding for the client"},
    "dismissing_feelings": {"nl": "gevoelens wegwuiven", "en": "dismissing feelings"},
    "pressure": {"nl": "haast en targets", "en": "pressure and quota"},
    "blame": {"nl": "verwijt", "en": "blame"},
    "erasing_past": {"nl": "verleden wegpoetsen", "en": "erasing the past"},
    "choice": {"nl": "keuze bieden", "en": "offering choice"},
    "rationale": {"nl": "uitleg waarom", "en": "giving a rationale"},
    "permission": {"nl": "toestemming vragen", "en": "asking permission"},
    "acknowledging": {"nl": "gevoelens erkennen", "en": "acknowledging feelings"},
    "reflecting": {"nl": "reflecteren", "en": "reflecting"},
    "affirming": {"nl": "bevestigen", "en": "affirming"},
}

PHASE_LABELS: dict[str, dict[str, str]] = {
    "wantrouwend": {"nl": "wantrouwend", "en": "distrustful"},
    "aftastend": {"nl": "aftastend", "en": "tentative"},
    "open": {"nl": "open", "en": "open"},
    "betrokken": {"nl": "betrokken", "en": "engaged"},
    "weerstand": {"nl": "weerstand", "en": "resistant"},
}


def t(key: str, lang: str = "nl", **fields) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry["nl"]
    return text.format(**fields) if fields else text


def label(table: dict[str, dict[str, str]], key: str, lang: str = "nl") -> str:
    entry = table.get(key)
    return (entry.get(lang) or entry["nl"]) if entry else key


def outcome_label(outcome: str, lang: str = "nl", persona_outcomes: dict | None = None) -> str:
    from trainer.vocab import OUTCOMES

    if outcome in OUTCOMES:
        return OUTCOMES[outcome][lang if lang in ("nl", "en") else "nl"]
    return (persona_outcomes or {}).get(outcome, outcome)


def effect_reason(source: str, lang: str = "nl") -> str:
    """Short reason for a meter change, e.g. 'controlerend taalgebruik: verplichting'."""
    if source.startswith("sensitivity:"):
        return label(CATEGORY_LABELS, source.split(":", 1)[1], lang)
    return t("reason_fallback" if source == "fallback" else "reason_choice", lang)

MI_LABELS: dict[str, dict[str, str]] = {
    "question": {"nl": "vraag", "en": "question"},
    "simple_reflection": {"nl": "enkelvoudige reflectie", "en": "simple reflection"},
    "complex_reflection": {"nl": "complexe reflectie", "en": "complex reflection"},
    "affirm": {"nl": "bevestiging", "en": "affirm"},
    "seeking_collaboration": {"nl": "samenwerking zoeken", "en": "seeking collaboration"},
    "emphasizing_autonomy": {"nl": "autonomie benadrukken", "en": "emphasizing autonomy"},
    "giving_information": {"nl": "informatie geven", "en": "giving information"},
    "persuade": {"nl": "overhalen", "en": "persuade"},
    "persuade_with_permission": {"nl": "overhalen met toestemming", "en": "persuade with permission"},
    "confront": {"nl": "confronteren", "en": "confront"},
}

LEVEL_LABELS: dict[str, dict[str, str]] = {
    "goed": {"nl": "goed", "en": "good"},
    "voldoende": {"nl": "voldoende", "en": "fair"},
    "onvoldoende": {"nl": "onvoldoende", "en": "poor"},
}

STRINGS.update({
    "debrief_title": {"nl": "Nabespreking: {name}", "en": "Debrief: {name}"},
    "score": {"nl": "Score", "en": "Score"},
    "trajectory": {"nl": "Vertrouwen en motivatie per beurt", "en": "Trust and motivation per turn"},
    "turn": {"nl": "beurt", "en": "turn"},
    "flags_title": {"nl": "Controlerend taalgebruik", "en": "Controlling language"},
    "no_flags": {"nl": "Geen controlerend taalgebruik gevonden.", "en": "No controlling language found."},
    "severity": {"nl": "ernst", "en": "severity"},
    "why_it_hurts": {"nl": "Waarom het schuurt", "en": "Why it lands badly"},
    "better": {"nl": "Beter", "en": "Better"},
    "missed_cues": {"nl": "Gemiste cues", "en": "Missed cues"},
    "picked_cues": {"nl": "Opgepakte cues", "en": "Cues picked up"},
    "no_cues": {"nl": "De persona bood geen cues aan in dit gesprek.", "en": "The persona offered no cues in this conversation."},
    "persona_said": {"nl": "{name} zei", "en": "{name} said"},
    "why_it_matters": {"nl": "Waarom het ertoe doet", "en": "Why it matters"},
    "could_sound": {"nl": "Zo had het gekund", "en": "It could have sounded like"},
    "miss_controlling": {"nl": "gemist: het antwoord was controlerend", "en": "missed: the answer was controlling"},
    "miss_obligations": {"nl": "gemist: het gesprek ging naar verplichtingen", "en": "missed: the talk turned to obligations"},
    "miss_not_addressed": {"nl": "gemist: niet op ingegaan", "en": "missed: not addressed"},
    "rubric": {"nl": "Rubric (geïnspireerd op MITI 4.2)", "en": "Rubric (inspired by MITI 4.2)"},
    "counts": {"nl": "Tellingen", "en": "Counts"},
    "not_finished": {"nl": "Het gesprek is niet afgerond.", "en": "The conversation is not finished."},
})
