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
    "tie_prompt": {"nl": "Nummer van wat u bedoelde (iets anders = opnieuw typen): ",
                   "en": "Number of what you meant (anything else = type again): "},
    "tie_cancelled": {"nl": "Geen keuze gemaakt; typ het nog eens of kies een nummer.",
                      "en": "Nothing chosen; type it again or pick a number."},
    "read_as": {"nl": "  (opgevat als: {text})", "en": "  (read as: {text})"},
    "not_understood": {"nl": "  (niet herkend als een van de keuzes)", "en": "  (not recognised as one of the choices)"},
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


def lookup(table: dict[str, dict[str, str]], key: str, lang: str = "nl", **fields) -> str | None:
    """A string from a {key: {nl, en}} table in `lang` (Dutch when missing), filled in; None for an unknown key."""
    entry = table.get(key)
    if entry is None:
        return None
    text = entry.get(lang) or entry["nl"]
    return text.format(**fields) if fields else text


def t(key: str, lang: str = "nl", **fields) -> str:
    text = lookup(STRINGS, key, lang, **fields)
    return key if text is None else text


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
    if source == "reaction":
        return t("reason_reaction", lang)
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
    "source_lexicon": {"nl": "woordenlijst", "en": "word list"},
    "source_model": {"nl": "betekenis", "en": "meaning"},
    "model_example": {"nl": "Lijkt op", "en": "Resembles"},
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
    "no_verdict": {"nl": "— (niet afgerond: geen oordeel)", "en": "— (not finished: no verdict)"},
})


