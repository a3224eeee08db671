"""The shipped personas meet the content bar of the product: size, cues, variants, sources, no copied sentences."""

import re
from pathlib import Path

import pytest

from trainer.persona.loader import load_persona
from trainer.vocab import CONTROLLING_CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
STUDY = ROOT.parent / "shared" / "study"
PERSONAS = ["henk", "trees", "ingrid", "chien"]


def persona(pid):
    path = ROOT / "personas" / f"{pid}.yaml"
    if not path.exists():
        pytest.skip(f"{pid} not written yet")
    return load_persona(path).persona


def words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿ0-9]+", text.lower().replace("-\n", "").replace("\u00ad", ""))


def ngrams(tokens: list[str], n: int) -> set[tuple]:
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


@pytest.fixture(scope="module")
def source_ngrams():
    files = sorted(STUDY.glob("0*.txt"))
    if not files:
        pytest.skip("study sources not available next to the repository")
    grams: set = set()
    for f in files:
        text = f.read_text(encoding="utf-8")
        text = re.sub(r"-\s*\n\s*", "", text)  # the sources hyphenate across lines
        grams |= ngrams(words(text), 8)
    return grams


def all_lines(p):
    yield p.summary
    yield p.scene
    for n in p.nodes:
        yield n.say
        yield from n.variants.values()
        for c in n.choices:
            yield c.text
            yield from c.examples
    for e in p.endings:
        yield e.say
        yield from e.variants.values()
    for c in p.cues:
        yield c.why
        yield from c.pickups
    yield from p.moods.values()


@pytest.mark.parametrize("pid", PERSONAS)
def test_no_persona_line_copies_a_source_sentence(pid, source_ngrams):
    p = persona(pid)
    copied = []
    for line in all_lines(p):
        common = ngrams(words(line), 8) & source_ngrams
        if common:
            copied.append((line, " ".join(sorted(common)[0])))
    assert not copied, f"runs of 8+ words copied from the sources: {copied[:3]}"


@pytest.mark.parametrize("pid", PERSONAS)
def test_persona_meets_the_content_bar(pid):
    p = persona(pid)
    assert len(p.nodes) >= 30
    assert all(2 <= len(n.choices) <= 4 for n in p.nodes), [n.id for n in p.nodes if not 2 <= len(n.choices) <= 4]
    assert len(p.cues) >= 3 and all(c.pickups for c in p.cues)
    with_variants = sum(1 for n in p.nodes if n.variants)
    assert with_variants * 3 >= len(p.nodes)
    assert all(f.sources for f in p.facts)
    assert {e.outcome for e in p.endings} >= {"own_choice", "complied", "broken_off"}
    assert any(cat in p.sensitivities for cat in CONTROLLING_CATEGORIES)
    for n in p.nodes:
        for c in n.choices:
            assert c.codes, f"{n.id}: a choice without MI codes"


@pytest.mark.parametrize("pid, categories", [
    ("trees", {"surveillance"}),  # "controleren" alone was enough
    ("henk", {"obligation", "pressure"}),  # "u dient te verschijnen"; a number for a quota
    ("ingrid", {"deciding_for"}),  # "we'll do it for you"
    ("chien", {"deciding_for", "dismissing_feelings"}),  # her own plan brushed aside
])
def test_each_persona_reacts_hardest_to_what_hurt_them_in_the_study(pid, categories):
    p = persona(pid)
    cost = {cat: -(fx.trust + fx.motivation) for cat, fx in p.sensitivities.items() if cat in CONTROLLING_CATEGORIES}
    assert max(cost.get(c, 0) for c in categories) == max(cost.values())


def test_trees_is_the_most_sensitive_to_surveillance():
    cost = {pid: -(persona(pid).sensitivities["surveillance"].trust) for pid in PERSONAS}
    assert cost["trees"] == max(cost.values())


INVENTED = "Eigen uitwerking"  # the `sources` label for detail a writer added (personas/README.md)


def _persona_lines(p) -> list[str]:
    lines = [p.situation, p.summary, p.scene, p.fallback, *p.moods.values()]
    for n in list(p.nodes) + list(p.endings):
        lines += [n.say, *n.variants.values()]
    for n in p.nodes:
        lines += [c.text for c in n.choices]
    return lines


def _names(text: str) -> set[str]:
    # Capitalised words that do not start a sentence: names of people, places and organisations.
    found = set()
    for m in re.finditer(r"(?<![.!?:;()\"'‘“…—-]\s)(?<!^)(?<=\s)([A-Z][a-zà-ÿ]+(?:\s[A-Z][a-zà-ÿ]+)*)", text):
        found.add(m.group(1))
    return found


@pytest.mark.parametrize("pid", PERSONAS)
def test_names_in_a_persona_come_from_the_study_or_are_marked_as_invented(pid):
    """A name the persona uses (a person, a place, an organisation) is in the study, or in a fact whose sources say
    it is the writer's own elaboration; and no persona speaks about another persona."""
    p = persona(pid)
    files = sorted(STUDY.glob("0*.txt"))
    if not files:
        pytest.skip("study sources not available next to the repository")
    study = " ".join(f.read_text(encoding="utf-8") for f in files)
    invented = " ".join(f.text for f in p.facts if any(s.startswith(INVENTED) for s in f.sources))
    own = {p.name} | {n.capitalize() for n in ("u", "ik")}
    others = {q.capitalize() for q in PERSONAS} - {pid.capitalize()}
    lines = _persona_lines(p)
    # an ordinary word, written in lower case somewhere in the study or the persona, is not a name
    common = set(re.findall(r"\b[a-zà-ÿ]+", study + " " + " ".join(lines)))
    unsourced, borrowed = set(), set()
    for line in lines:
        for name in _names(line):
            first = name.split()[0]
            if first.lower() in common and first not in others:
                continue
            if first in others:
                borrowed.add(name)
            elif first not in own and first not in study and first not in invented:
                unsourced.add(name)
    assert not borrowed, f"{pid} speaks of other personas: {sorted(borrowed)}"
    assert not unsourced, f"{pid}: names neither in the study nor in an '{INVENTED}' fact: {sorted(unsourced)}"


def _plain(text: str) -> str:
    return " ".join(words(text))


@pytest.mark.parametrize("pid", PERSONAS)
def test_a_choice_quotes_only_what_the_persona_just_said(pid):
    """A choice that quotes the persona ('"weggegooide tijd"') quotes the line the persona has just said, in every
    phase variant of it; quoting words the persona says elsewhere, before it said them, breaks the spell."""
    p = persona(pid)
    said_anywhere = _plain(" ".join(t for n in list(p.nodes) + list(p.endings) for t in [n.say, *n.variants.values()]))
    wrong = []
    for node in p.nodes:
        versions = {"say": node.say, **node.variants}
        for i, choice in enumerate(node.choices):
            for quote in re.findall(r"[\"'‘“]([^\"'’”]{4,80})[\"'’”]", choice.text):
                q = _plain(quote)
                if not q or q not in said_anywhere:
                    continue  # the trainee's own words (a proposal), not a quote of the persona
                missing = [k for k, text in versions.items() if q not in _plain(text)]
                if missing:
                    wrong.append(f"{node.id}.{i + 1} quotes {quote!r}, not said in {missing}")
    assert not wrong, "\n".join(wrong)
