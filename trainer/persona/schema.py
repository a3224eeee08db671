"""JSON Schema of the persona format, for editors (completion and hover help while a trainer types).

Generated from the pydantic model (`shape.py`), with Dutch titles and descriptions added here, because the
people who read them in their editor are Dutch trainers. `schemas/persona.schema.json` is this output,
committed; a test keeps the two equal (`trainer schema -o schemas/persona.schema.json` to update it).
"""

from __future__ import annotations

import json

from trainer.persona.shape import Persona
from trainer.vocab import DEFAULT_PHASE_RULES

_PHASES = ", ".join(DEFAULT_PHASE_RULES)
_CONDITION = ("Voorwaarde, bijv. 'trust >= 40 and phase != \"weerstand\"'. Variabelen: trust, motivation, turns, "
              "phase; functies: visited(\"node\"), picked_up(\"cue\"), offered(\"cue\").")

# model name -> (title, description, {field alias: (title, description)})
DOCS: dict[str, tuple[str, str, dict[str, tuple[str, str]]]] = {
    "Persona": ("Persona", "Eén persona: wie het is, hoe het gesprek verloopt en hoe het kan aflopen. "
                "Zie docs/auteursgids.md.", {
        "format": ("Formaatversie", "Altijd 1."),
        "id": ("Id", "Korte naam van de persona: kleine letters, cijfers, _ en -. Gelijk aan de bestandsnaam."),
        "name": ("Naam", "Zoals de persona in het gesprek heet."),
        "age": ("Leeftijd", "Leeftijd in jaren (16–100)."),
        "difficulty": ("Moeilijkheid", "makkelijk, gemiddeld of moeilijk."),
        "situation": ("Situatie", "Eén regel op de personakaart."),
        "summary": ("Samenvatting", "Een paar zinnen over wie dit is; getoond vóór het gesprek."),
        "scene": ("Scène", "Waar en waarom het gesprek plaatsvindt; getoond vóór de eerste zin."),
        "facts": ("Feiten", "Achtergrond van de persona, elk met een bron uit het onderzoek."),
        "meters": ("Beginwaarden", "Vertrouwen en motivatie aan het begin (0–100)."),
        "phases": ("Faseregels", f"Eigen voorwaarden voor fasen ({_PHASES}); overschrijven de standaardregels."),
        "moods": ("Houding per fase", "Een korte zin over de houding van de persona in een fase."),
        "break_off": ("Afbreken", "Beëindigt het gesprek zodra de voorwaarde na een beurt waar is."),
        "sensitivities": ("Gevoeligheden", "Meterverandering wanneer de analyse een categorie vindt in wat de "
                          "klantmanager zegt, bijv. obligation: {trust: -10}."),
        "outcomes": ("Eigen uitkomsten", "Extra uitkomsten naast own_choice, postponed, complied en broken_off: "
                     "id: omschrijving."),
        "cues": ("Cues", "Aanknopingspunten voor eerherstel die de persona aanbiedt (trots, schaamte, werkverleden...)."),
        "start": ("Start", "Id van de node waarmee het gesprek begint."),
        "fallback": ("Terugvalzin", "Antwoord als vrije tekst bij geen enkele keuze past."),
        "fallback_effects": ("Effect van terugval", "Meterverandering bij een terugvalzin."),
        "nodes": ("Nodes", "De momenten in het gesprek: wat de persona zegt en wat u kunt antwoorden."),
        "endings": ("Afloop", "Hoe het gesprek kan eindigen."),
    }),
    "Fact": ("Feit", "Een achtergrondfeit met bron.", {
        "text": ("Tekst", "Het feit."),
        "sources": ("Bronnen", "Waar het feit op gebaseerd is (minstens één)."),
    }),
    "Meters": ("Meters", "Vertrouwen en motivatie, elk 0–100.", {
        "trust": ("Vertrouwen", "0–100; standaard 50."),
        "motivation": ("Motivatie", "0–100; standaard 50."),
    }),
    "Effects": ("Effect", "Verandering van de meters (−100 tot 100).", {
        "trust": ("Vertrouwen", "Verandering van vertrouwen, bijv. 5 of -10."),
        "motivation": ("Motivatie", "Verandering van motivatie, bijv. 5 of -10."),
    }),
    "BreakOff": ("Afbreken", "Wanneer de persona het gesprek afbreekt.", {
        "if": ("Voorwaarde", _CONDITION),
        "ending": ("Afloop", "Id van de afloop die dan volgt."),
    }),
    "Cue": ("Cue", "Iets wat de persona aanbiedt en dat om oppakken vraagt (eerherstel).", {
        "id": ("Id", "Korte naam van de cue."),
        "kind": ("Soort", "pride, shame, past_work, reason, feeling of plan."),
        "label": ("Label", "Korte omschrijving, getoond in de nabespreking."),
        "why": ("Waarom", "Waarom oppakken ertoe doet (nabespreking), met verwijzing naar het onderzoek."),
        "source": ("Bron", "Bron in het onderzoek."),
        "pickups": ("Voorbeelden van oppakken", "Zinnen waarmee een klantmanager de cue oppakt (nabespreking)."),
        "patterns": ("Woorden", "Woorden die in vrije tekst als oppakken tellen."),
    }),
    "Choice": ("Keuze", "Wat de klantmanager op dit moment kan zeggen.", {
        "id": ("Id", "Optioneel; standaard '<node>.<n>' (n telt vanaf 1)."),
        "text": ("Tekst", "Wat de klantmanager zegt."),
        "codes": ("MI-codes", "Gesprekstechniek(en), bijv. question, complex_reflection, affirm, confront."),
        "picks_up": ("Pakt op", "Ids van cues die deze keuze oppakt."),
        "effects": ("Effect", "Meterverandering door deze keuze (bovenop de gevoeligheden)."),
        "if": ("Voorwaarde", "Alleen beschikbaar als dit waar is. " + _CONDITION),
        "next": ("Volgende", "Id van de volgende node of van een afloop."),
        "controlling": ("Controlerend", "true voor een bewust controlerende keuze (anders waarschuwt lint, KM107)."),
        "examples": ("Voorbeeldzinnen", "Andere manieren om dit te zeggen, voor vrije tekst."),
    }),
    "Node": ("Node", "Een moment in het gesprek.", {
        "id": ("Id", "Korte naam van de node."),
        "say": ("Zegt", "Wat de persona zegt."),
        "variants": ("Varianten", "Dezelfde zin in een andere fase, bijv. open: ..."),
        "offers": ("Biedt aan", "Ids van cues die deze zin aanbiedt."),
        "choices": ("Keuzes", "1 tot 9 antwoorden voor de klantmanager."),
        "fallback": ("Terugvalzin", "Antwoord op vrije tekst die bij geen keuze past, alleen op deze node."),
    }),
    "Ending": ("Afloop", "Een einde van het gesprek.", {
        "id": ("Id", "Korte naam van de afloop."),
        "outcome": ("Uitkomst", "own_choice, postponed, complied, broken_off of een eigen uitkomst."),
        "say": ("Zegt", "De laatste zin van de persona."),
        "variants": ("Varianten", "De laatste zin in een andere fase."),
        "summary": ("Samenvatting", "Eén regel voor de nabespreking."),
    }),
}