# --- terminal app (trainer/ui) -------------------------------------------------------------------------------
STRINGS.update({
    "ui_loading": {"nl": "Gesprekstrainer · gesprek wordt geopend…", "en": "Gesprekstrainer · opening the conversation…"},
    "ui_start_subtitle": {"nl": "kies met wie u wilt oefenen", "en": "choose who to practise with"},
    "ui_search": {"nl": "Zoek op naam, situatie of niveau (/)", "en": "Search by name, situation or level (/)"},
    "ui_personas": {"nl": "Persona's", "en": "Personas"},
    "ui_no_match": {"nl": "Geen persona past bij uw zoekopdracht.", "en": "No persona matches your search."},
    "ui_no_personas": {"nl": "Geen persona's gevonden.", "en": "No personas found."},
    "ui_card_errors": {"nl": "kan niet geladen worden ({n} fout(en)); zie trainer validate",
                       "en": "cannot be loaded ({n} error(s)); see trainer validate"},
    "ui_diff_makkelijk": {"nl": "makkelijk", "en": "easy"},
    "ui_diff_gemiddeld": {"nl": "gemiddeld", "en": "medium"},
    "ui_diff_moeilijk": {"nl": "moeilijk", "en": "hard"},
    "ui_trainee_label": {"nl": "Uw naam of pseudoniem (mag leeg)", "en": "Your name or pseudonym (optional)"},
    "ui_trainee_placeholder": {"nl": "bijv. Sam of km-07", "en": "e.g. Sam or cm-07"},
    "ui_mode_label": {"nl": "Modus", "en": "Mode"},
    "ui_mode_practice": {"nl": "oefenen", "en": "practice"},
    "ui_mode_assessment": {"nl": "toets", "en": "assessment"},
    "ui_mode_practice_short": {"nl": "Oefenen", "en": "Practice"},
    "ui_mode_assessment_short": {"nl": "Toets", "en": "Assessment"},
    "ui_mode_practice_long": {"nl": "Vertrouwen en motivatie zichtbaar, met tips; een beurt terugnemen kan.",
                              "en": "Trust and motivation shown, with hints; you can take a turn back."},
    "ui_mode_assessment_long": {"nl": "Geen meters en geen tips; een beurt terugnemen kan niet.",
                                "en": "No meters and no hints; turns cannot be taken back."},
    "ui_start_button": {"nl": "Start gesprek", "en": "Start conversation"},
    "ui_resume_label": {"nl": "Onderbroken gesprekken", "en": "Unfinished conversations"},
    "ui_resume_none": {"nl": "Geen onderbroken gesprekken.", "en": "No unfinished conversations."},
    "ui_turns": {"nl": "{n} beurt(en)", "en": "{n} turn(s)"},
    "ui_pick_persona": {"nl": "Kies eerst een persona.", "en": "Choose a persona first."},
    "ui_tips_label": {"nl": "Tips over eerherstel-cues tonen (beginners)", "en": "Show tips about dignity cues (beginners)"},
    "ui_hint_cue": {"nl": "Tip: hier zit een aanknopingspunt voor eerherstel ({kind}): {label}",
                    "en": "Hint: a cue for restoring dignity here ({kind}): {label}"},
    "ui_cue_pride": {"nl": "trots", "en": "pride"},
    "ui_cue_shame": {"nl": "schaamte", "en": "shame"},
    "ui_cue_past_work": {"nl": "werkverleden", "en": "past work"},
    "ui_cue_reason": {"nl": "een reden", "en": "a reason"},
    "ui_cue_feeling": {"nl": "een gevoel", "en": "a feeling"},
    "ui_cue_plan": {"nl": "een plan", "en": "a plan"},
    "ui_delta": {"nl": "{meter} {sign}{delta}", "en": "{meter} {sign}{delta}"},
    "ui_change": {"nl": "{changes}: {reason}", "en": "{changes}: {reason}"},
    "ui_free_placeholder": {"nl": "Of typ wat u zou zeggen en druk op Enter (Tab: naar de keuzes)",
                            "en": "Or type what you would say and press Enter (Tab: to the choices)"},
    "ui_free_read_as": {"nl": "opgevat als: {text}", "en": "read as: {text}"},
    "ui_free_not_understood": {"nl": "niet herkend als een van de keuzes", "en": "not recognised as one of the choices"},
    "ui_free_missing": {"nl": "Vrije tekst is in deze versie nog niet beschikbaar; kies een nummer.",
                        "en": "Free text is not available in this version yet; pick a number."},
    "ui_to_debrief": {"nl": "Naar de nabespreking", "en": "Go to the debrief"},
    "ui_debug_title": {"nl": "Playtest", "en": "Playtest"},
    "ui_debug_last": {"nl": "laatste:", "en": "last:"},
    "ui_reload_failed": {"nl": "Persona niet herladen, het bestand heeft fouten (het spel gaat door met de vorige versie):",
                         "en": "Persona not reloaded, the file has errors (playing on with the previous version):"},
    "ui_more": {"nl": "… en nog {n}", "en": "… and {n} more"},
    "ui_reloaded": {"nl": "Persona herladen; {turns} beurt(en) opnieuw gespeeld.",
                    "en": "Persona reloaded; {turns} turn(s) replayed."},
    "ui_replay_stopped": {"nl": "Beurt {turn} past niet meer ({why}); verder in een nieuwe sessie vanaf hier.",
                          "en": "Turn {turn} no longer fits ({why}); continuing in a new session from here."},
    "ui_err_persona": {"nl": "Deze persona kan niet geladen worden", "en": "This persona cannot be loaded"},
    "ui_err_start": {"nl": "Het gesprek kan niet beginnen", "en": "The conversation cannot start"},
    "ui_err_resume": {"nl": "Het gesprek kan niet hervat worden", "en": "The conversation cannot be resumed"},
    "ui_err_no_session": {"nl": "Geen sessie gevonden: {ref}", "en": "No session found: {ref}"},
    "ui_error_hint": {"nl": "n: terug naar het begin · q: stoppen", "en": "n: back to the start · q: quit"},
    "ui_saved_finished": {"nl": "Sessie opgeslagen: {id}\nNabespreking: trainer debrief {id}",
                          "en": "Session saved: {id}\nDebrief: trainer debrief {id}"},
    "ui_how_to_quit": {"nl": "Stoppen (alles is bewaard): druk op {keys}", "en": "To quit (everything is saved): press {keys}"},
    "ui_palette_search": {"nl": "Zoek een opdracht…", "en": "Search for commands…"},
    "ui_keymap_problem": {"nl": "Toetsenbestand", "en": "Keymap file"},
    "ui_debrief_unavailable": {"nl": "De uitgebreide nabespreking is (nog) niet beschikbaar.",
                               "en": "The full debrief is not available (yet)."},
    "ui_passed": {"nl": "behaald", "en": "passed"},
    "ui_not_passed": {"nl": "niet behaald", "en": "not passed"},
    "ui_export_json": {"nl": "JSON (j)", "en": "JSON (j)"},
    "ui_export_html": {"nl": "HTML-rapport (h)", "en": "HTML report (h)"},
    "ui_export_missing": {"nl": "Exporteren is in deze versie nog niet beschikbaar.",
                          "en": "Export is not available in this version yet."},
    "ui_exporting": {"nl": "Bezig met exporteren…", "en": "Exporting…"},
    "ui_export_failed": {"nl": "Exporteren mislukt: {why}", "en": "Export failed: {why}"},
    "ui_exported": {"nl": "Opgeslagen: {path}", "en": "Saved: {path}"},
    "ui_replay": {"nl": "Terugkijken (r)", "en": "Replay (r)"},
    "ui_new": {"nl": "Nieuw gesprek (n)", "en": "New conversation (n)"},
    "ui_replay_title": {"nl": "Terugkijken: beurt {step} van {total}", "en": "Replay: turn {step} of {total}"},
    "ui_help_title": {"nl": "Toetsen", "en": "Keys"},
    "ui_help_keymap": {"nl": "Toetsen aanpassen: zet 'binding-id = \"toets\"' in {path} (zie docs/klaslokaal.md).",
                       "en": "Remap keys: put 'binding-id = \"key\"' in {path} (see docs/klaslokaal.md)."},
    "ui_scope_app": {"nl": "Overal", "en": "Everywhere"},
    "ui_scope_start": {"nl": "Beginscherm", "en": "Start screen"},
    "ui_scope_conversation": {"nl": "Gesprek", "en": "Conversation"},
    "ui_scope_debrief": {"nl": "Nabespreking", "en": "Debrief"},
    "ui_scope_replay": {"nl": "Terugkijken", "en": "Replay"},
    "ui_scope_help": {"nl": "Dit helpscherm", "en": "This help screen"},
    "ui_scope_error": {"nl": "Foutmelding", "en": "Error screen"},
    "ui_key_help": {"nl": "Help", "en": "Help"},
    "ui_key_palette": {"nl": "Opdrachtenpalet", "en": "Command palette"},
    "ui_key_quit": {"nl": "Opslaan en stoppen", "en": "Save and quit"},
    "ui_key_search": {"nl": "Zoeken", "en": "Search"},
    "ui_key_start": {"nl": "Start gesprek", "en": "Start conversation"},
    "ui_key_choose": {"nl": "Kies dat antwoord", "en": "Pick that answer"},
    "ui_key_arrows": {"nl": "Antwoord kiezen met pijltjes (of klik)", "en": "Pick an answer with the arrows (or click)"},
    "ui_key_undo": {"nl": "Ongedaan maken", "en": "Undo"},
    "ui_key_debrief": {"nl": "Nabespreking", "en": "Debrief"},
    "ui_key_scroll_up": {"nl": "Gesprek omhoog scrollen", "en": "Scroll the conversation up"},
    "ui_key_scroll_down": {"nl": "Gesprek omlaag scrollen", "en": "Scroll the conversation down"},
    "ui_key_export_json": {"nl": "Exporteer JSON", "en": "Export JSON"},
    "ui_key_export_html": {"nl": "Exporteer HTML-rapport", "en": "Export HTML report"},
    "ui_key_replay": {"nl": "Terugkijken", "en": "Replay"},
    "ui_key_new": {"nl": "Nieuw gesprek", "en": "New conversation"},
    "ui_key_next": {"nl": "Volgende beurt", "en": "Next turn"},
    "ui_key_prev": {"nl": "Vorige beurt", "en": "Previous turn"},
    "ui_key_close": {"nl": "Sluiten", "en": "Close"},
    "ui_cmd_help": {"nl": "Alle toetsen tonen", "en": "Show all keys"},
    "ui_cmd_new": {"nl": "Terug naar het beginscherm", "en": "Back to the start screen"},
    "ui_cmd_undo": {"nl": "De laatste beurt terugdraaien (oefenmodus)", "en": "Take back the last turn (practice mode)"},
    "ui_cmd_debrief": {"nl": "Bekijk de nabespreking van dit gesprek", "en": "See the debrief of this conversation"},
    "ui_cmd_export": {"nl": "Bewaar naast de sessie", "en": "Save next to the session"},
    "ui_cmd_replay": {"nl": "Het gesprek beurt voor beurt terugkijken", "en": "Step through the conversation again"},
    "ui_cmd_theme": {"nl": "Thema", "en": "Theme"},
    "ui_cmd_theme_help": {"nl": "Licht of donker thema kiezen", "en": "Choose a light or dark theme"},
    "ui_cmd_quit": {"nl": "Alles is al bewaard; later verder met trainer play --resume",
                    "en": "Everything is saved; continue later with trainer play --resume"},
})

