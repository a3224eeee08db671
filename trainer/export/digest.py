"""The report's fast path: a session's summary from its journal, without the engine's Session and the full Debrief.

`trainer report` needs one flat summary per session (summary.py). Rebuilding it the full way replays the journal
through the engine (`Session`, its `transitions` phase machine, a `Turn` per turn) and builds the whole Debrief
(explanations, suggestions, measures in words), about 1.5 ms a session, most of it for things a summary never
shows. `digest()` walks the journal's actions with the engine's own rules and compiled persona instead (the open
choices and their conditions, effects and sensitivities, the phase rules, break-off and endings, reactions), keeps
only what a summary reads of each turn, and runs the debrief's own functions on that (the lexicon flags, the
verdict recorded for typed lines, `track_cues`, `rubric_figures`), so both ways give the same summary.

It never decides a hard case itself: it raises `Replay` (the caller then does the full replay, which gives today's
result or today's error) when
- the persona file changed since the session was played (its hash differs from the journal's),
- anything in the journal does not fit (a choice that is not open, a changed choice text, a reaction that no
  longer answers, a journal that goes on after the ending, a value of the wrong type: the engine's error message
  is the one to show), or an action lacks what the walk needs (a reaction without its line number),
- the meters, phase or ending the journal recorded after a turn differ from what the walk computed (a hand-edited
  journal, a journal older than the recorded meters, or engine rules that changed since: the replay decides), or
- the conversation's start (header `start`/`meters`) cannot be read.
The engine stays the reference: tests/test_report_digest.py keeps `digest(...) == the replayed summary` on a
varied set of sessions and checks that freshly played sessions never need the replay.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import NamedTuple

from trainer.engine.journal import actions, text_hash
from trainer.engine.session import State, no_analysis
from trainer.vocab import METER_MAX, METER_MIN, PHASES


class Replay(Exception):
    """This session needs the full replay; the message says why (for the figures, never shown to a user)."""


class _Turn(NamedTuple):
    """What the debrief's cue tracking and rubric, and the summary, read of an engine Turn."""

    index: int
    choice_id: str | None
    typed: str | None
    trainee_line: str
    codes: tuple
    picks_up: tuple
    detected: tuple
    offered: tuple
    ended: str | None
    reaction: str | None
    persona_line: str = ""  # not needed by a summary (the cue events it keeps are id, label and status)


class _Flag(NamedTuple):
    """What the summary and the rubric read of a FlagView."""

    turn: int
    text: str
    category: str
    start: int
    end: int
    severity: int


def _names_read(sources) -> set[str] | None:
    """The state names conditions (trainer.persona.conditions) read; None when one does not parse here."""
    from trainer.persona.conditions import parse

    names: set[str] = set()

    def visit(node) -> None:
        if node[0] in ("var", "call"):
            names.add(node[1])
        for part in node[1:]:
            if isinstance(part, tuple):
                visit(part)

    try:
        for src in sources:
            visit(parse(src).tree)
    except Exception:  # noqa: BLE001 - the engine compiled them; when in doubt, work every one out
        return None
    return names


def _reads_meters_only(persona) -> bool:
    """Whether the persona's phase rules (trainer.engine.session.CompiledPersona) read nothing but the meters."""
    from trainer.vocab import DEFAULT_PHASE_RULES

    names = _names_read({**DEFAULT_PHASE_RULES, **persona.phases}.values())
    return names is not None and names <= {"trust", "motivation"}


def _break_off_memo(persona) -> dict | None:
    """A memo for the break-off rule when it reads only meters, turns and phase (as all shipped personas' do),
    keyed by those: it is asked after every turn."""
    if persona.break_off is None:
        return None
    names = _names_read([persona.break_off.when])
    return {} if names is not None and names <= {"trust", "motivation", "turns", "phase"} else None


def _clamp(value: int) -> int:
    return METER_MIN if value < METER_MIN else METER_MAX if value > METER_MAX else value


