"""The wording of persona diagnostics, in Dutch (default) and English.

Trainers read these while writing YAML, so they say what the trainer did (indented a line too far, typed a tab,
forgot quotes) and use the trainer's names (`net_terug.2`, counted from 1), not the parser's. The language is
chosen once per process: `set_lang()` from a command's `--lang`, else GESPREKSTRAINER_LANG, else Dutch.
"""

from __future__ import annotations

import os

_LANG: str | None = None


def set_lang(lang: str | None) -> None:
    """Use `lang` ("nl" or "en") for every diagnostic from now on; None: back to the environment's choice."""
    global _LANG
    _LANG = lang if lang in ("nl", "en") else None


def current_lang() -> str:
    if _LANG:
        return _LANG
    env = os.environ.get("GESPREKSTRAINER_LANG", "nl")
    return env if env in ("nl", "en") else "nl"


def m(_key: str, **fields) -> str:
    """The message `key` in the current language, filled in."""
    entry = MESSAGES[_key]
    return (entry.get(current_lang()) or entry["nl"]).format(**fields)


MESSAGES: dict[str, dict[str, str]] = {
    # --- reading the file (yamlsrc) ----------------------------------------------------------------------------
    "cannot_read": {"nl": "bestand kan niet gelezen worden: {why}", "en": "cannot read file: {why}"},
    "too_big": {"nl": "bestand is groter dan {kib} KiB; een echte persona is 30-90 KiB",
                "en": "file is larger than {kib} KiB; a real persona is 30-90 KiB"},
    "not_utf8": {"nl": "bestand is geen UTF-8-tekst; sla het op als UTF-8 in uw editor",
                 "en": "file is not valid UTF-8 text; save it as UTF-8 in your editor"},
    "control_char_file": {"nl": "stuurteken U+{code:04X} in het bestand; dit teken hoort niet in tekst, haal het weg",
                          "en": "control character U+{code:04X} in the file; it does not belong in text, remove it"},
    "control_char_text": {"nl": "tekst bevat een stuurteken (U+{code:04X}, bijv. een escape-reeks die het scherm van "
                                "de deelnemer kan veranderen); haal het weg",
                          "en": "text contains a control character (U+{code:04X}, e.g. an escape sequence that can "
                                "change the trainee's screen); remove it"},
    "empty": {"nl": "het bestand is leeg; een persona begint met 'id:' (maak een begin met: trainer new NAAM)",
              "en": "the file is empty; a persona starts with 'id:' (get a start with: trainer new NAME)"},
    "not_mapping": {"nl": "een personabestand bestaat uit sleutels met waarden (id:, name:, ...), niet uit een "
                          "lijst of losse tekst",
                    "en": "a persona file must be a mapping of keys (id:, name:, ...)"},
    "too_deep": {"nl": "meer dan {depth} niveaus diep genest; zo diep gaat een persona nooit",
                 "en": "nesting deeper than {depth} levels"},
    "too_many_values": {"nl": "het bestand groeit uit tot meer dan {n:,} waarden (aliassen die zichzelf "
                              "vermenigvuldigen?); geweigerd",
                        "en": "the file expands to more than {n:,} values (aliases that blow up?); refused"},
    "recursive_alias": {"nl": "alias *{name} verwijst naar zichzelf; geweigerd",
                        "en": "alias *{name} refers to itself (recursive alias); refused"},
    "undefined_alias": {"nl": "alias *{name} is nergens gedefinieerd (met &{name})",
                        "en": "alias *{name} is not defined anywhere (with &{name})"},
    "anchor_twice": {"nl": "anker &{name} staat er twee keer in", "en": "anchor &{name} is defined twice"},
    "second_document": {"nl": "een personabestand bevat één YAML-document; haal de tweede '---' weg",
                        "en": "a persona file holds one YAML document; remove the second '---'"},
    "merge_key": {"nl": "samenvoegsleutels ('<<') kunnen niet in een personabestand; schrijf de velden uit",
                  "en": "merge keys ('<<') are not supported in persona files; write the fields out"},
    "unsupported_tag": {"nl": "YAML-label {tag} wordt niet ondersteund", "en": "unsupported YAML tag {tag}"},
    "key_not_word": {"nl": "een sleutel moet een gewoon woord zijn, geen lijst of mapping",
                     "en": "a key must be a plain word, not a list or mapping"},
    "duplicate_key": {"nl": "sleutel '{key}' staat er twee keer{first}; de tweede zou de eerste stil vervangen",
                      "en": "duplicate key '{key}'{first}; the second would silently replace the first"},
    "dash_forgotten": {"nl": "; begint hier een nieuw onderdeel (een nieuwe keuze, node, ...)? Zet dan '- ' voor de "
                             "eerste sleutel ervan",
                       "en": "; does a new item (a new choice, node, ...) start here? Then put '- ' before its first key"},
    "first_at": {"nl": " (eerst op regel {line})", "en": " (first at line {line})"},
    "unsupported_value": {"nl": "deze waarde wordt niet begrepen: {why}", "en": "unsupported value: {why}"},
    "huge_number": {"nl": "een getal van {digits} cijfers is veel te groot; meters en leeftijden zijn klein (0-100)",
                    "en": "a number of {digits} digits is far too large; meters and ages are small (0-100)"},
    # --- YAML syntax, in the trainer's terms -------------------------------------------------------------------
    "yaml_tab": {"nl": "er staat een tab in de inspringing; YAML kent alleen spaties: vervang de tab door spaties "
                       "(zet uw editor op 'tabs als spaties')",
                 "en": "there is a tab in the indentation; YAML only allows spaces: replace the tab by spaces "
                       "(set your editor to 'insert spaces for tabs')"},
    "yaml_indent_more": {"nl": "deze regel springt verder in dan de regel erboven; sleutels van hetzelfde onderdeel "
                               "staan recht onder elkaar (bijv. 'say:' recht onder 'id:')",
                         "en": "this line is indented further than the line above; keys of one item line up "
                               "exactly (e.g. 'say:' right under 'id:')"},
    "yaml_indent": {"nl": "de inspringing klopt niet: deze regel staat niet recht onder de regels van hetzelfde "
                          "niveau (tel de spaties; een lijstonderdeel begint met '- ')",
                    "en": "the indentation is off: this line does not line up with the lines of its level "
                          "(count the spaces; a list item starts with '- ')"},
    "yaml_colon": {"nl": "deze tekst bevat een dubbele punt gevolgd door een spatie; zet de hele tekst tussen "
                         "aanhalingstekens, bijv. {key}: \"{value}\"",
                   "en": "this text contains a colon followed by a space; put the whole text in quotes, "
                         "e.g. {key}: \"{value}\""},
    "yaml_unclosed_quote": {"nl": "deze tekst tussen aanhalingstekens wordt nooit afgesloten (een \" of ' vergeten)",
                            "en": "this quoted text is never closed (a missing \" or ')"},
    "yaml_quote_inside": {"nl": "na de afsluitende aanhalingstekens komt nog tekst; staat er een \" of ' midden in "
                                "de tekst? Gebruik dan de andere soort aanhalingstekens eromheen",
                          "en": "text follows the closing quote; is there a \" or ' inside the text? Then use the "
                                "other kind of quotes around it"},
    "yaml_start_char": {"nl": "tekst mag niet beginnen met '{char}'; zet de tekst tussen aanhalingstekens",
                        "en": "text cannot start with '{char}'; put the text in quotes"},
    "yaml_no_colon": {"nl": "hier werd 'sleutel: waarde' verwacht; is een ':' vergeten, of loopt tekst door op een "
                            "nieuwe regel zonder aanhalingstekens?",
                      "en": "a 'key: value' was expected here; is a ':' missing, or does text run on to a new line "
                            "without quotes?"},
    "yaml_flow": {"nl": "een lijst tussen [ ] of {{ }} is niet goed gesloten, of een tekst erin bevat een komma of "
                        "dubbele punt: zet zulke tekst tussen aanhalingstekens",
                  "en": "a list in [ ] or {{ }} is not closed properly, or a text in it holds a comma or colon: put "
                        "such text in quotes"},
    "yaml_escape": {"nl": "een \\ binnen dubbele aanhalingstekens begint een codereeks; gebruik enkele "
                          "aanhalingstekens of schrijf \\\\",
                    "en": "a \\ inside double quotes starts an escape sequence; use single quotes or write \\\\"},
    "yaml_other": {"nl": "YAML-syntaxfout (de parser zegt: {problem}); kijk naar inspringing, dubbele punten en "
                         "aanhalingstekens op deze regel of de regel erboven",
                   "en": "YAML syntax error (the parser says: {problem}); check indentation, colons and quotes on "
                         "this line or the one above"},
    # --- shape (loader) ------------------------------------------------------------------------------------------
    "unknown_key": {"nl": "onbekende sleutel '{key}'{hint}{where}", "en": "unknown key '{key}'{hint}{where}"},
    "allowed_keys": {"nl": "; hier kan: {keys}", "en": "; allowed here: {keys}"},
    "missing": {"nl": "verplicht veld '{field}' ontbreekt{where}", "en": "missing required field '{field}'{where}"},
    "range": {"nl": "'{field}' is {value}, maar moet tussen {lo} en {hi} liggen{where}",
              "en": "'{field}' is {value}, but must be between {lo} and {hi}{where}"},
    "bad_literal": {"nl": "'{value}' is geen geldige {what}{hint}{where}; kies uit: {options}",
                    "en": "'{value}' is not a valid {what}{hint}{where}; choose one of: {options}"},
    "what_mi_code": {"nl": "MI-code", "en": "MI code"},
    "what_difficulty": {"nl": "moeilijkheid", "en": "difficulty"},
    "what_cue_kind": {"nl": "soort cue", "en": "cue kind"},
    "what_format": {"nl": "formaatversie", "en": "format version"},
    "bad_id": {"nl": "'{value}' is geen geldig id: gebruik kleine letters, cijfers, '_' en '-' (geen spaties)",
               "en": "'{value}' is not a valid id: use lowercase letters, digits, '_' and '-' (no spaces)"},
    "too_short_list": {"nl": "'{field}' moet minstens {n} onderdeel/onderdelen hebben{where}",
                       "en": "'{field}' needs at least {n} item(s){where}"},
    "too_long_list": {"nl": "'{field}' mag hoogstens {n} onderdelen hebben{where}",
                      "en": "'{field}' may have at most {n} items{where}"},
    "empty_text": {"nl": "'{field}' is leeg{where}; schrijf er tekst in", "en": "'{field}' is empty{where}; write some text"},
    "too_long_text": {"nl": "'{field}' is langer dan {n} tekens{where}", "en": "'{field}' is longer than {n} characters{where}"},
    "wrong_type": {"nl": "'{field}' moet {want} zijn, niet {got}{where}{tip}", "en": "'{field}' must be {want}, not {got}{where}{tip}"},
    "type_text": {"nl": "tekst", "en": "text"},
    "type_int": {"nl": "een geheel getal", "en": "a whole number"},
    "type_bool": {"nl": "true of false", "en": "true or false"},
    "type_list": {"nl": "een lijst", "en": "a list"},
    "type_dict": {"nl": "een mapping (sleutel: waarde)", "en": "a mapping (key: value)"},
    "type_none": {"nl": "niets (leeg)", "en": "nothing"},
    "type_float": {"nl": "een kommagetal", "en": "a number with decimals"},
    "tip_yes_no": {"nl": " (yes/no/on/off leest YAML als true/false: zet tekst tussen aanhalingstekens)",
                   "en": " (YAML reads yes/no/on/off as true/false: put text in quotes)"},
    "tip_quote_number": {"nl": " (zet een getal dat tekst moet zijn tussen aanhalingstekens)",
                         "en": " (put a number that should be text in quotes)"},
    "invalid_value": {"nl": "'{field}': ongeldige waarde ({why}){where}", "en": "'{field}': {why}{where}"},
    "not_allowed_key": {"nl": "'{key}' kan hier niet", "en": "'{key}' is not allowed here"},
    "unknown_phase": {"nl": "onbekende fase '{key}'{hint}; fasen: {phases}", "en": "unknown phase '{key}'{hint}; phases: {phases}"},
    "unknown_category": {"nl": "onbekende categorie '{key}'{hint}; zie de lijst in de auteursgids",
                         "en": "unknown category '{key}'{hint}; see the list in the guide"},
    "did_you_mean": {"nl": " (bedoelt u '{word}'?)", "en": " (did you mean '{word}'?)"},
    # --- names of places, as a trainer says them -----------------------------------------------------------------
    "in_choice": {"nl": " in keuze {id}", "en": " in choice {id}"},
    "in_node": {"nl": " in node {id}", "en": " in node {id}"},
    "in_ending": {"nl": " in afloop {id}", "en": " in ending {id}"},
    "in_cue": {"nl": " in cue {id}", "en": " in cue {id}"},
    "in_fact": {"nl": " in feit {n}", "en": " in fact {n}"},
    "in_field": {"nl": " in '{field}'", "en": " in '{field}'"},
    "node_n": {"nl": "nummer {n} (zonder id)", "en": "number {n} (without id)"},
    # --- references (semantics) -----------------------------------------------------------------------------------
    "duplicate_id": {"nl": "id '{id}' wordt al gebruikt (op regel {line}); nodes en afloop delen één set namen",
                     "en": "duplicate id '{id}' (already used at line {line}); nodes and endings share one set of names"},
    "duplicate_cue": {"nl": "cue-id '{id}' staat er twee keer", "en": "duplicate cue id '{id}'"},
    "duplicate_choice": {"nl": "keuze-id '{id}' wordt al gebruikt (op regel {line})",
                         "en": "duplicate choice id '{id}' (already used at line {line})"},
    "id_filename": {"nl": "id '{id}' verschilt van de bestandsnaam '{stem}'; persona's worden op bestandsnaam gevonden",
                    "en": "id '{id}' differs from the file name '{stem}'; personas are found by file name"},
    "start_is_ending": {"nl": "start '{id}' is een afloop; start moet een node noemen",
                        "en": "start '{id}' is an ending; start must name a node"},
    "start_unknown": {"nl": "start noemt onbekende node '{id}'{hint}", "en": "start names unknown node '{id}'{hint}"},
    "unknown_outcome": {"nl": "onbekende uitkomst '{id}'{hint}; bekend: {known} (eigen uitkomsten zet u onder "
                              "'outcomes:')",
                        "en": "unknown outcome '{id}'{hint}; known: {known} (define your own under 'outcomes:')"},
    "unknown_cue": {"nl": "onbekende cue '{id}'{hint}{where}", "en": "unknown cue '{id}'{hint}{where}"},
    "unknown_next": {"nl": "next noemt onbekende node of afloop '{id}'{hint}{where}",
                     "en": "next names unknown node or ending '{id}'{hint}{where}"},
    "break_unknown": {"nl": "break_off noemt onbekende afloop '{id}'{hint}", "en": "break_off names unknown ending '{id}'{hint}"},
    "visited_unknown": {"nl": "visited() noemt onbekende node '{id}'{hint}", "en": "visited() names unknown node '{id}'{hint}"},
    "fn_unknown_cue": {"nl": "{fn}() noemt onbekende cue '{id}'{hint}", "en": "{fn}() names unknown cue '{id}'{hint}"},
    "phase_rule_phase": {"nl": "een faseregel kan 'phase' zelf niet gebruiken; gebruik trust, motivation, turns, visited()",
                         "en": "a phase rule cannot use 'phase' itself; use trust, motivation, turns, visited()"},
    "unknown_phase_cmp": {"nl": "onbekende fase '{value}'{hint}; fasen: {phases}", "en": "unknown phase '{value}'{hint}; phases: {phases}"},
    "meter_range": {"nl": "{var} ligt altijd tussen 0 en 100; {value} kan nooit", "en": "{var} is always between 0 and 100; {value} is out of range"},
    # --- lint ---------------------------------------------------------------------------------------------------
    "lint_visited_never": {"nl": "visited(\"{arg}\") is hier altijd onwaar: geen gesprek komt bij '{arg}' vóór "
                                 "'{node}', dus keuze {choice} is nooit open",
                           "en": "visited(\"{arg}\") is always false here: no conversation reaches '{arg}' before "
                                 "'{node}', so choice '{choice}' is never open"},
    "lint_never_true": {"nl": "deze voorwaarde kan nooit waar zijn, dus keuze {choice} is nooit open",
                        "en": "this condition can never be true, so choice '{choice}' is never open"},
    "lint_only_closed": {"nl": " (alleen via keuzes die nooit open zijn)", "en": " (only through choices that are never open)"},
    "lint_unreachable": {"nl": "node '{node}' is vanaf start '{start}' niet te bereiken{why}",
                         "en": "node '{node}' cannot be reached from start '{start}'{why}"},
    "lint_loop": {"nl": "lus zonder uitweg: vanuit {members} is geen afloop te bereiken",
                  "en": "loop without a way out: from {members} no ending can be reached"},
    "lint_dead_end": {"nl": "doodlopend: geen enkele keuze van '{node}' kan ooit open zijn",
                      "en": "dead end: none of the choices of '{node}' can ever be open"},
    "lint_unreached_ending": {"nl": "geen gesprek komt bij afloop '{ending}'", "en": "no conversation reaches ending '{ending}'"},
    "lint_not_picked": {"nl": "geen keuze pakt cue '{cue}' op (zet hem bij picks_up van een keuze)",
                        "en": "no choice picks up cue '{cue}' (add it to a choice's picks_up)"},
    "lint_not_offered": {"nl": "geen node biedt cue '{cue}' aan (zet hem bij offers van een node)",
                         "en": "no node offers cue '{cue}' (add it to a node's offers)"},
    "lint_no_examples": {"nl": "keuze {choice} heeft geen examples: vrije tekst wordt alleen met de tekst vergeleken",
                         "en": "choice '{choice}' has no examples: free text is matched on its text only"},
    "lint_for_example": {"nl": " (bijvoorbeeld bij {example})", "en": " (for example at {example})"},
    "lint_no_open": {"nl": "elke keuze van '{node}' heeft een voorwaarde en ze kunnen allemaal tegelijk onwaar "
                           "zijn{when}; voeg een keuze zonder 'if:' toe",
                     "en": "every choice of '{node}' has a condition and all can be false at once{when}; add a "
                           "choice without 'if:'"},
    "variant_start": {"nl": "de variant voor fase '{phase}' van '{node}' wordt nooit getoond: het gesprek begint hier "
                            "in fase '{start}' (trust {trust}, motivation {motivation}) en geen keuze leidt terug "
                            "naar '{node}'",
                      "en": "the '{phase}' variant of '{node}' never shows: the conversation starts here in phase "
                            "'{start}' (trust {trust}, motivation {motivation}) and no choice leads back to '{node}'"},
    "lint_controlling": {"nl": "keuze '{choice}' klinkt controlerend{detail}; zet er 'controlling: true' bij als dat "
                               "de bedoeling is, of formuleer haar anders",
                         "en": "choice '{choice}' sounds controlling{detail}; add 'controlling: true' if that is "
                               "intended, or rephrase it"},
    "lint_by_meaning": {"nl": "{category}: de hele zin, op betekenis, score {score}",
                        "en": "{category}: whole line, by meaning, score {score}"},
    # --- summary lines of validate and lint ----------------------------------------------------------------------
    "count_error": {"nl": "{n} fout", "en": "{n} error"},
    "count_errors": {"nl": "{n} fouten", "en": "{n} errors"},
    "count_warning": {"nl": "{n} waarschuwing", "en": "{n} warning"},
    "count_warnings": {"nl": "{n} waarschuwingen", "en": "{n} warnings"},
    "count_info": {"nl": "{n} info", "en": "{n} info"},
    "count_infos": {"nl": "{n} info", "en": "{n} info"},
    "guide_hint": {"nl": "Uitleg per code: {path}", "en": "Explanation of each code (in Dutch): {path}"},
    "fix_errors_first": {"nl": "{file}: {counts}; los eerst de fouten op, daarna controleert lint de rest",
                         "en": "{file}: {counts}; fix the errors first, then lint checks the rest"},
    # --- reactions: how a persona answers typed lines that fit no choice (KM113-KM116) --------------------------
    "reaction_duplicate_id": {"nl": "reactie-id '{id}' staat er twee keer", "en": "duplicate reaction id '{id}'"},
    "reaction_unknown_node": {"nl": "reactie noemt onbekende node '{id}'{hint}",
                              "en": "reaction names unknown node '{id}'{hint}"},
    "reaction_never_used": {"nl": "reactie '{id}' wordt nooit gebruikt: in elke situatie waarvoor ze geldt, wint een "
                                  "andere reactie (een specifiekere, of een even specifieke die eerder staat){far}",
                            "en": "reaction '{id}' is never used: in every situation it covers another reaction wins "
                                  "(a more specific one, or an equal one written earlier){far}"},
    "reaction_nodes_unreached": {"nl": ", en haar nodes worden nooit bereikt", "en": ", and its nodes are never reached"},
    "reaction_line_twice": {"nl": "deze zin staat al in reactie '{id}'; de kopie wordt nooit gezegd",
                            "en": "this line is already written in reaction '{id}'; the copy is never said"},
    "reaction_one_line": {"nl": "reactie '{id}' heeft maar één zin: de persona zegt die elke keer woord voor woord "
                                "(schrijf er twee of drie)",
                          "en": "reaction '{id}' has one line only: the persona says it word for word every time "
                                "(write two or three)"},
    "reaction_missing_act": {"nl": "geen reactie op soort zin '{act}' in fase {phases}: een getypte zin van die soort "
                                   "krijgt daar alleen de terugvalzin",
                             "en": "no reaction for act '{act}' in phase {phases}: a typed line of that kind gets only "
                                   "the fallback there"},
    "reaction_next_everywhere": {"nl": "reactie '{id}' gaat vanaf elke node naar '{next}'; zet er 'nodes:' bij om te "
                                       "zeggen waar ze geldt",
                                 "en": "reaction '{id}' moves to '{next}' from every node; add 'nodes:' to say where it "
                                       "applies"},
    "variant_never": {"nl": "de variant voor fase '{phase}' van '{node}' wordt nooit getoond: volgens de faseregels "
                            "is de persona hier nooit in fase '{phase}'",
                      "en": "the '{phase}' variant of '{node}' never shows: by the phase rules the persona is never "
                            "in phase '{phase}' here"},
    "shared_node": {"nl": "node '{node}' volgt op {n} keuzes ({choices}); wat de persona hier zegt moet na elk "
                          "ervan passen",
                    "en": "node '{node}' follows {n} choices ({choices}); what the persona says here must fit after "
                          "each of them"},
    # --- conditions ------------------------------------------------------------------------------------------------
    "condition": {"nl": "voorwaarde: {text}", "en": "condition: {text}"},
    "cond_fix": {"nl": "; zo klopt het: {fixed}", "en": "; corrected: {fixed}"},
    "cond_eq": {"nl": "vergelijk met '==', niet met '='", "en": "use '==' to compare, not '='"},
    "cond_arrow": {"nl": "schrijf '{right}', niet '{wrong}'", "en": "write '{right}', not '{wrong}'"},
    "cond_andor": {"nl": "schrijf '{word}' in plaats van '{sym}'", "en": "use '{word}' instead of '{sym}'"},
    "cond_dutch_word": {"nl": "schrijf '{word}' in plaats van '{dutch}' (voorwaarden gebruiken and, or, not)",
                        "en": "use '{word}' instead of '{dutch}' (conditions use and, or, not)"},
    "cond_case": {"nl": "schrijf '{word}' met kleine letters", "en": "write '{word}' in lowercase"},
    "cond_unquoted_phase": {"nl": "de fasenaam {word} moet tussen aanhalingstekens: \"{word}\"",
                            "en": "the phase name {word} needs quotes: \"{word}\""},
    "cond_unquoted_arg": {"nl": "{fn}() wil een id tussen aanhalingstekens: {fn}(\"{word}\")",
                          "en": "{fn}() takes an id in quotes: {fn}(\"{word}\")"},
    "cond_unclosed": {"nl": "de tekst tussen aanhalingstekens wordt niet afgesloten", "en": "the quoted text is not closed"},
    "cond_char": {"nl": "onverwacht teken {char!r}", "en": "unexpected character {char!r}"},
    "cond_empty": {"nl": "lege voorwaarde; laat 'if:' weg als de keuze altijd open is",
                   "en": "empty condition; leave out 'if:' when the choice is always open"},
    "cond_expected": {"nl": "hier hoort {want}, maar er staat {found}", "en": "expected {want} but found {found}"},
    "cond_the_end": {"nl": "niets meer", "en": "the end"},
    "cond_trailing": {"nl": "onverwacht {tok}; hier hoort 'and', 'or' of het einde", "en": "unexpected {tok}; expected 'and', 'or' or the end"},
    "cond_needs_before": {"nl": "'{word}' heeft iets ervoor nodig", "en": "'{word}' needs something before it"},
    "cond_needs_arg": {"nl": "{fn} heeft een argument nodig: {fn}(\"...\")", "en": "{fn} needs an argument: {fn}(\"...\")"},
    "cond_unknown_var": {"nl": "onbekende variabele '{word}'{hint}; bekend: trust, motivation, turns, phase",
                         "en": "unknown variable '{word}'{hint}; known: trust, motivation, turns, phase"},
    "cond_unknown_fn": {"nl": "onbekende functie '{word}'{hint}; bekend: visited, picked_up, offered",
                        "en": "unknown function '{word}'{hint}; known: visited, picked_up, offered"},
    "cond_arg": {"nl": "{fn}() wil één id tussen aanhalingstekens, bijv. {fn}(\"id\")",
                 "en": "{fn}() takes one quoted id, e.g. {fn}(\"id\")"},
    "cond_early_end": {"nl": "de voorwaarde houdt te vroeg op", "en": "condition ends too early"},
    "cond_unexpected": {"nl": "onverwacht {tok}", "en": "unexpected {tok}"},
    "cond_mix": {"nl": "een {a} kan niet vergeleken worden met een {b}", "en": "cannot compare a {a} with a {b}"},
    "cond_kind_number": {"nl": "getal", "en": "number"},
    "cond_kind_string": {"nl": "tekst", "en": "string"},
    "cond_kind_bool": {"nl": "waar/onwaar", "en": "bool"},
    "cond_only_numbers": {"nl": "'{op}' vergelijkt alleen getallen", "en": "'{op}' only compares numbers"},
    "cond_not_text": {"nl": "een voorwaarde moet tekst zijn", "en": "a condition must be text"},
    "cond_too_long": {"nl": "langer dan {n} tekens; vereenvoudig de voorwaarde",
                      "en": "longer than {n} characters; simplify the condition"},
    "cond_too_deep": {"nl": "meer dan {n} haakjes of 'not' in elkaar; vereenvoudig de voorwaarde",
                      "en": "more than {n} parentheses or 'not' inside each other; simplify the condition"},
    "cond_big_number": {"nl": "getal van {digits} cijfers is te groot; meters lopen van 0 tot 100",
                        "en": "a number of {digits} digits is too large; meters run from 0 to 100"},
}