# free text in the app: "Bedoelde u:" (trainer/ui/tie.py)
STRINGS.update({
    "ui_scope_tie": {"nl": "Bedoelde u: (vrije tekst)", "en": "Did you mean: (free text)"},
    "ui_key_tie_pick": {"nl": "Kies wat u bedoelde", "en": "Pick what you meant"},
    "ui_key_tie_cancel": {"nl": "Opnieuw typen", "en": "Type it again"},
    "ui_tie_typed": {"nl": "U typte: “{text}”", "en": "You typed: “{text}”"},
    "ui_tie_help": {"nl": "1–{n}, ↑↓ Enter of klik: kiezen · Esc: opnieuw typen",
                    "en": "1–{n}, ↑↓ Enter or click: pick · Esc: type it again"},
})

# hardening: what the trainee is told when a line is refused or a turn cannot be saved (trainer/plain.py)
STRINGS.update({
    "typed_too_long": {"nl": "Dat is te lang ({n} tekens; maximaal {max}). Zeg het korter.",
                       "en": "That is too long ({n} characters; at most {max}). Say it more briefly."},
    "save_failed": {"nl": "De sessie kon niet worden opgeslagen: {why}.\nAlles tot en met beurt {turns} is bewaard; "
                          "uw laatste beurt niet. Maak ruimte vrij (of kies een andere map met --sessions) en ga "
                          "verder met: trainer play --resume {id}",
                    "en": "The session could not be saved: {why}.\nEverything up to turn {turns} is kept; your last "
                          "turn is not. Free some space (or choose another folder with --sessions) and continue "
                          "with: trainer play --resume {id}"},
    "start_failed": {"nl": "{why}. Kies een andere map met --sessions DIR (of GESPREKSTRAINER_SESSIONS).",
                     "en": "{why}. Choose another folder with --sessions DIR (or GESPREKSTRAINER_SESSIONS)."},
})