class AuthoredFlags:
    """The word list's flags in authored lines (a persona's choice texts, never a trainee's typed words), as
    (category, start, end, severity) per language, kept in the user cache folder beside the parsed word list and
    keyed like it (the analyser's code and every lexicon file) and by trainer/vocab.py. The first analysis of a
    line compiles the rules it tries: about 0.4 s in every worker process for the shipped personas, on every new
    cohort. A file that does not read back as exactly this shape is ignored (and rewritten); it is written
    atomically. No file when the cache folder is off (GESPREKSTRAINER_CACHE=off): then every line is analysed.

    Lines analysed in a worker process are handed back to the parent with its results (`take_new`, `merge`)."""

    LIMIT = 50_000  # lines per language; beyond that (many persona edits) start again

    def __init__(self, path: Path | None):
        self.path = path
        self.known: dict[str, dict[str, tuple]] = {"nl": {}, "en": {}}
        self.new: dict[str, dict[str, list]] = {}
        self.dirty = False
        if path is not None:
            try:
                self.known = self._valid(json.loads(path.read_bytes()))
            except (OSError, ValueError, TypeError, KeyError):
                pass  # missing or damaged: analysed anew and rewritten

    @classmethod
    def of_default_lexicon(cls) -> "AuthoredFlags":
        import hashlib

        import trainer.vocab
        from trainer.debrief.analyser import _LexiconCache, default_lexicon

        cache = _LexiconCache.of(list(default_lexicon().sources))
        if cache is None:
            return cls(None)
        vocab = hashlib.blake2b(Path(trainer.vocab.__file__).read_bytes(), digest_size=8).hexdigest()
        return cls(cache.path.with_name(f"{cache.path.stem}-flags-{vocab}.json"))

    @staticmethod
    def _valid(raw) -> dict[str, dict[str, tuple]]:
        from trainer.vocab import CONTROLLING_CATEGORIES

        known = {}
        for lang in ("nl", "en"):
            lines = raw[lang]
            if not isinstance(lines, dict):
                raise ValueError("not a table of lines")
            known[lang] = {line: AuthoredFlags._spans(line, spans, CONTROLLING_CATEGORIES)
                           for line, spans in lines.items()}
        return known

    @staticmethod
    def _spans(line, spans, categories) -> tuple:
        if not isinstance(line, str) or not isinstance(spans, list):
            raise ValueError("not a line")
        out = []
        for span in spans:
            category, start, end, severity = span
            if not (category in categories and type(start) is int and type(end) is int and type(severity) is int
                    and 0 <= start <= end <= len(line)):
                raise ValueError("not a flag")
            out.append((category, start, end, severity))
        return tuple(out)

    def get(self, line: str, lang: str) -> tuple:
        got = self.known[lang].get(line)
        if got is None:
            from trainer.debrief.build import _analyse

            got = tuple((f.category, f.start, f.end, f.severity) for f in _analyse(line, lang).flags)
            self.known[lang][line] = got
            self.new.setdefault(lang, {})[line] = got
            self.dirty = True
        return got

    def take_new(self) -> dict:
        new, self.new = self.new, {}
        return new

    def merge(self, new: dict) -> None:
        for lang, lines in new.items():
            for line, spans in lines.items():
                if line not in self.known[lang]:
                    self.known[lang][line] = tuple(map(tuple, spans))
                    self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        from trainer.export.fileio import write_bytes_atomic

        data = {lang: {line: [list(s) for s in spans] for line, spans in lines.items()}
                for lang, lines in self.known.items()} if all(len(v) <= self.LIMIT for v in self.known.values()) \
            else {"nl": {}, "en": {}}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self.path, json.dumps(data).encode("ascii"))
        except OSError:
            return  # a read-only cache folder only costs time
        self.dirty = False