# free text that fits no choice: how the persona reacts to what the line does (issue 12)
DOCS["Persona"][2]["reactions"] = (
    "Reacties", "Hoe de persona antwoordt op getypte tekst die bij geen keuze past, per soort zin (act), fase en node.")
DOCS["Reaction"] = ("Reactie", "Een antwoord op een soort zin die bij geen keuze past; de meest specifieke regel wint.", {
    "id": ("Id", "Optioneel; standaard 'reactions.<n>' (n telt vanaf 1)."),
    "acts": ("Soorten zin", "Bijv. open_question, reflection (enkelvoudig, complex, samenvatting), affirmation, "
                            "directive, advice, autonomy_support."),
    "phases": ("Fasen", "Alleen in deze fasen (leeg: altijd)."),
    "nodes": ("Nodes", "Alleen bij deze nodes (leeg: overal)."),
    "categories": ("Categorieën", "Alleen als de analyse een van deze categorieën in de zin vindt, bijv. obligation."),
    "effects": ("Effect", "Meterverandering door deze reactie (bovenop de gevoeligheden)."),
    "next": ("Volgende", "Optioneel: ga door naar deze node of afloop (anders blijft het gesprek bij de node)."),
    "say": ("Zegt", "Twee of meer zinnen; de persona zegt ze om de beurt, zonder herhaling."),
})


def persona_schema() -> dict:
    schema = Persona.model_json_schema(by_alias=True, mode="validation")
    defs = schema.get("$defs", {})
    for name, model_schema in [("Persona", schema), *defs.items()]:
        title, description, fields = DOCS[name]
        model_schema["title"] = title
        model_schema["description"] = description
        for key, prop in model_schema.get("properties", {}).items():
            prop_title, prop_description = fields[key]
            prop["title"] = prop_title
            prop["description"] = prop_description  # next to a "$ref" too, as JSON Schema 2020-12 allows
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Generated by `trainer schema` from trainer/persona/shape.py; do not edit by hand.",
        **schema,
    }


def schema_text() -> str:
    return json.dumps(persona_schema(), indent=2, ensure_ascii=False) + "\n"
