"""Free text answered in kind (issue 12): the persona reacts to what a typed line does when no authored choice fits,
without repeating itself; the rubric counts what was understood; the transcript shows the answer; journals replay.

The sentence model is loaded once for the whole module (about 2 s)."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from conftest import PERSONAS
from trainer.debrief.build import build_debrief
from trainer.engine.journal import open_session, read_journal, replay
from trainer.engine.runner import Run
from trainer.engine.session import Session
from trainer.freetext import match, play, play_typed
from trainer.persona.lint import lint_file
from trainer.persona.loader import load_persona
from trainer.persona.reactions import pick_line, select
from trainer.wiring import default_analyser


@pytest.fixture(scope="module", autouse=True)
def warm_model():
    from trainer.freetext.acts import act_model
    from trainer.semantic.encoder import default_encoder

    default_encoder().warm()
    act_model()


@pytest.fixture(scope="module")
def trees():
    return load_persona(PERSONAS / "trees.yaml").persona


@pytest.fixture(scope="module")
def henk():
    return load_persona(PERSONAS / "henk.yaml").persona


# --- choosing a reaction (pure) --------------------------------------------------------------------------------

def test_the_most_specific_reaction_wins_and_lines_come_in_turn(trees):
    ids = [r.id for r in trees.reactions]
    # a reflection lands differently in wantrouwend than in open
    guarded = ids[select(trees, "hoe_is_het_hier", "wantrouwend", "complex_reflection")]
    opened = ids[select(trees, "hoe_is_het_hier", "open", "complex_reflection")]
    assert guarded != opened
    # at the opening, the node's own rule beats the phase rules and moves the conversation on
    rule = trees.reactions[select(trees, "opening", "wantrouwend", "open_question")]
    assert rule.nodes == ["opening"] and rule.next
    # an obligation hits a rule for that category, not the plain directive rule
    obliged = trees.reactions[select(trees, "haast", "wantrouwend", "directive", ["obligation"])]
    plain = trees.reactions[select(trees, "haast", "wantrouwend", "directive", [])]
    assert "obligation" in obliged.categories and obliged is not plain
    # lines: first the unsaid ones in order, then the one said longest ago
    said = [plain.say[0], plain.say[1]]
    assert pick_line(plain, said) == 2
    assert pick_line(plain, said + [plain.say[2]]) == 0


def test_repeated_reactions_never_say_a_line_three_times(trees):
    s = Session(trees, analyser=default_analyser(), start="hoe_is_het_hier", meters={"trust": 40})
    for _ in range(6):
        s.react("Zo ziet u het dus.", "simple_reflection", codes=("simple_reflection",), detected=())
    replies = Counter(t.reply for t in s.turns)
    assert max(replies.values()) <= 2 and len(replies) >= 3
    assert s.state.node == "hoe_is_het_hier"  # stays at the node; the choices stay open
    assert s.current_line() == s.turns[-1].reply  # and the persona's last words are the reaction, not the node line


# --- free text through the whole pipeline ---------------------------------------------------------------------

def test_an_understood_line_that_fits_no_choice_gets_a_reaction_not_the_fallback(trees):
    s = Session(trees, analyser=default_analyser(), start="hoe_is_het_hier")
    result = match(s, "Wat zou u zelf het liefst willen doen met uw tijd?")
    assert result.kind == "fallback" and result.act == "open_question" and result.reaction
    turn = play(s, result)
    assert turn.choice_id is None and turn.reaction == result.reaction
    assert turn.reply != trees.fallback and turn.reply in {" ".join(x.split()) for r in trees.reactions for x in r.say} | {
        x.strip() for r in trees.reactions for x in r.say}
    assert turn.codes == ("question",)


def test_an_obligation_hits_the_sensitivity_and_the_category_reaction(henk):
    s = Session(henk, analyser=default_analyser(), start="lijstje", meters={"trust": 40, "motivation": 30})
    turn = play_typed(s, "U bent verplicht om elke week in dat project te verschijnen.")
    assert turn.act == "directive" and "obligation" in turn.detected
    assert any(e.source == "sensitivity:obligation" for e in turn.effects)
    assert turn.trust_after < turn.trust_before


def test_off_topic_still_gets_the_fallback_and_counts_as_no_act(trees):
    s = Session(trees, analyser=default_analyser(), start="hoe_is_het_hier")
    turn = play_typed(s, "Heeft u de wedstrijd van Ajax gisteren nog gezien?")
    assert turn.reaction is None and turn.choice_id is None and turn.reply == trees.fallback
    assert turn.codes == ()


def test_a_threat_in_words_far_from_the_persona_is_answered_not_taken_for_off_topic():
    from trainer.freetext.meaning import TOPIC_BELOW, meaning_index

    chien = load_persona(PERSONAS / "chien.yaml").persona
    s = Session(chien, analyser=default_analyser(), start="trots_zorg")
    line = "U moet wel gewoon die twee middagen blijven doen, anders heeft dat gevolgen."
    from trainer.freetext.acts import line_vector

    assert meaning_index(chien).topical(line_vector(line)) < TOPIC_BELOW  # far from all of Chien's lines
    turn = play_typed(s, line)
    assert {"obligation", "sanction"} <= set(turn.detected)
    assert turn.reaction is not None and turn.reply != chien.fallback


def test_rubric_counts_the_typed_act_and_not_unrecognised_lines(trees):
    s = Session(trees, analyser=default_analyser(), start="hoe_is_het_hier")
    s.fallback("Ik begrijp dat het moeilijk is", codes=("complex_reflection",))  # an old journal's fallback
    play_typed(s, "Heeft u de wedstrijd van Ajax gisteren nog gezien?")
    rubric = build_debrief(s).rubric
    assert rubric.counts["complex_reflection"] == 0 and rubric.counts["simple_reflection"] == 0
    play_typed(s, "Het vorige gesprek hier zit u nog steeds dwars, merk ik.")
    rubric = build_debrief(s).rubric
    assert rubric.counts["complex_reflection"] + rubric.counts["simple_reflection"] == 1


# --- journal, replay, transcript -------------------------------------------------------------------------------

def test_a_reaction_is_journaled_and_replays_exactly(tmp_path):
    run = Run.start("trees", tmp_path, default_analyser(), free_text=True, start="hoe_is_het_hier")
    play_typed(run.session, "Wat zou u zelf het liefst willen doen met uw tijd?", run=run)
    play_typed(run.session, "U moet wel binnen een maand iets gevonden hebben.", run=run)
    events = read_journal(run.journal.path).events
    assert [e["type"] for e in events][:1] == ["react"] and events[0]["act"] and events[0]["reaction"]
    again = open_session(run.journal.path, default_analyser())
    assert again.session.turns == run.session.turns and again.session.state == run.session.state


def test_an_old_journal_without_acts_still_replays(trees):
    s = Session(trees, analyser=default_analyser())
    old = [{"type": "fallback", "typed": "hm", "codes": ["question"], "detected": []},
           {"type": "choose", "choice": "opening.1", "typed": "hoe is het hier", "score": 0.3, "detected": []}]
    replay(s, old)
    assert s.turns[1].codes == tuple(trees.nodes[0].choices[0].codes)  # no act recorded: the choice's codes
    assert s.turns[0].act is None and s.turns[1].act is None


def test_plain_mode_shows_the_reaction_once_and_not_the_node_line_again(tmp_path):
    from trainer.freetext import plain_handler
    from trainer.plain import PlainUI

    run = Run.start("trees", tmp_path, default_analyser(), free_text=True, start="hoe_is_het_hier")
    node_line = run.session.current_line()
    out = io.StringIO()
    ui = PlainUI(run, free=True, out=out, inp=io.StringIO("Wat zou u zelf het liefst willen doen met uw tijd?\n"),
                 matcher=plain_handler)
    ui.loop()
    text = out.getvalue()
    reply = run.session.turns[0].reply
    assert run.session.turns[0].reaction and f"Trees: {reply}" in text
    assert text.count(node_line) == 1  # the node's line is not repeated after the reaction
    assert "begrepen als open vraag" in text


def test_html_transcript_shows_the_reaction(tmp_path):
    from trainer.export.html import render_html
    from trainer.export.load import Loader

    run = Run.start("trees", tmp_path, default_analyser(), free_text=True, start="hoe_is_het_hier")
    play_typed(run.session, "Wat zou u zelf het liefst willen doen met uw tijd?", run=run)
    play_typed(run.session, "Dat vorige gesprek zit u nog dwars, hoor ik.", run=run)
    import html

    page = html.unescape(render_html([Loader(analyser=default_analyser()).record(run.journal.path)]))
    assert run.session.turns[0].reply in page
    assert "de persona reageerde op wat u zei" in page


# --- lint --------------------------------------------------------------------------------------------------------

BAD = """
  - id: dubbel
    acts: [directive]
    next: opening
    say: ["Zo. Dat is dus al besloten."]
"""


def test_lint_reports_unused_repeated_and_everywhere_reactions(tmp_path):
    text = (PERSONAS / "trees.yaml").read_text(encoding="utf-8") + BAD
    path = tmp_path / "trees.yaml"
    path.write_text(text, encoding="utf-8")
    codes = Counter(d.code for d in lint_file(str(path)))
    assert codes["KM113"] == 1 and codes["KM114"] == 2 and codes["KM116"] == 1
    shipped = [d for p in sorted(PERSONAS.glob("*.yaml")) for d in lint_file(str(p))
               if d.code in ("KM113", "KM114", "KM115", "KM116")]
    assert shipped == []


def test_trainer_match_shows_the_act_and_the_reaction(capsys):
    from trainer.cli import main

    code = main(["match", "trees", "hoe_is_het_hier", "Wat zou u zelf het liefst willen doen met uw tijd?"])
    out = capsys.readouterr().out
    assert code in (0, None)
    assert "act: open_question" in out and "no choice fits" in out and "-> reaction vraag_" in out
    main(["match", "trees", "hoe_is_het_hier", "Heeft u de wedstrijd van Ajax gisteren nog gezien?"])
    assert "the persona's fallback" in capsys.readouterr().out