# free text answered by a persona's `reactions:` (issue 12): how a typed line was understood
ACT_LABELS: dict[str, dict[str, str]] = {
    "open_question": {"nl": "open vraag", "en": "open question"},
    "closed_question": {"nl": "gesloten vraag", "en": "closed question"},
    "simple_reflection": {"nl": "enkelvoudige reflectie", "en": "simple reflection"},
    "complex_reflection": {"nl": "complexe reflectie", "en": "complex reflection"},
    "affirmation": {"nl": "bevestiging", "en": "affirmation"},
    "summary": {"nl": "samenvatting", "en": "summary"},
    "giving_information": {"nl": "informatie geven", "en": "giving information"},
    "advice": {"nl": "advies zonder toestemming", "en": "advice without permission"},
    "advice_with_permission": {"nl": "advies met toestemming", "en": "advice with permission"},
    "autonomy_support": {"nl": "autonomie benadrukken", "en": "supporting autonomy"},
    "seeking_collaboration": {"nl": "samenwerking zoeken", "en": "seeking collaboration"},
    "directive": {"nl": "opdracht of sturing", "en": "directive"},
    "off_topic": {"nl": "niet over het gesprek", "en": "off topic"},
}
STRINGS.update({
    "reason_reaction": {"nl": "reactie op wat u deed", "en": "reaction to what you did"},
    "understood_as": {"nl": "  (begrepen als {act}; geen keuze paste, {name} reageert daarop)",
                      "en": "  (understood as {act}; no choice fitted, {name} reacts to that)"},
    "ui_free_understood_as": {"nl": "begrepen als {act}; geen keuze paste, {name} reageert daarop",
                              "en": "understood as {act}; no choice fitted, {name} reacts to that"},
    "reacted_to_typed": {"nl": "geen keuze paste; de persona reageerde op wat u zei",
                         "en": "no choice fitted; the persona reacted to what you said"},
})
