"""The controlling-language detector: measured quality on a labelled set, idioms, spans, lexicon files, CLI.

The labelled set is tests/data/analyser_eval.yaml (its header records how the lexicon did on each batch while
the batch was still unseen; the bar here is on the whole set).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from trainer.debrief import analyser as A
from trainer.debrief.analyser import LexiconError, analyse, compile_words, load_lexicon, to_json
from trainer.vocab import CONTROLLING_CATEGORIES, MI_CODES, SUPPORTIVE_CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
ITEMS = yaml.safe_load((ROOT / "tests" / "data" / "analyser_eval.yaml").read_text(encoding="utf-8"))["items"]


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon(env=False)  # the built-in lexicon only, whatever the environment says


def _scores(items, lexicon):
    tp = fp = fn = 0
    for it in items:
        got = analyse(it["text"], lexicon=lexicon).controlling
        tp += it["controlling"] and got
        fp += got and not it["controlling"]
        fn += it["controlling"] and not got
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


# --- measured quality ----------------------------------------------------------------------------------------

def test_eval_set_is_big_enough_and_well_formed():
    nl = [it for it in ITEMS if it["lang"] == "nl"]
    en = [it for it in ITEMS if it["lang"] == "en"]
    assert len(nl) >= 170 and len(en) >= 35
    texts = [it["text"] for it in ITEMS]
    assert len(texts) == len(set(texts)), "duplicate lines in the eval set"
    for it in ITEMS:
        assert set(it["categories"]) <= set(CONTROLLING_CATEGORIES + SUPPORTIVE_CATEGORIES), it
        if it["controlling"]:
            assert set(it["categories"]) & set(CONTROLLING_CATEGORIES), f"controlling without a category: {it}"
        else:
            assert not set(it["categories"]) & set(CONTROLLING_CATEGORIES), it
    assert sum(it.get("study", False) for it in ITEMS) >= 20


def test_precision_and_recall(lexicon):
    report, failures = [], []
    for name, items in (("nl", [i for i in ITEMS if i["lang"] == "nl"]),
                        ("en", [i for i in ITEMS if i["lang"] == "en"]), ("all", ITEMS)):
        p, r = _scores(items, lexicon)
        report.append(f"{name:>3}: precision {p:.3f}  recall {r:.3f}  ({len(items)} lines)")
        if p < 0.9 or r < 0.9:
            failures.append(name)
    ctrl = [it for it in ITEMS if it["controlling"]]
    ok = sum(set(it["categories"]) & set(CONTROLLING_CATEGORIES) <= analyse(it["text"], lexicon=lexicon).categories
             for it in ctrl)
    report.append(f"controlling lines with all expected categories found: {ok}/{len(ctrl)}")
    print("\nanalyser on tests/data/analyser_eval.yaml\n  " + "\n  ".join(report))
    assert not failures, "\n".join(report)
    assert ok / len(ctrl) >= 0.9, "\n".join(report)


def test_detected_language_matches_labels(lexicon):
    wrong = [it["text"] for it in ITEMS if analyse(it["text"], lexicon=lexicon).lang != it["lang"]]
    assert len(wrong) <= len(ITEMS) // 50, wrong


@pytest.mark.parametrize("item", [it for it in ITEMS if it.get("study")], ids=lambda it: it["text"][:40])
def test_every_study_line(item, lexicon):
    """Every client-manager line the study reports as hurtful is flagged, with the expected category.

    Two study lines are labelled not controlling on purpose: Trees's client manager's opening question and
    Henk's assessment question; the study does not blame those words, and flagging them would be wrong."""
    a = analyse(item["text"], lexicon=lexicon)
    assert a.controlling == item["controlling"], (item["text"], a.flags)
    expected = set(item["categories"]) & set(CONTROLLING_CATEGORIES)
    assert expected <= a.categories, (item["text"], sorted(a.categories))


IDIOMS = [
    "Dat moet je zelf weten.",
    "Je hoeft niet meteen iets te kiezen.",
    "Het is niet verplicht.",
    "Je mag ook nee zeggen.",
    "Ik moet eerlijk zeggen dat ik het niet weet.",
    "U hoeft niets te beslissen vandaag.",
    "Ik wil niets controleren.",
    "Moet ik u daarbij helpen?",
    "Wat moet er volgens u gebeuren?",
    "Je moet het zelf willen.",
    "Dat moet zwaar zijn geweest.",
    "Er is geen enkele verplichting.",
    "Het is niet uw eigen schuld.",
    "U bent nergens toe verplicht.",
    "Moet u morgen werken?",
    "Geen haast, hoor.",
    "It's up to you.",
    "You don't have to decide today.",
    "It's not mandatory.",
    "I have to say, that's impressive.",
    "I must admit I don't know.",
    "You can also say no.",
]


