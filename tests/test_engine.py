"""The engine: meters, phases, conditions, endings, undo, determinism, test from here."""

import pytest
from transitions import MachineError

from trainer.engine.session import Session, SessionError


def test_start_state_and_phase_from_start_meters(mini):
    s = Session(mini)
    assert (s.state.trust, s.state.motivation) == (40, 40)
    assert s.phase == "aftastend"  # default rule: trust >= 30
    assert s.current_line() == "Goedemorgen."
    assert [o.id for o in s.open_choices()] == ["begin.1", "begin.2"]


def test_authored_effects_move_meters_and_phase_picks_variant(mini):
    s = Session(mini)
    turn = s.choose("begin.1")
    assert (turn.trust_before, turn.trust_after) == (40, 55)
    assert turn.phase_after == "open"
    assert s.current_line() == "Ik heb er wel zin in."  # the open variant of 'midden'
    assert s.mood() == "Mini leunt naar voren."
    assert turn.reply == "Ik heb er wel zin in."


def test_condition_opens_and_closes_choices(mini):
    s = Session(mini)
    s.choose("begin.1")  # open
    assert "midden.2" in [o.id for o in s.open_choices()]
    s2 = Session(mini)
    s2.choose("begin.2")  # trust 30 → aftastend
    assert "midden.2" not in [o.id for o in s2.open_choices()]
    with pytest.raises(SessionError, match="not open"):
        s2.choose("midden.2")


def test_sensitivity_hook_applies_analyser_categories(mini):
    class Hit:
        categories = {"obligation"}

    s = Session(mini, analyser=lambda text: Hit() if "dient" in text else type("N", (), {"categories": set()})())
    turn = s.choose("begin.2")
    sources = [e.source for e in turn.effects]
    assert sources == ["choice", "sensitivity:obligation"]
    assert turn.trust_after == 40 - 10 - 15
    assert turn.detected == ("obligation",)


def test_meters_are_clamped(mini):
    s = Session(mini, meters={"trust": 95, "motivation": 95})
    t = s.choose("begin.1")
    assert t.trust_after == 100 and t.motivation_after == 100


def test_ending_node_closes_with_outcome_and_machine_refuses_more(mini):
    s = Session(mini)
    s.choose("begin.1")
    s.choose("midden.1")  # motivation 65
    t = s.choose("slot.1")
    assert t.ended == "own_choice" and s.outcome == "own_choice" and s.ended
    assert s.open_choices() == []
    with pytest.raises(SessionError):
        s.choose(1)
    with pytest.raises(MachineError):  # invalid triggers raise
        s.evaluate()


def test_break_off_rule_ends_conversation(mini):
    s = Session(mini)
    s.choose("begin.2")  # 30
    t = s.choose("midden.3")  # 10 → not < 10
    assert not t.ended and s.state.node == "slot"
    s = Session(mini, meters={"trust": 25})
    s.choose("begin.2")  # 15
    t = s.choose("midden.3")  # -5 → 0 < 10 → break off
    assert t.ended == "broken_off" and s.state.ending == "weg"
    assert s.current_line() == "Ik ga."


def test_undo_restores_state_and_phase(mini):
    s = Session(mini)
    before = s.state
    s.choose("begin.1")
    s.undo()
    assert s.state == before and s.phase_state == before.phase and s.turns == []
    with pytest.raises(SessionError):
        s.undo()


def test_test_from_here(mini):
    s = Session(mini, start="slot", meters={"trust": 80, "motivation": 70})
    assert s.phase == "betrokken"
    t = s.choose("slot.1")
    assert s.outcome == "own_choice" and t.reply == "Daar heb ik echt zin in!"
    with pytest.raises(SessionError):
        Session(mini, start="nergens")


def test_deterministic(mini):
    def play():
        s = Session(mini)
        for cid in ["begin.1", "midden.2", "begin.1", "midden.1", "slot.1"]:
            s.choose(cid)
        return s.turns, s.state

    assert play() == play()


def test_fallback_stays_at_node_and_costs_trust(mini):
    s = Session(mini)
    t = s.fallback("blabla")
    assert s.state.node == "begin" and t.choice_id is None
    assert t.trust_after == 38 and t.reply == "Hoe bedoelt u?"


def test_cue_pickup_is_tracked_for_conditions(mini):
    s = Session(mini)
    assert "trots" in s.state.offered
    s.choose("begin.1")
    assert "trots" in s.state.picked_up


def test_phase_path(mini):
    s = Session(mini)
    s.choose("begin.1")
    s.choose("midden.1")
    assert s.phase_path() == ["aftastend", "open"]
    s2 = Session(mini, meters={"trust": 60, "motivation": 50})
    s2.choose("begin.1")  # 75 / 55: still open
    s2.choose("midden.1")  # 85 / 75: betrokken
    assert s2.phase_path() == ["open", "betrokken"]


def test_one_gated_phase_move_lands_where_evaluate_does(mini):
    # The engine moves the phase with one gated transition (move_to_<phase>); `evaluate` tries each rule in order.
    # Both must agree for every meter value and starting phase, or the shortcut changed the machine's meaning.
    from trainer.engine.session import PHASES, CompiledPersona

    compiled = CompiledPersona(mini)
    for phase in PHASES:
        for trust in range(0, 101, 5):
            for motivation in range(0, 101, 10):
                a, b = Session(compiled), Session(compiled)
                for s in (a, b):
                    s._pending = s.state._replace(trust=trust, motivation=motivation, phase=phase)
                    s.phase_state = phase
                target = compiled._phase_rules_for(a._pending)
                a.evaluate()
                if target != phase:
                    compiled.fire(b, f"move_to_{target}")
                assert a.phase_state == b.phase_state == target == compiled.phase_for(a._pending)


def test_sessions_do_not_register_with_the_shared_machine(mini):
    # Unfinished sessions (abandoned, or cut off) must not pile up in the persona's machine.
    from trainer.engine.session import CompiledPersona

    compiled = CompiledPersona(mini)
    for _ in range(50):
        Session(compiled).choose("begin.1")
    assert compiled.machine().models == []


def test_phase_rules_that_read_visits_are_evaluated_every_turn(mini):
    # The phase is memoised on the meters only when the rules read nothing else.
    from trainer.engine.session import CompiledPersona

    persona = mini.replace(phases={"open": 'trust >= 50 and visited("slot")'})
    compiled = CompiledPersona(persona)
    assert compiled._phase_memo is None
    a = Session(compiled, start="midden", meters={"trust": 50, "motivation": 40})
    a.choose("midden.1")  # trust 60, motivation 60, slot visited: open
    assert a.phase == "open" and a.phase_state == "open"
    b = Session(compiled, meters={"trust": 45, "motivation": 55})
    b.choose("begin.1")  # the same meters and phase before the turn, but slot not visited: not open
    assert (b.state.trust, b.state.motivation) == (60, 60) and b.phase == "aftastend"
    assert CompiledPersona(mini)._phase_memo == {}  # the default rules read only the meters