def place(data, path: tuple) -> str:
    """Where `path` is, in the trainer's names: ' in keuze net_terug.2' (choices count from 1, like the engine's
    ids), ' in node opening', ' in afloop einde', ' in cue trots', ' in feit 2'; '' at the top of the file."""
    if len(path) < 2 or not isinstance(path[1], int):
        return m("in_field", field=path[0]) if len(path) >= 2 and isinstance(path[0], str) else ""
    section, n = path[0], path[1]
    items = data.get(section) if isinstance(data, dict) else None
    item = items[n] if isinstance(items, list) and 0 <= n < len(items) else None
    ident = item.get("id") if isinstance(item, dict) else None
    name = ident if isinstance(ident, str) and ident else m("node_n", n=n + 1)
    if section == "nodes":
        if len(path) >= 4 and path[2] == "choices" and isinstance(path[3], int):
            choices = item.get("choices") if isinstance(item, dict) else None
            c = path[3]
            choice = choices[c] if isinstance(choices, list) and 0 <= c < len(choices) else None
            own = choice.get("id") if isinstance(choice, dict) else None
            return m("in_choice", id=own if isinstance(own, str) and own else f"{name}.{c + 1}")
        return m("in_node", id=name)
    if section == "endings":
        return m("in_ending", id=name)
    if section == "cues":
        return m("in_cue", id=name)
    if section == "facts":
        return m("in_fact", n=n + 1)
    return m("in_field", field=section)


def did_you_mean(word, options) -> str:
    import difflib

    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return m("did_you_mean", word=close[0]) if close else ""