class Walker:
    """The engine's turn rules on one compiled persona, with what every session of it shares worked out once."""

    def __init__(self, compiled, authored: AuthoredFlags | None = None):
        self.compiled = compiled
        self.persona = compiled.persona
        self.default_meters = {"trust": self.persona.meters.trust, "motivation": self.persona.meters.motivation}
        self.authored = authored if authored is not None else AuthoredFlags(None)
        self._text_hash: dict[str, str] = {}
        self._sensitivity: dict[tuple, tuple[int, int]] = {}
        self._nodes: dict[str, tuple[list, bool, dict]] = {}
        # the phase rules of most personas read only the meters: then the phase is looked up, not worked out
        self._phases: dict[tuple[int, int], str | None] | None = {} if _reads_meters_only(self.persona) else None
        self._break_off: dict[tuple, bool] | None = _break_off_memo(self.persona)

    # --- the walk (mirrors Session.__init__, choose, fallback, react and _advance) -------------------------------
    def start(self, head: dict) -> State:
        compiled = self.compiled
        start = head.get("start") or self.persona.start
        if start not in compiled.nodes:
            raise Replay("unknown start node")
        meters = {**self.default_meters, **(head.get("meters") or {})}
        probe = State(start, _clamp(int(meters["trust"])), _clamp(int(meters["motivation"])), PHASES[0])
        return probe._replace(phase=compiled.phase_for(probe), visited=frozenset({start}),
                              offered=frozenset(compiled.nodes[start].offers))

    def walk(self, head: dict, events: list[dict], analyser=None) -> tuple[list[_Turn], State]:
        compiled = self.compiled
        nodes = compiled.nodes
        persona = self.persona
        sensitivity = self._sensitivity
        state = self.start(head)
        turns: list[_Turn] = []
        analyse = analyser or no_analysis
        for ev in actions(events):
            if state.ending is not None:
                raise Replay("the journal continues after the conversation ended")
            kind = ev["type"]
            recorded = ev.get("detected")
            cid = reaction = None
            if kind == "choose":
                typed = ev.get("typed")
                choice, cid = self._open_choice(state, ev)
                line = typed if typed is not None else choice.text
                own_picks = ev.get("own_picks")
                if own_picks is None:
                    own = choice.picks_up
                else:
                    keep = set(own_picks)
                    own = [c for c in choice.picks_up if c in keep]
                extra = ev.get("picks", ())
                picks = tuple(dict.fromkeys([*own, *extra])) if extra or own_picks is not None or \
                    len(own) > 1 else tuple(own)
                codes = tuple(choice.codes) if "codes" not in ev else tuple(ev["codes"])
                trust, motivation, nxt = choice.effects.trust, choice.effects.motivation, choice.next
            elif kind == "react":
                line = typed = ev["typed"]
                if recorded is None:
                    recorded = compiled.detect(analyse, typed)
                rule, reaction = self._reaction(state, ev, tuple(sorted(set(recorded))))
                codes, picks = tuple(ev.get("codes", ())), tuple(ev.get("picks", ()))
                trust, motivation, nxt = rule.effects.trust, rule.effects.motivation, rule.next or state.node
            else:
                line = typed = ev["typed"]
                fx = persona.fallback_effects
                codes, picks = tuple(ev.get("codes", ())), tuple(ev.get("picks", ()))
                trust, motivation, nxt = fx.trust, fx.motivation, state.node
            detected = compiled.detect(analyse, line) if recorded is None else tuple(sorted(set(recorded)))
            if detected:
                shift = sensitivity.get(detected)
                if shift is None:
                    fx = compiled.sensitivity_effects(detected)
                    shift = sensitivity[detected] = (sum(e.trust for e in fx), sum(e.motivation for e in fx))
                trust += shift[0]
                motivation += shift[1]
            offered = nodes[state.node].offers  # the cues of the line the trainee answered
            state, ended = self._advance(state, trust, motivation, nxt, picks)
            if (ev.get("trust"), ev.get("motivation"), ev.get("phase"), ev.get("ended")) != \
                    (state.trust, state.motivation, state.phase, ended):
                raise Replay("the recorded meters differ from the walk")
            turns.append(_Turn(len(turns) + 1, cid, typed, line, codes, picks, detected, tuple(offered), ended,
                               reaction))
        return turns, state

    def _open_choice(self, state: State, ev: dict):
        ident = ev["choice"]
        entries, conditional, by_id = self._node_choices(state.node)
        hit = by_id.get(ident) if type(ident) is str else None
        if hit is not None and (hit[2] is None or hit[2](state)):
            cid, choice = hit[0], hit[1]  # open: whatever the other choices' conditions say
        else:  # Session.open_choices (when none is open, all are), found by id or by number
            open_ = [(cid, c) for cid, c, cond in entries if cond is None or cond(state)] if conditional else None
            open_ = open_ or entries
            for number, (cid, choice, *_) in enumerate(open_, 1):
                if cid == ident or number == ident:
                    break
            else:
                raise Replay("the choice is not open")
        recorded = ev.get("text_hash")  # journal._check_choice_text
        if isinstance(recorded, str) and ident in self.compiled.choices:
            known = self._text_hash.get(cid)
            if known is None:
                node, index = self.compiled.choices[cid]
                known = self._text_hash[cid] = text_hash(node.choices[index].text)
            if known != recorded:
                raise Replay("the choice's text changed")
        return choice, cid

    def _node_choices(self, node: str):
        got = self._nodes.get(node)
        if got is None:
            entries = self.compiled.node_choices[node]
            got = self._nodes[node] = (entries, any(cond is not None for _, _, cond in entries),
                                       {entry[0]: entry for entry in reversed(entries)})
        return got

    def _reaction(self, state: State, ev: dict, detected: tuple):
        from trainer.persona.reactions import reaction_id, select

        index = select(self.persona, state.node, state.phase, ev["act"], detected)
        if index is None:
            raise Replay("no reaction answers")
        rid = reaction_id(self.persona, index)
        wanted = ev.get("reaction")
        if wanted is not None and wanted != rid:
            raise Replay("another reaction answers now")
        rule = self.persona.reactions[index]
        k = ev.get("line")
        if k is None:
            raise Replay("a reaction without its line number")  # picking it needs every line said so far
        if not 0 <= k < len(rule.say):
            raise Replay("the reaction has no such line")
        nxt = rule.next or state.node
        if nxt not in self.compiled.nodes and nxt not in self.compiled.endings:
            raise Replay("the reaction moves to an unknown node")
        return rule, rid

    def _advance(self, before: State, trust: int, motivation: int, nxt: str, picks: tuple):
        compiled = self.compiled
        trust = _clamp(before.trust + trust)
        motivation = _clamp(before.motivation + motivation)
        node = compiled.nodes.get(nxt)
        if node is None and nxt not in compiled.endings:
            raise Replay("a move to an unknown node")
        turns = before.turns + 1
        # the engine's unions; a set that would not grow is kept as it is (equal, one allocation less)
        visited = before.visited | {nxt} if node and nxt not in before.visited else before.visited
        offered = before.offered
        if node and not offered.issuperset(node.offers):
            offered = offered | set(node.offers)
        picked_up = before.picked_up
        if picks and not picked_up.issuperset(picks):
            picked_up = picked_up | set(picks)
        # the phase: the machine's gated `evaluate`, i.e. the first phase rule that holds; none holds: it stays
        memo = self._phases
        key = (trust, motivation)
        if memo is not None and key in memo:
            phase = memo[key] or before.phase
        else:
            probe = State(before.node, trust, motivation, before.phase, turns, visited, offered, picked_up)
            first = next((phase for phase, rule in compiled.phase_rules if rule(probe)), None)
            if memo is not None:
                memo[key] = first
            phase = first or before.phase
        ending = None
        breaks = False
        if compiled.break_off:
            memo = self._break_off
            key = (trust, motivation, turns, phase)
            breaks = memo.get(key) if memo is not None else None
            if breaks is None:
                breaks = bool(compiled.break_off[0](
                    State(before.node, trust, motivation, phase, turns, visited, offered, picked_up)))
                if memo is not None:
                    memo[key] = breaks
        if breaks:
            ending = compiled.break_off[1]
        elif nxt in compiled.endings:
            ending = nxt
        if ending is None:
            return State(nxt, trust, motivation, phase, turns, visited, offered, picked_up), None
        outcome = compiled.endings[ending].outcome
        if outcome not in compiled.outcomes:
            raise Replay("an ending with an unknown outcome")
        return State(before.node, trust, motivation, phase, turns, visited, offered, picked_up, ending), outcome

    # --- the parts of the debrief a summary shows ------------------------------------------------------------
    def flags(self, turns: list[_Turn], lang: str) -> list[_Flag]:
        """build_debrief's flags: the lexicon's for an authored line, the recorded verdict's for a typed one."""
        from trainer.debrief.build import _typed_flags

        out: list[_Flag] = []
        authored = self.authored.get
        for t in turns:
            if t.typed is not None:
                for f in _typed_flags(t, lang):
                    out.append(_Flag(t.index, t.trainee_line, f.category, f.start, f.end, f.severity))
            else:
                for category, start, end, severity in authored(t.trainee_line, lang):
                    out.append(_Flag(t.index, t.trainee_line, category, start, end, severity))
        return out