@pytest.mark.parametrize("text", IDIOMS)
def test_idioms_and_negations_are_not_flagged(text, lexicon):
    a = analyse(text, lexicon=lexicon)
    assert not a.controlling, [(f.rule, text[f.start:f.end]) for f in a.flags]


@pytest.mark.parametrize("text, category", [
    ("U dient te verschijnen.", "obligation"),
    ("Je bent verplicht om mee te doen.", "obligation"),
    ("Je moet maandag beginnen.", "obligation"),
    ("Dan controleer ik over een jaar of je al iets gevonden hebt.", "surveillance"),
    ("Ik houd bij hoeveel uur u werkt.", "surveillance"),
    ("Anders korten we je uitkering.", "sanction"),
    ("Dan stopt je uitkering.", "sanction"),
    ("Ik heb al iets voor je uitgezocht.", "deciding_for"),
    ("Ik heb je aangemeld bij de voedselbank.", "deciding_for"),
    ("Hier is het adres, daar meld je je maandag.", "deciding_for"),
    ("Stel je niet aan.", "dismissing_feelings"),
    ("Vanaf nu gaan we positief zijn.", "dismissing_feelings"),
    ("Kop op!", "dismissing_feelings"),
    ("We moeten vaart maken.", "pressure"),
    ("Ik heb targets.", "pressure"),
    ("Mijn baas wil dat u begint.", "pressure"),
    ("Waarom heb je dat dan niet eerder gedaan?", "blame"),
    ("Dat is je eigen schuld.", "blame"),
    ("Laat dat verleden maar rusten.", "erasing_past"),
    ("We kijken alleen vooruit.", "erasing_past"),
    ("U mag zelf kiezen.", "choice"),
    ("Neem de map mee naar huis.", "choice"),
    ("Mag ik u iets vragen?", "permission"),
    ("De reden is dat de gemeente iets terug vraagt.", "rationale"),
    ("Dat klinkt zwaar.", "acknowledging"),
    ("Ik hoor dat u liever wilt leren.", "reflecting"),
    ("Het lijkt erop dat u trots bent.", "reflecting"),
    ("Knap dat u dat heeft gedaan.", "affirming"),
])
def test_brief_examples(text, category, lexicon):
    assert category in analyse(text, lexicon=lexicon).categories


@pytest.mark.parametrize("text, code", [
    ("Wat zou u zelf willen?", "question"),
    ("Hoe gaat het met u", "question"),
    ("Ik hoor dat u moe bent.", "simple_reflection"),
    ("Het lijkt alsof u zich niet gehoord voelt.", "complex_reflection"),
    ("Dus eigenlijk wilt u vooral iets leren.", "complex_reflection"),
    ("Knap dat u uw buurvrouw hielp.", "affirm"),
    ("U mag zelf kiezen.", "emphasizing_autonomy"),
    ("Laten we samen kijken.", "seeking_collaboration"),
    ("Wat vindt u ervan?", "seeking_collaboration"),
    ("Het project duurt drie maanden.", "giving_information"),
    ("U dient te verschijnen.", "persuade"),
    ("Dat is je eigen schuld.", "confront"),
    ("Mag ik iets voorstellen? U dient zich wel te melden.", "persuade_with_permission"),
])
def test_mi_code_guesses(text, code, lexicon):
    codes = analyse(text, lexicon=lexicon).codes
    assert code in codes, codes
    assert set(codes) <= set(MI_CODES)


# --- spans, normalisation, result shape ----------------------------------------------------------------------

def _check_spans(a):
    for span in a.flags + a.supportive:
        assert 0 <= span.start < span.end <= len(a.text)
        piece = a.text[span.start:span.end]
        assert piece == piece.strip() and piece, (a.text, span)
        assert span.start == 0 or not a.text[span.start - 1].isalnum(), (a.text, span)  # whole words
        assert span.end == len(a.text) or not a.text[span.end].isalnum(), (a.text, span)


