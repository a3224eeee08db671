"""A conversation with one persona: turns, meters, phases and the ending. Pure and deterministic.

Given a persona and the same list of actions, a session always yields the same transcript and state. The
phase lives in a small `transitions` machine (one state per phase plus one terminal state per outcome); the
meters and everything the conditions read live in an immutable `State`, so undo and the path explorer can go
back to any earlier state by restoring it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, NamedTuple, Protocol

import logging

from transitions import Machine, MachineError

from trainer.persona.conditions import compile_condition, condition_names
from trainer.persona.model import Choice, Ending, Node, Persona
from trainer.persona.reactions import pick_line, reaction_id, select
from trainer.vocab import DEFAULT_PHASE_RULES, METER_MAX, METER_MIN, OUTCOMES, PHASE_ORDER, PHASES


# transitions logs through the standard library; without a handler its warnings would go to stderr and scribble
# over the terminal app. Applications that configure logging still see them.
logging.getLogger("transitions").addHandler(logging.NullHandler())


class SessionError(Exception):
    """A request the session cannot honour (unknown choice, session already ended, ...)."""


class Analysis(Protocol):
    @property
    def categories(self) -> Iterable[str]: ...


Analyser = Callable[[str], Analysis]


class _Nothing:
    categories: frozenset = frozenset()


_NOTHING = _Nothing()


def no_analysis(text: str) -> Analysis:
    """Analyser used when none is plugged in: detects nothing."""
    return _NOTHING


class Effect(NamedTuple):
    source: str  # "choice", "fallback", "reaction" or "sensitivity:<category>"
    trust: int
    motivation: int


class State(NamedTuple):
    # A NamedTuple: immutable, hashable and cheap to create (the engine makes one per turn).
    node: str
    trust: int
    motivation: int
    phase: str
    turns: int = 0
    visited: frozenset = frozenset()
    offered: frozenset = frozenset()
    picked_up: frozenset = frozenset()
    ending: str | None = None  # set when the conversation is over


@dataclass(slots=True)
class Turn:
    index: int  # 1-based
    node: str
    persona_line: str  # what the persona said, in the phase it was in
    offered: tuple[str, ...]  # cues that persona line offered
    choice_id: str | None  # None for a free-text line that matched nothing (fallback)
    choice_text: str  # the authored choice text, or the typed text for a fallback
    typed: str | None  # the trainee's own words in free-text mode
    match_score: float | None
    codes: tuple[str, ...]
    picks_up: tuple[str, ...]
    detected: tuple[str, ...]  # analyser categories found in the trainee's line
    effects: tuple[Effect, ...]
    trust_before: int
    motivation_before: int
    phase_before: str
    trust_after: int
    motivation_after: int
    phase_after: str
    next: str  # next node, or the ending id
    reply: str  # the persona's next line (or the ending line, or the fallback line)
    ended: str | None = None  # outcome, when this turn ended the conversation
    act: str | None = None  # typed lines: what the line does (trainer.vocab.ACTS), from the act classifier
    reaction: str | None = None  # the `reactions:` rule that answered (choice_id is then None), e.g. "reactions.3"
    reaction_line: int | None = None  # which of the rule's lines was said (0-based)

    @property
    def trainee_line(self) -> str:
        return self.typed if self.typed is not None else self.choice_text


@dataclass(frozen=True)
class OpenChoice:
    number: int  # 1-based among the open choices
    id: str
    choice: Choice


def choice_id(node: Node, index: int) -> str:
    choice = node.choices[index]
    return choice.id or f"{node.id}.{index + 1}"


def _clamp(value: int) -> int:
    return METER_MIN if value < METER_MIN else METER_MAX if value > METER_MAX else value


class CompiledPersona:
    """Indexes and compiled conditions of a persona, shared by every session that plays it."""

    def __init__(self, persona: Persona):
        self.persona = persona
        self.nodes: dict[str, Node] = {n.id: n for n in persona.nodes}
        self.endings: dict[str, Ending] = {e.id: e for e in persona.endings}
        self.choices: dict[str, tuple[Node, int]] = {}
        self.conditions: dict[str, Callable] = {}
        for node in persona.nodes:
            for i, choice in enumerate(node.choices):
                cid = choice_id(node, i)
                self.choices[cid] = (node, i)
                if choice.when:
                    self.conditions[cid] = compile_condition(choice.when)
        self.node_choices = {
            n.id: [(choice_id(n, i), c, self.conditions.get(choice_id(n, i))) for i, c in enumerate(n.choices)]
            for n in persona.nodes
        }
        rules = {**DEFAULT_PHASE_RULES, **persona.phases}
        self.phase_rules = [(phase, compile_condition(rules[phase])) for phase in PHASE_ORDER]
        self.break_off = (compile_condition(persona.break_off.when), persona.break_off.ending) if persona.break_off else None
        self.outcomes = list(OUTCOMES) + [o for o in persona.outcomes if o not in OUTCOMES]
        self._machine: Machine | None = None
        # What every session of this persona would otherwise recompute on each turn (the persona is frozen).
        self.start_meters = {"trust": persona.meters.trust, "motivation": persona.meters.motivation}
        self.offers = {n.id: (tuple(n.offers), frozenset(n.offers)) for n in persona.nodes}
        self.sensitivity = {c: Effect(f"sensitivity:{c}", fx.trust, fx.motivation)
                            for c, fx in persona.sensitivities.items()}
        self.choice_facts = {cid: (tuple(c.codes), tuple(dict.fromkeys(c.picks_up)),
                                   Effect("choice", c.effects.trust, c.effects.motivation))
                             for cid, (node, i) in self.choices.items() for c in [node.choices[i]]}
        # Open choices of a node, by which of its choices are open (the numbering depends on nothing else);
        # nodes without conditions have one list.
        self._open_lists: dict[tuple, tuple[OpenChoice, ...]] = {}
        self._always_open = {node: tuple(OpenChoice(i + 1, cid, c) for i, (cid, c, _cond) in enumerate(entries))
                             for node, entries in self.node_choices.items()
                             if all(cond is None for _cid, _c, cond in entries)}
        # The phase rules usually read only the meters (and the phase): then the phase is a function of those few
        # numbers and is looked up instead of evaluated. Rules that read turns or visited()/picked_up()/offered()
        # are evaluated every time.
        read = set().union(*(condition_names(rules[phase]) for phase in PHASE_ORDER))
        self._phase_memo: dict | None = {} if read <= {"trust", "motivation", "phase"} else None

    def machine(self) -> Machine:
        """One `transitions` machine per persona, built once and shared by every session that plays it.

        States: the phases plus one terminal state per outcome. `evaluate` moves to the first phase whose rule
        holds for the session's pending state; `move_to_<phase>` makes the same move in one gated transition when
        the engine already knows which phase the rules chose (trying each rule in order is most of a trigger's
        cost); `close_<outcome>` ends it. No auto transitions, queued, and invalid triggers raise (e.g. `evaluate`
        after the conversation ended).

        Sessions are not registered as models (add_model binds a dozen methods per session and keeps a list the
        machine searches): a session keeps its own `phase_state` and fires the machine's events on itself with
        `Event.trigger(session)`, which reads and writes only that attribute.
        """
        if self._machine is None:
            machine = Machine(model=None, model_attribute="phase_state", states=list(PHASES) + self.outcomes,
                              initial=PHASES[0], auto_transitions=False, queued=True, send_event=True,
                              ignore_invalid_triggers=False)
            for target, rule in self.phase_rules:
                machine.add_transition("evaluate", list(PHASES), target,
                                       conditions=[lambda ev, rule=rule: rule(ev.model._pending)])
            for target in PHASES:
                machine.add_transition(f"move_to_{target}", [p for p in PHASES if p != target], target,
                                       conditions=[lambda ev, target=target: self.phase_for(ev.model._pending) == target])
            for outcome in self.outcomes:
                machine.add_transition(f"close_{outcome}", list(PHASES), outcome)
            self._machine = machine
        return self._machine

    def fire(self, session, event: str) -> bool:
        """Trigger one of the machine's events on a session (raises MachineError when it is invalid there)."""
        return self.machine().events[event].trigger(session)

    def detect(self, analyse, line: str) -> tuple[str, ...]:
        categories = analyse(line).categories
        return tuple(sorted(set(categories))) if categories else ()

    def sensitivity_effects(self, detected) -> list[Effect]:
        sens = self.sensitivity
        return [sens[c] for c in detected if c in sens]

    def phase_for(self, state) -> str:
        memo = self._phase_memo
        if memo is not None:
            key = (state.trust, state.motivation, state.phase)
            phase = memo.get(key)
            if phase is None:
                phase = memo[key] = self._phase_rules_for(state)
            return phase
        return self._phase_rules_for(state)

    def _phase_rules_for(self, state) -> str:
        for phase, rule in self.phase_rules:
            if rule(state):
                return phase
        return PHASES[0]

    def open_choices(self, state) -> tuple[OpenChoice, ...]:
        """The choices open in this state, numbered; all of them when none is (lint KM110: never stuck)."""
        out = self._always_open.get(state.node)
        if out is not None:
            return out
        entries = self.node_choices[state.node]
        key = (state.node, *(cond is None or bool(cond(state)) for _cid, _c, cond in entries))
        out = self._open_lists.get(key)
        if out is None:
            out = tuple(OpenChoice(n + 1, cid, c) for n, (cid, c) in
                        enumerate((cid, c) for (cid, c, _cond), is_open in zip(entries, key[1:]) if is_open))
            if not out:
                out = tuple(OpenChoice(i + 1, cid, c) for i, (cid, c, _cond) in enumerate(entries))
            self._open_lists[key] = out
        return out

    def line(self, node_or_ending, phase: str) -> str:
        return node_or_ending.variants.get(phase, node_or_ending.say)


