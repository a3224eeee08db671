"""Interface strings of the exports (HTML report, xlsx headers, cohort table), Dutch and English.

Kept here instead of in trainer/i18n.py so exports can grow without touching the shared string table; labels
that exist there (categories, MI codes, levels, phases, outcomes) are taken from there.
"""

from __future__ import annotations

from trainer.i18n import t as base_t

STRINGS: dict[str, dict[str, str]] = {
    "report_title": {"nl": "Gespreksverslag", "en": "Conversation report"},
    "cohort_title": {"nl": "Groepsoverzicht", "en": "Cohort overview"},
    "trainee": {"nl": "Deelnemer", "en": "Trainee"},
    "persona": {"nl": "Persona", "en": "Persona"},
    "mode": {"nl": "Modus", "en": "Mode"},
    "mode_practice": {"nl": "oefenen", "en": "practice"},
    "mode_assessment": {"nl": "toets", "en": "assessment"},
    "session": {"nl": "Sessie", "en": "Session"},
    "started": {"nl": "Begonnen", "en": "Started"},
    "finished_at": {"nl": "Afgerond", "en": "Finished"},
    "duration": {"nl": "Duur", "en": "Duration"},
    "turns": {"nl": "Beurten", "en": "Turns"},
    "outcome": {"nl": "Uitkomst", "en": "Outcome"},
    "score": {"nl": "Score", "en": "Score"},
    "level": {"nl": "Niveau", "en": "Level"},
    "passed": {"nl": "Behaald", "en": "Passed"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "not_finished": {"nl": "Niet afgerond", "en": "Not finished"},
    "unfinished_note": {"nl": "Dit gesprek is (nog) niet afgerond; de scores gelden voor het deel dat gespeeld is.",
                        "en": "This conversation is not finished (yet); the scores cover the part that was played."},
    "persona_changed": {"nl": "Let op: het personabestand is gewijzigd sinds deze sessie gespeeld werd.",
                        "en": "Note: the persona file changed since this session was played."},
    "chart_title": {"nl": "Vertrouwen en motivatie per beurt", "en": "Trust and motivation per turn"},
    "chart_desc": {"nl": "Lijngrafiek: vertrouwen (doorgetrokken lijn, rondjes) en motivatie (stippellijn, "
                         "vierkantjes), van 0 tot 100, na elke beurt.",
                   "en": "Line chart: trust (solid line, circles) and motivation (dashed line, squares), from 0 to "
                         "100, after each turn."},
    "trust": {"nl": "Vertrouwen", "en": "Trust"},
    "motivation": {"nl": "Motivatie", "en": "Motivation"},
    "phase": {"nl": "Fase", "en": "Phase"},
    "start": {"nl": "start", "en": "start"},
    "turn": {"nl": "Beurt", "en": "Turn"},
    "flags": {"nl": "Controlerend taalgebruik", "en": "Controlling language"},
    "no_flags": {"nl": "Geen controlerend taalgebruik gevonden.", "en": "No controlling language found."},
    "severity": {"nl": "ernst", "en": "severity"},
    "why": {"nl": "Waarom het schuurt", "en": "Why it lands badly"},
    "better": {"nl": "Beter", "en": "Better"},
    "missed_cues": {"nl": "Gemiste cues (eerherstel)", "en": "Missed cues (eerherstel)"},
    "picked_cues": {"nl": "Opgepakte cues", "en": "Cues picked up"},
    "no_missed": {"nl": "Geen cues gemist.", "en": "No cues missed."},
    "no_cues": {"nl": "De persona bood geen cues aan in dit gesprek.",
                "en": "The persona offered no cues in this conversation."},
    "persona_said": {"nl": "{name} zei", "en": "{name} said"},
    "why_matters": {"nl": "Waarom het ertoe doet", "en": "Why it matters"},
    "could_sound": {"nl": "Zo had het gekund", "en": "It could have sounded like"},
    "rubric": {"nl": "Rubric (geïnspireerd op MITI 4.2)", "en": "Rubric (inspired by MITI 4.2)"},
    "measure": {"nl": "Onderdeel", "en": "Measure"},
    "value": {"nl": "Waarde", "en": "Value"},
    "target": {"nl": "Norm", "en": "Target"},
    "counts": {"nl": "Tellingen", "en": "Counts"},
    "transcript": {"nl": "Volledig gesprek", "en": "Full transcript"},
    "typed": {"nl": "zelf getypt", "en": "typed"},
    "matched": {"nl": "herkend als keuze {id} (overeenkomst {score})",
                "en": "matched choice {id} (similarity {score})"},
    "not_matched": {"nl": "niet herkend; de persona vroeg door", "en": "not matched; the persona asked what was meant"},
    "ending": {"nl": "Einde", "en": "Ending"},
    "generated": {"nl": "Gemaakt met {generator}", "en": "Made with {generator}"},
    "contents": {"nl": "Inhoud", "en": "Contents"},
    "reason_choice": {"nl": "reactie op uw woorden", "en": "reaction to your words"},
    "reason_fallback": {"nl": "niet begrepen", "en": "not understood"},
    "cue_rate": {"nl": "Cues opgepakt", "en": "Cue response"},
    "controlling": {"nl": "Controlerend", "en": "Controlling"},
    "most_missed": {"nl": "Vaakst gemiste cues", "en": "Most missed cues"},
    "most_categories": {"nl": "Meest voorkomend controlerend taalgebruik", "en": "Most frequent controlling language"},
    "cue": {"nl": "Cue", "en": "Cue"},
    "offered": {"nl": "Aangeboden", "en": "Offered"},
    "picked": {"nl": "Opgepakt", "en": "Picked up"},
    "missed": {"nl": "Gemist", "en": "Missed"},
    "missed_pct": {"nl": "% gemist", "en": "% missed"},
    "category": {"nl": "Categorie", "en": "Category"},
    "flag_count": {"nl": "Vlaggen", "en": "Flags"},
    "sessions": {"nl": "Sessies", "en": "Sessions"},
    "severity_sum": {"nl": "Ernst (som)", "en": "Severity (sum)"},
    "totals": {"nl": "{n} sessies, {finished} afgerond, {passed} behaald; gemiddelde score {mean}",
               "en": "{n} sessions, {finished} finished, {passed} passed; mean score {mean}"},
    "more_rows": {"nl": "… en nog {n} sessies (gebruik --limit 0 voor alle, of --format csv/xlsx)",
                  "en": "… and {n} more sessions (use --limit 0 for all, or --format csv/xlsx)"},
    "final_trust": {"nl": "Vertrouwen eind", "en": "Final trust"},
    "final_motivation": {"nl": "Motivatie eind", "en": "Final motivation"},
    "rq_ratio": {"nl": "Reflecties:vragen", "en": "Reflections:questions"},
    "complex_pct": {"nl": "% complexe reflecties", "en": "% complex reflections"},
    "cue_response_pct": {"nl": "% cues opgepakt", "en": "% cues picked up"},
    "controlling_count": {"nl": "Controlerend (aantal)", "en": "Controlling (count)"},
    "controlling_severity": {"nl": "Controlerend (ernst)", "en": "Controlling (severity)"},
    "session_id": {"nl": "Sessie-id", "en": "Session id"},
    "persona_id": {"nl": "Persona-id", "en": "Persona id"},
    "duration_min": {"nl": "Duur (min)", "en": "Duration (min)"},
    "no_sessions": {"nl": "Geen sessies gevonden in {folder}.", "en": "No sessions found in {folder}."},
    "persona_line": {"nl": "Persona", "en": "Persona"},
    "ev_offered": {"nl": "aangeboden", "en": "offered"},
    "ev_picked_up": {"nl": "opgepakt", "en": "picked up"},
    "ev_missed": {"nl": "gemist", "en": "missed"},
}


def t(key: str, lang: str = "nl", **fields) -> str:
    entry = STRINGS.get(key)
    if entry is None:
        return base_t(key, lang, **fields)
    text = entry.get(lang) or entry["nl"]
    return text.format(**fields) if fields else text