def test_spans_are_whole_word_substrings(lexicon):
    for it in ITEMS:
        _check_spans(analyse(it["text"], lexicon=lexicon))
    a = analyse("Nou, dan controleer ik over een jaar of je al iets gevonden hebt.", lexicon=lexicon)
    assert "controleer" in [a.text[f.start:f.end] for f in a.flags]


def test_case_and_accents_are_tolerated_and_offsets_stay_in_the_original(lexicon):
    assert analyse("U DIENT TE VERSCHIJNEN", lexicon=lexicon).controlling
    assert analyse("Ik ga contróleren of u er was.", lexicon=lexicon).controlling
    decomposed = unicodedata.normalize("NFD", "De cliënt, één keer: u dient te verschijnen.")
    a = analyse(decomposed, lexicon=lexicon)
    assert [decomposed[f.start:f.end] for f in a.flags] == ["u dient"]
    curly = "Dat moet je zelf weten, ’t is jouw keus."
    assert not analyse(curly, lexicon=lexicon).controlling


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
       | st.lists(st.sampled_from(["u", "je", "moet", "dient", "niet", "controleren", "İ", "e\u0301", "?", ".",
                                   ",", "verplicht", "geen", "cliënt", "’", "ﬁ"]), max_size=12).map(" ".join))
def test_any_text_gives_a_valid_analysis(text):
    a = analyse(text)
    assert a.text == text and a.controlling == bool(a.flags)
    for span in a.flags + a.supportive:
        assert 0 <= span.start < span.end <= len(text)


def test_result_shape_and_json(lexicon):
    a = analyse("Ik snap dat het zwaar is, maar u dient zich te melden.", lexicon=lexicon)
    assert a.controlling and {"obligation", "acknowledging"} <= a.categories
    with pytest.raises(AttributeError):
        a.text = "x"  # frozen
    j = to_json(a)
    assert list(j) == ["text", "controlling", "flags", "supportive", "codes"]
    assert set(j["flags"][0]) == {"category", "start", "end", "rule", "severity", "explanation", "suggestion",
                                 "source"}
    assert set(j["supportive"][0]) == {"category", "start", "end", "rule"}
    assert all(1 <= f["severity"] <= 3 and f["explanation"] and f["suggestion"] for f in j["flags"])
    json.dumps(j)


def test_ui_lang_switches_explanations(lexicon):
    nl = analyse("U dient te verschijnen.", lexicon=lexicon).flags[0]
    en = analyse("U dient te verschijnen.", ui_lang="en", lexicon=lexicon).flags[0]
    assert "oproepbrief" in nl.explanation and nl.explanation != en.explanation and "summons" in en.explanation
    with pytest.raises(ValueError):
        analyse("x", ui_lang="de")
    with pytest.raises(ValueError):
        analyse("x", lang="fr")


def test_trigger_index_never_changes_a_result(lexicon, monkeypatch):
    """The word index only skips rules that cannot match: compare with trying every rule."""
    texts = [it["text"] for it in ITEMS] + IDIOMS
    fast = [A._analyse.__wrapped__(t, None, "nl", lexicon) for t in texts]
    monkeypatch.setattr(A._Index, "candidates", lambda self, norm: list(self.rules))
    slow = [A._analyse.__wrapped__(t, None, "nl", lexicon) for t in texts]
    assert fast == slow


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["u", "je", "ik", "we", "kan", "kunnen", "ook", "anders", "of", "elke", "week", "stuur",
                                 "me", "volgende", "is", "maar", "een", "paar", "doet", "deed", "het", "niet", "toe",
                                 "hoe", "voelt", "dat", "wordt", "snel", "even", "controleren", "'", ".", "?", ",",
                                 ":", "morgen", "begint", "lever", "gewoon", "leuk", "nou", "check", "zie"]),
                max_size=14).map(" ".join))
def test_trigger_keys_never_skip_a_matching_rule(lexicon, text):
    """Every rule that matches a line is among the index's candidates, raw regexes included."""
    norm = A._fold(text)[0]
    for lang in ("nl", "en"):
        index = lexicon._index[lang]
        tried = {id(r) for r in index.candidates(norm)}
        missed = [r.id for r in index.rules if id(r) not in tried and next(r.find(norm), None) is not None]
        assert not missed, (text, lang, missed)