def digest(walker: Walker, header: dict, events: list[dict], loaded, journal_file, lang: str = "nl",
           analyser=None) -> dict:
    """The summary of one journal, equal to `summary.summarise_session` after a full replay; raises Replay when
    this session needs that replay (see the module docstring)."""
    if loaded.content_hash != header.get("persona_hash"):
        raise Replay("the persona changed since the session was played")
    try:
        return _digest(walker, header, events, loaded, journal_file, lang, analyser)
    except Replay:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever does not fit, the replay reports it as it always has
        raise Replay(f"{type(exc).__name__} during the walk") from None


def _digest(walker, header, events, loaded, journal_file, lang, analyser) -> dict:
    from trainer.debrief.cues import track_cues
    from trainer.debrief.rubric import rubric_figures
    from trainer.export.record import journal_facts
    from trainer.export.summary import _summary
    from trainer.vocab import OUTCOMES

    lang = lang if lang in ("nl", "en") else "nl"
    persona = walker.persona
    turns, state = walker.walk(header, events, analyser)
    flags = walker.flags(turns, lang)
    controlling = {f.turn for f in flags}
    cues = track_cues(persona, turns, lambda t: t.index in controlling)
    ended = state.ending is not None
    outcome = walker.compiled.endings[state.ending].outcome if ended else None
    label = persona.outcomes.get(outcome, outcome) if outcome and outcome not in OUTCOMES else None
    rubric = rubric_figures(turns, flags, cues, outcome, state.trust)
    facts = journal_facts(header, events, ended, loaded.content_hash, journal_file)
    return _summary(
        session_id=facts["session_id"], file=os.path.basename(journal_file), trainee=facts["trainee"], persona=persona,
        persona_changed=facts["persona_changed"], mode=facts["mode"], started_at=facts["started_at"],
        finished_at=facts["finished_at"], duration_seconds=facts["duration_seconds"], finished=ended,
        outcome=outcome, outcome_label=label, turns=len(turns), rubric=rubric, cues=cues, flags=flags,
        final=state, turns_of=turns)