class Session:
    def __init__(
        self,
        persona: Persona | CompiledPersona,
        analyser: Analyser | None = None,
        start: str | None = None,
        meters: dict | None = None,
    ):
        self.compiled = persona if isinstance(persona, CompiledPersona) else CompiledPersona(persona)
        self.persona = self.compiled.persona
        self.analyse = analyser or no_analysis
        start = start or self.persona.start
        if start not in self.compiled.nodes:
            raise SessionError(f"unknown start node '{start}'")
        meters = {**self.compiled.start_meters, **(meters or {})}
        probe = State(start, _clamp(int(meters["trust"])), _clamp(int(meters["motivation"])), PHASES[0])
        phase = self.compiled.phase_for(probe)
        self.state = probe._replace(phase=phase, visited=frozenset({start}), offered=self.compiled.offers[start][1])
        self.turns: list[Turn] = []
        self._history: list[State] = []
        self._open_cache: tuple | None = None
        self._pending = self.state
        self._join_machine(phase)

    # --- the phase machine ---------------------------------------------------------------------------------
    def _join_machine(self, phase: str) -> None:
        self.phase_state = phase  # the machine's model attribute (see CompiledPersona.machine)

    def evaluate(self) -> bool:
        """Move the phase through the machine's gated `evaluate` transitions (for the pending state)."""
        return self.compiled.fire(self, "evaluate")

    def close(self) -> None:
        """Nothing to release any more (sessions are not registered with the shared machine); kept for callers."""

    # --- reading the state ---------------------------------------------------------------------------------
    @property
    def ended(self) -> bool:
        return self.state.ending is not None

    @property
    def outcome(self) -> str | None:
        return self.compiled.endings[self.state.ending].outcome if self.ended else None

    @property
    def ending(self) -> Ending | None:
        return self.compiled.endings[self.state.ending] if self.ended else None

    @property
    def node(self) -> Node:
        return self.compiled.nodes[self.state.node]

    @property
    def phase(self) -> str:
        return self.state.phase

    def current_line(self) -> str:
        if self.ended:
            return self.compiled.line(self.ending, self.state.phase)
        last = self.turns[-1] if self.turns else None
        if last is not None and last.choice_id is None:
            return last.reply  # the reaction or fallback just said is what the trainee answers next
        return self.compiled.line(self.node, self.state.phase)

    def said(self) -> list[str]:
        """Every persona line of this conversation so far, in order (to keep reactions from repeating)."""
        out = [t.persona_line for t in self.turns[:1]]
        out += [t.reply for t in self.turns]
        return out

    def mood(self) -> str | None:
        return self.persona.moods.get(self.state.phase)

    def open_choices(self) -> list[OpenChoice]:
        return [] if self.ended else list(self._open())

    def _open(self) -> tuple[OpenChoice, ...]:
        state = self.state
        cached = self._open_cache
        if cached is None or cached[0] is not state:
            cached = self._open_cache = (state, self.compiled.open_choices(state))
        return cached[1]

    # --- playing -------------------------------------------------------------------------------------------
    def choose(self, ident: str | int, typed: str | None = None, score: float | None = None,
               extra_picks: Iterable[str] = (), own_picks: Iterable[str] | None = None,
               detected: Iterable[str] | None = None, codes: Iterable[str] | None = None,
               act: str | None = None) -> Turn:
        """Play an open choice, by id or by its 1-based number among the open choices.

        own_picks: which of the choice's own `picks_up` count (None = all). The free-text matcher passes the ones
        the typed words actually address; extra_picks are cues picked up by the typed words beyond the choice's.
        detected: the analyser categories of this line as recorded in a journal (replay); None = analyse now.
        codes: the MI codes of a typed line (from its act); None = the choice's authored codes."""
        if self.ended:
            raise SessionError("the conversation has ended")
        picked = None
        for option in self._open():
            if option.id == ident or option.number == ident:
                picked = option
                break
        if picked is None:
            if isinstance(ident, str) and ident in self.compiled.choices:
                raise SessionError(f"choice '{ident}' is not open here")
            raise SessionError(f"no choice {ident!r} at node '{self.state.node}'")
        choice = picked.choice
        own_codes, own_picks_all, effect = self.compiled.choice_facts[picked.id]
        line = typed if typed is not None else choice.text
        extra = tuple(extra_picks)
        if own_picks is None and not extra:
            picks = own_picks_all
        else:
            keep = None if own_picks is None else set(own_picks)
            own = choice.picks_up if keep is None else [c for c in choice.picks_up if c in keep]
            picks = tuple(dict.fromkeys([*own, *extra]))
        return self._advance(picked.id, choice.text, typed, score, own_codes if codes is None else tuple(codes),
                             picks, [effect], line, choice.next, detected, act=act)

    def fallback(self, typed: str, codes: tuple[str, ...] = (), extra_picks: Iterable[str] = (),
                 detected: Iterable[str] | None = None, act: str | None = None) -> Turn:
        """Free text that matched no choice: the persona answers with its fallback and stays at this node."""
        if self.ended:
            raise SessionError("the conversation has ended")
        fx = self.persona.fallback_effects
        return self._advance(None, typed, typed, None, tuple(codes), tuple(extra_picks),
                             [Effect("fallback", fx.trust, fx.motivation)], typed, self.state.node, detected, act=act)

    def reaction_for(self, act: str, detected: Iterable[str] = ()) -> int | None:
        """The index of the `reactions:` rule that would answer a line with this act and these analyser
        categories here and now, or None (then the persona can only fall back)."""
        if self.ended:
            return None
        return select(self.persona, self.state.node, self.state.phase, act, detected)

    def react(self, typed: str, act: str, codes: Iterable[str] = (), extra_picks: Iterable[str] = (),
              detected: Iterable[str] | None = None, reaction: str | None = None, line: int | None = None) -> Turn:
        """Free text that fits no choice but is understood: the persona answers the act with one of its
        `reactions:` (effects of the rule plus the sensitivities), stays at the node or moves on to the rule's
        `next`. A replay passes the recorded `reaction` id and `line` number (checked, so a changed persona
        fails loudly instead of replaying something else)."""
        if self.ended:
            raise SessionError("the conversation has ended")
        detected = self.compiled.detect(self.analyse, typed) if detected is None else tuple(sorted(set(detected)))
        index = self.reaction_for(act, detected)
        if index is None:
            raise SessionError(f"no reaction for act '{act}' at node '{self.state.node}'")
        rid = reaction_id(self.persona, index)
        if reaction is not None and reaction != rid:
            raise SessionError(f"the reaction '{reaction}' no longer answers here (now '{rid}')")
        rule = self.persona.reactions[index]
        k = pick_line(rule, self.said()) if line is None else line
        if not 0 <= k < len(rule.say):
            raise SessionError(f"reaction '{rid}' has no line {k + 1}")
        nxt = rule.next or self.state.node
        if nxt not in self.compiled.nodes and nxt not in self.compiled.endings:
            raise SessionError(f"reaction '{rid}' moves to unknown '{nxt}'")
        return self._advance(None, typed, typed, None, tuple(codes), tuple(extra_picks),
                             [Effect("reaction", rule.effects.trust, rule.effects.motivation)], typed, nxt, detected,
                             act=act, reaction=(rid, rule.say[k].strip(), k))

    def _advance(self, cid, choice_text, typed, score, codes, picks, effects, line, nxt, detected=None,
                 act=None, reaction=None) -> Turn:
        compiled = self.compiled
        before = self.state
        persona_line = self.current_line()
        # A replayed turn uses the categories recorded when it was played, so a later change to the lexicon
        # cannot change what happened in an old session (or make its journal unplayable).
        detected = compiled.detect(self.analyse, line) if detected is None else tuple(sorted(set(detected)))
        if detected:
            effects.extend(compiled.sensitivity_effects(detected))
        trust, motivation = before.trust, before.motivation
        for effect in effects:
            trust += effect.trust
            motivation += effect.motivation
        trust, motivation = _clamp(trust), _clamp(motivation)
        # Everything the turn changes is in place before the phase is evaluated, so the phase is always a
        # function of the state (the path explorer relies on that). Sets that do not grow are kept as they are.
        node = compiled.nodes.get(nxt)
        visited, offered, picked_up = before.visited, before.offered, before.picked_up
        if node is not None:
            if nxt not in visited:
                visited = visited | {nxt}
            offers = compiled.offers[nxt][1]
            if not offers <= offered:
                offered = offered | offers
        if picks and not picked_up.issuperset(picks):
            picked_up = picked_up | set(picks)
        turns = before.turns + 1
        pending = State(before.node, trust, motivation, before.phase, turns, visited, offered, picked_up)
        self._pending = pending
        phase = compiled.phase_for(pending)
        if phase != before.phase:
            # The machine makes the move through its gated transition to that phase (the same move as `evaluate`);
            # when the rules say the phase stays, there is nothing to move and the trigger is skipped.
            compiled.fire(self, f"move_to_{phase}")
            phase = self.phase_state
            pending = State(before.node, trust, motivation, phase, turns, visited, offered, picked_up)
        ending = None
        if compiled.break_off and compiled.break_off[0](pending):
            ending = compiled.break_off[1]
        elif nxt in compiled.endings:
            ending = nxt
        if ending:
            outcome = compiled.endings[ending].outcome
            compiled.fire(self, f"close_{outcome}")
            state = State(before.node, trust, motivation, phase, turns, visited, offered, picked_up, ending)
            reply = compiled.line(compiled.endings[ending], phase)
            if reaction is not None:
                reply = f"{reaction[1]} {reply}"
        else:
            state = State(nxt, trust, motivation, phase, turns, visited, offered, picked_up)
            if reaction is not None:  # the reaction's line; moving on, the next node's line follows it
                reply = reaction[1] if nxt == before.node else f"{reaction[1]} {compiled.line(node, phase)}"
            elif cid is None:  # fallback: same node, the persona asks what is meant
                reply = compiled.nodes[before.node].fallback or self.persona.fallback
            else:
                reply = compiled.line(node, phase)
        turn = Turn(
            index=len(self.turns) + 1, node=before.node, persona_line=persona_line,
            offered=compiled.offers[before.node][0], choice_id=cid, choice_text=choice_text, typed=typed,
            match_score=score, codes=codes, picks_up=picks, detected=detected, effects=tuple(effects),
            trust_before=before.trust, motivation_before=before.motivation, phase_before=before.phase,
            trust_after=trust, motivation_after=motivation, phase_after=phase,
            next=ending or nxt, reply=reply,
            ended=compiled.endings[ending].outcome if ending else None,
            act=act, reaction=None if reaction is None else reaction[0],
            reaction_line=None if reaction is None else reaction[2],
        )
        self._history.append(before)
        self.state = state
        self.turns.append(turn)
        return turn

    def undo(self) -> Turn:
        if not self.turns:
            raise SessionError("nothing to undo")
        self.state = self._history.pop()
        self._join_machine(self.state.phase)
        return self.turns.pop()

    def restore(self, state: State) -> None:
        """Jump to a state (used by the path explorer); clears the turn history."""
        self.state = state
        self.turns.clear()
        self._history.clear()
        if state.ending:
            self.phase_state = self.compiled.endings[state.ending].outcome
        else:
            self._join_machine(state.phase)

    def phase_path(self) -> list[str]:
        """Distinct phases in the order they were visited."""
        path = [self.turns[0].phase_before] if self.turns else [self.state.phase]
        for t in self.turns:
            if t.phase_after != path[-1]:
                path.append(t.phase_after)
        return path


__all__ = ["Session", "SessionError", "State", "Turn", "Effect", "OpenChoice", "CompiledPersona", "MachineError",
           "choice_id", "no_analysis"]