@pytest.mark.parametrize("regex, keys", [
    (r"(?<!\w)volgende(?!\w)", {"volgende"}),             # bounded on both sides: a whole word
    (r"(?:^|(?<=[.!?] ))(?:snel|vlug) even\b", {"snel", "vlug"}),
    (r"(?<!\w)controle\w*", {"controle*"}),                  # a word's start
    (r"doet er niet", {"er"}),                               # the inner word is whole, "doet" may be a word's end
    (r"doet er", {"er*"}),                                   # ... and "er" a word's start
    (r"abc", {"*abc*"}),                                     # any part of a word
    (r"\d+ uur|\w", None),                                   # no fixed text in every match: always tried
    (r"(?i:abc)", None),
])
def test_raw_regex_trigger_keys(regex, keys):
    assert A._regex_triggers(regex) == (None if keys is None else frozenset(keys))


def test_builtin_lexicon_is_complete(lexicon):
    for rule in lexicon.rules:
        if rule.category in CONTROLLING_CATEGORIES:
            assert {"nl", "en"} <= dict(rule.explanation).keys() and {"nl", "en"} <= dict(rule.suggestion).keys()
    for lang in ("nl", "en"):
        cats = {r.category for r in lexicon.rules if r.lang in (lang, "any")}
        assert set(CONTROLLING_CATEGORIES + SUPPORTIVE_CATEGORIES) <= cats, (lang, cats)


# --- the pattern language ------------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, text, hit", [
    ("u|je dient", "Je dient te komen", True),
    ("controle*", "we controleren het", True),
    ("controle*", "zelfcontrole", False),                   # whole words only
    ("ik [al] heb", "ik heb", True),
    ("ik [al] heb", "ik al heb", True),
    ("(deze week|vandaag) nog", "deze week nog", True),
    ("bericht|(laten weten) mij", "laten weten mij", True),
    ("over ... jaar", "over een heel lang jaar", True),
    ("over ... jaar", "over een. jaar", False),              # never across a sentence end
    ("waarom ... ?", "waarom niet?", True),
    ("cliënt", "de client", True),                           # accents are folded on both sides
])
def test_word_patterns(pattern, text, hit):
    import re
    assert bool(re.search(compile_words(pattern), A._fold(text)[0])) == hit


@pytest.mark.parametrize("pattern", ["(a", "a)", "[a]", "... a", "a ...", "a|", "a|[b]", "(a]", "?"])
def test_bad_word_patterns_are_refused(pattern):
    with pytest.raises(ValueError):
        compile_words(pattern)


# --- lexicon files -------------------------------------------------------------------------------------------

EXTRA = """
format: 1
rules:
  - id: trainer.nl.pressure.deadline
    category: pressure
    lang: nl
    pattern: "uiterlijk vrijdag|maandag"
    severity: 2
    explanation: "Een harde deadline zet druk."
    suggestion: "Vraag wanneer het de ander uitkomt."
  - {id: nl.dismissing.kop_op, category: dismissing_feelings, lang: nl, pattern: "kopje|kop op", severity: 1}
exceptions:
  - {id: trainer.nl.idiom.koffie, lang: nl, categories: [pressure], pattern: "uiterlijk vrijdag koffie"}
disable: [nl.pressure.targets]
"""


def test_trainer_lexicon_extends_replaces_and_disables(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA, encoding="utf-8")
    lex = load_lexicon([extra], env=False)
    a = analyse("Ik wil het uiterlijk vrijdag hebben.", lexicon=lex)
    assert [f.rule for f in a.flags] == ["trainer.nl.pressure.deadline"]
    assert a.flags[0].explanation == "Een harde deadline zet druk."
    assert not analyse("We drinken uiterlijk vrijdag koffie.", lexicon=lex).controlling     # the new exception
    assert not analyse("Ik heb targets.", lexicon=lex).controlling                          # disabled
    assert analyse("Kopje op!", lexicon=lex).flags[0].severity == 1                          # replaced
    assert analyse("Ik heb targets.", lexicon=load_lexicon(env=False)).controlling  # other lexicons untouched


def test_env_var_adds_lexicon_files(tmp_path, monkeypatch):
    extra = tmp_path / "extra.yaml"
    extra.write_text(EXTRA, encoding="utf-8")
    monkeypatch.setenv("GESPREKSTRAINER_LEXICON", os.pathsep.join([str(extra), ""]))
    assert str(extra) in load_lexicon().sources
    assert analyse("Uiterlijk maandag graag.", lexicon=load_lexicon()).controlling


@pytest.mark.parametrize("content, message", [
    ("rules: [\n  - {id: x, lang: nl", "not valid YAML (line"),
    ("- just a list", "must be a mapping"),
    ("rulez: []", "unknown top-level key"),
    ("rules:\n  - {id: x, category: obligaton, lang: nl, pattern: moet}", "unknown category 'obligaton'"),
    ("rules:\n  - {id: x, category: choice, lang: de, pattern: mag}", "`lang` must be nl, en or any"),
    ("rules:\n  - {id: x, category: choice, lang: nl, pattern: '(mag ik'}", "unclosed '('"),
    ("rules:\n  - {id: x, category: choice, lang: nl, regex: 'mag(ik'}", "does not compile"),
    ("rules:\n  - {id: x, category: choice, lang: nl, regex: '(?P<a>x)'}", "named groups"),
    ("rules:\n  - {id: x, category: blame, lang: nl, pattern: lui, severity: 5}", "`severity` must be 1, 2 or 3"),
    ("rules:\n  - {id: x, category: choice, lang: nl, pattern: a}\n  - {id: x, category: choice, lang: nl, pattern: b}",
     "duplicate id"),
    ("rules:\n  - {category: choice, lang: nl, pattern: a}", "needs an `id`"),
    ("exceptions:\n  - {id: x, lang: nl, pattern: a, categories: [nope]}", "`categories` must be a list"),
    ("!!python/object/apply:os.system ['echo hacked']", "not valid YAML"),
])
def test_broken_lexicon_gives_a_clear_message(tmp_path, content, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as exc:
        load_lexicon([bad], env=False)
    assert str(bad) in str(exc.value) and message in str(exc.value), str(exc.value)
    assert "\n" not in str(exc.value)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(LexiconError, match="cannot read"):
        load_lexicon([tmp_path / "nope.yaml"], env=False)


# --- the `trainer analyze` command ---------------------------------------------------------------------------

def _trainer(*args, stdin: str | None = None, env: dict | None = None):
    if not (ROOT / "trainer" / "cli.py").exists():
        pytest.skip("trainer/cli.py (the CLI dispatcher) is not there yet")
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("GESPREKSTRAINER_LEXICON", None)
    return subprocess.run([sys.executable, "-m", "trainer", "analyze", *args], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", cwd=ROOT, env=full_env, timeout=60)


def test_trainer_analyze_prints_json_lines():
    r = _trainer("--text", "Dan controleer ik over een jaar of je cliënt bent.")
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert list(obj) == ["text", "controlling", "flags", "supportive", "codes", "model_score"]
    assert obj["controlling"] and obj["flags"][0]["category"] == "surveillance"
    assert "cliënt" in r.stdout  # ensure_ascii=False
    r = _trainer("--lang", "en", "--ui-lang", "en", stdin="What would you like?\n\nYou must come.\n")
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert [o["controlling"] for o in lines] == [False, True]
    assert "Obligation" in lines[1]["flags"][0]["explanation"]


def test_trainer_analyze_broken_lexicon_is_a_clean_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {id: x, category: choice, lang: nl, regex: '(unclosed'}\n", encoding="utf-8")
    r = _trainer("--lexicon", str(bad), "--text", "hallo")
    assert r.returncode == 2
    assert str(bad) in r.stderr and "does not compile" in r.stderr and "Traceback" not in r.stderr


def test_no_heavy_imports():
    code = ("import sys, trainer.debrief.analyser as a, trainer.commands.analyze; a.analyse('u dient'); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_a_lexicon_with_aliases_or_too_large_is_refused_cleanly(tmp_path):
    from trainer.debrief.analyser import LexiconError, load_lexicon

    bomb = tmp_path / "bomb.yaml"
    bomb.write_text('a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n'
                    'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', encoding="utf-8")
    with pytest.raises(LexiconError, match="aliases"):
        load_lexicon([bomb], env=False)
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (3 * 1024 * 1024), encoding="utf-8")
    with pytest.raises(LexiconError, match="larger than"):
        load_lexicon([big], env=False)


# The generalised negation / reflection / self-repair families (lexicon.yaml, end of the exceptions), checked on
# wordings of their own, next to controlling lines with the same trigger words that must stay flagged.
@pytest.mark.parametrize("text", [
    "Niemand gaat u dwingen om daar te blijven.", "Niemand controleert hoe vaak u er bent.",
    "Ik ga niet voor jou kiezen waar je heen gaat.", "Ik controleer niets, vertel het gewoon.",
    "Een keer afzeggen heeft geen gevolgen voor je uitkering.", "Je hoeft je nergens voor te verantwoorden.",
    "U voelt zich bekeken door de buren, hoor ik.",
    "Mag ik uitleggen welke regels er gelden voor de tegenprestatie?",
    "Je hebt je verplichtingen altijd keurig nagekomen.",
    "De tegenprestatie is een regel, maar hoe je die invult, bepaal je zelf.",
    "U moet... nee, laat ik het anders vragen: wat past bij u?",
    "Nobody is going to force you into anything.", "I'm not going to keep tabs on your hours.",
    "There won't be any sanction for trying.", "You feel you're always being checked on.",
    "The law asks for something in return, but what that is, we decide together.",
])
def test_negation_and_reflection_families_are_not_flagged(text, lexicon):
    a = analyse(text, lexicon=lexicon)
    assert not a.controlling, [(f.rule, text[f.start:f.end]) for f in a.flags]


@pytest.mark.parametrize("text, category", [
    ("Niemand anders gaat het doen, dus u moet maandag beginnen.", "obligation"),
    ("Ik controleer elke week of u er bent.", "surveillance"),
    ("Als u niet komt, heeft dat gevolgen voor uw uitkering.", "sanction"),
    ("U moet zich verantwoorden voor elke gemiste dag.", "surveillance"),
    ("U moet maandag om negen uur komen... en geen smoesjes.", "obligation"),
    ("If you don't turn up, there will be consequences.", "sanction"),
    ("I'll check up on you every week.", "surveillance"),
])
def test_the_families_leave_controlling_lines_flagged(text, category, lexicon):
    assert category in analyse(text, lexicon=lexicon).categories


# --- the parsed lexicon is cached in the user cache folder ------------------------------------------------------

def test_a_lexicon_read_back_from_the_cache_is_the_parsed_one(tmp_path, monkeypatch):
    from trainer.debrief import analyser as A

    monkeypatch.setenv("GESPREKSTRAINER_CACHE", str(tmp_path))
    first = A.load_lexicon(env=False)
    files = list(tmp_path.glob("lexicon-*.json"))
    assert len(files) == 1
    again = A.load_lexicon(env=False)
    assert again.rules == first.rules and again.exceptions == first.exceptions
    assert A.analyse("U dient maandag te verschijnen.", lexicon=again).categories == {"obligation"}


def test_a_damaged_lexicon_cache_is_ignored_and_rewritten(tmp_path, monkeypatch):
    from trainer.debrief import analyser as A

    monkeypatch.setenv("GESPREKSTRAINER_CACHE", str(tmp_path))
    reference = A.load_lexicon(env=False)
    (cache,) = tmp_path.glob("lexicon-*.json")
    for damage in ('{"rules": [["x"]], "exceptions": []}', "{not json", '{"rules": [], "exceptions": 3}'):
        cache.write_text(damage, encoding="utf-8")
        got = A.load_lexicon(env=False)
        assert got.rules == reference.rules and got.exceptions == reference.exceptions
        assert A._LexiconCache(cache).read() is not None  # rewritten whole


def test_an_edited_lexicon_file_is_parsed_anew_not_read_from_the_cache(tmp_path, monkeypatch):
    from trainer.debrief import analyser as A

    monkeypatch.setenv("GESPREKSTRAINER_CACHE", str(tmp_path / "cache"))
    extra = tmp_path / "extra.yaml"
    rule = ("rules:\n- {id: eigen.regel, lang: nl, category: pressure, pattern: '%s',\n"
            "   explanation: Haast., suggestion: Neem de tijd.}\n")
    rules_of = lambda text, lex: {f.rule for f in A.analyse(text, lexicon=lex).flags}  # noqa: E731
    extra.write_text(rule % "paarse olifant", encoding="utf-8")
    assert "eigen.regel" in rules_of("Daar staat een paarse olifant.", A.load_lexicon([extra], env=False))
    extra.write_text(rule % "groene giraf", encoding="utf-8")
    edited = A.load_lexicon([extra], env=False)
    assert "eigen.regel" not in rules_of("Daar staat een paarse olifant.", edited)
    assert "eigen.regel" in rules_of("Daar staat een groene giraf.", edited)
    extra.write_text("rules: [oops", encoding="utf-8")  # a broken file still gets its error, never a cached lexicon
    with pytest.raises(A.LexiconError):
        A.load_lexicon([extra], env=False)


def test_no_lexicon_cache_when_the_disk_caches_are_off(tmp_path, monkeypatch):
    from trainer.debrief import analyser as A

    monkeypatch.setenv("GESPREKSTRAINER_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    assert A.load_lexicon(env=False).rules
    assert not list(tmp_path.rglob("lexicon-*.json"))


def test_authored_line_categories_are_kept_for_the_next_explore_and_give_the_same_report(tmp_path, monkeypatch):
    from conftest import PERSONAS
    from trainer.debrief import analyser as A
    from trainer.engine.explore import explore
    from trainer.persona.loader import load_persona

    monkeypatch.setenv("GESPREKSTRAINER_CACHE", str(tmp_path))
    henk = load_persona(PERSONAS / "henk.yaml").persona
    lexicon = A.load_lexicon(env=False)
    first = A.AuthoredCategories(lexicon)
    report = explore(henk, analyser=first.analyser)
    first.save()
    assert report.to_dict() | {"seconds": 0} == explore(henk, analyser=A.analyse).to_dict() | {"seconds": 0}

    calls = []
    monkeypatch.setattr(A, "analyse", lambda *a, **k: calls.append(a) or A.Analysis(a[0], "nl", False, (), (), ()))
    again = A.AuthoredCategories(lexicon)
    assert again.known == first.known and explore(henk, analyser=again.analyser).to_dict() | {"seconds": 0} \
        == report.to_dict() | {"seconds": 0}
    assert calls == []  # every line came from the cache

    again.path.write_text("[not, a, mapping", encoding="utf-8")  # damaged: analysed anew
    assert A.AuthoredCategories(lexicon).known == {}


def test_authored_categories_read_the_word_list_only_for_a_line_the_cache_does_not_know(tmp_path, monkeypatch):
    """`trainer explore` reruns after an edit: the lines known from the last run need no word list at all, a new
    line loads it (once) and is analysed like any other."""
    from conftest import PERSONAS
    from trainer.debrief import analyser as A
    from trainer.engine.explore import explore
    from trainer.persona.loader import load_persona

    monkeypatch.setenv("GESPREKSTRAINER_CACHE", str(tmp_path))
    monkeypatch.delenv("GESPREKSTRAINER_LEXICON", raising=False)
    henk = load_persona(PERSONAS / "henk.yaml").persona
    loads = []
    lexicon = A.load_lexicon()

    def load():
        loads.append(1)
        return lexicon

    first = A.AuthoredCategories(load, files=A.default_lexicon_files())
    report = explore(henk, analyser=first.analyser)
    first.save()
    assert loads == [1] and first.path.exists()
    assert report.to_dict() | {"seconds": 0} == explore(henk, analyser=A.analyse).to_dict() | {"seconds": 0}

    again = A.AuthoredCategories(load, files=A.default_lexicon_files())
    assert explore(henk, analyser=again.analyser).to_dict() | {"seconds": 0} == report.to_dict() | {"seconds": 0}
    assert loads == [1] and not again.dirty  # every line known: the word list was not read
    line = "U moet zich gewoon aan de afspraken houden."
    assert again.analyser(line).categories == A.analyse(line, lexicon=lexicon).categories
    assert loads == [1, 1] and again.dirty
    assert A.AuthoredCategories(lexicon).path == again.path  # the same cache file as with the loaded word list


def test_trainer_explore_with_a_broken_word_list_is_a_clean_error(tmp_path):
    """The word list is loaded lazily now; a broken one must still be reported in one line, not a traceback."""
    from conftest import PERSONAS

    bad = tmp_path / "bad.yaml"
    bad.write_text("rules:\n  - {id: x, category: choice, lang: nl, regex: '(unclosed'}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "GESPREKSTRAINER_LEXICON": str(bad),
           "GESPREKSTRAINER_CACHE": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "trainer", "explore", str(PERSONAS / "henk.yaml")],
                       capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=env, timeout=60)
    assert r.returncode == 1 and r.stdout == ""
    assert str(bad) in r.stderr and "does not compile" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
