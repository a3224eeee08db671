"""Cross-reference checks on a persona's raw data: ids, references, outcomes and conditions.

Works on the plain data from `yamlsrc` (not the pydantic model) so it also runs when the shape has errors,
and skips anything whose shape is wrong (pass 2 already reported that).
"""

from __future__ import annotations

from pathlib import Path

from trainer.persona.conditions import ConditionError, parse
from trainer.persona.messages import did_you_mean, m, place
from trainer.persona.yamlsrc import Source
from trainer.vocab import OUTCOMES, PHASES

TEXT_MAX = 4000  # the model's longest text (model.Text)


def _items(data, key: str) -> list[tuple[int, dict]]:
    seq = data.get(key) if isinstance(data, dict) else None
    if not isinstance(seq, list):
        return []
    return [(i, item) for i, item in enumerate(seq) if isinstance(item, dict)]


def _unique_ids(src, section: str, items, message: str) -> set[str]:
    """The ids of a list section (cues, reactions); KM020 for an id written twice."""
    seen: set[str] = set()
    for i, item in items:
        ident = item.get("id")
        if isinstance(ident, str):
            if ident in seen:
                src.error((section, i, "id"), "KM020", m(message, id=ident))
            seen.add(ident)
    return seen


def _hint(word, options) -> str:
    return did_you_mean(word, options)


def check(src: Source) -> None:
    data = src.data
    if not isinstance(data, dict):
        return
    nodes = _items(data, "nodes")
    endings = _items(data, "endings")
    cues = _items(data, "cues")

    # ids: nodes and endings share one namespace because `next` may name either
    seen: dict[str, tuple] = {}
    for key, items in (("nodes", nodes), ("endings", endings)):
        for i, item in items:
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                first = src.where(seen[ident] + ("id",))
                src.error((key, i, "id"), "KM020", m("duplicate_id", id=ident, line=first.line))
            else:
                seen[ident] = (key, i)
    node_ids = {item["id"] for _, item in nodes if isinstance(item.get("id"), str)}
    ending_ids = {item["id"] for _, item in endings if isinstance(item.get("id"), str)}
    targets = node_ids | ending_ids

    cue_ids = _unique_ids(src, "cues", cues, "duplicate_cue")

    fid = data.get("id")
    stem = Path(src.file).stem
    if isinstance(fid, str) and src.file.endswith((".yaml", ".yml")) and fid != stem:
        src.error(("id",), "KM016", m("id_filename", id=fid, stem=stem),
                  severity="warning")

    start = data.get("start")
    if isinstance(start, str):
        if start in ending_ids:
            src.error(("start",), "KM021", m("start_is_ending", id=start))
        elif start not in node_ids:
            src.error(("start",), "KM021", m("start_unknown", id=start, hint=_hint(start, node_ids)))

    outcomes = set(OUTCOMES)
    if isinstance(data.get("outcomes"), dict):
        outcomes |= set(data["outcomes"])
    for i, end in endings:
        outcome = end.get("outcome")
        if isinstance(outcome, str) and outcome not in outcomes:
            src.error(("endings", i, "outcome"), "KM024",
                      m("unknown_outcome", id=outcome, hint=_hint(outcome, outcomes), known=", ".join(sorted(outcomes))))

    choice_ids: dict[str, tuple] = {}
    for n, node in nodes:
        for j, cue in enumerate(node.get("offers") or [] if isinstance(node.get("offers"), list) else []):
            if isinstance(cue, str) and cue not in cue_ids:
                src.error(("nodes", n, "offers", j), "KM022",
                          m("unknown_cue", id=cue, hint=_hint(cue, cue_ids), where=place(data, ("nodes", n))))
        choices = node.get("choices")
        if not isinstance(choices, list):
            continue
        for c, choice in enumerate(choices):
            if not isinstance(choice, dict):
                continue
            path = ("nodes", n, "choices", c)
            nxt = choice.get("next")
            if isinstance(nxt, str) and nxt not in targets:
                src.error(path + ("next",), "KM021",
                          m("unknown_next", id=nxt, hint=_hint(nxt, targets), where=place(data, path)))
            picks = choice.get("picks_up")
            for k, cue in enumerate(picks if isinstance(picks, list) else []):
                if isinstance(cue, str) and cue not in cue_ids:
                    src.error(path + ("picks_up", k), "KM022",
                              m("unknown_cue", id=cue, hint=_hint(cue, cue_ids), where=place(data, path)))
            cid = choice.get("id")
            if isinstance(cid, str):  # default ids "<node>.<n>" cannot clash unless node ids do
                if cid in choice_ids:
                    first = src.where(choice_ids[cid] + ("id",))
                    src.error(path + ("id",), "KM020", m("duplicate_choice", id=cid, line=first.line))
                choice_ids[cid] = path
            if "if" in choice:
                _condition(src, path + ("if",), choice["if"], node_ids, cue_ids)

    reactions = _items(data, "reactions")
    _unique_ids(src, "reactions", reactions, "reaction_duplicate_id")
    for r, rule in reactions:
        nxt = rule.get("next")
        if isinstance(nxt, str) and nxt not in targets:
            src.error(("reactions", r, "next"), "KM021", m("unknown_next", id=nxt, hint=_hint(nxt, targets), where=""))
        rnodes = rule.get("nodes")
        for k, nid in enumerate(rnodes if isinstance(rnodes, list) else []):
            if isinstance(nid, str) and nid not in node_ids:
                src.error(("reactions", r, "nodes", k), "KM021",
                          m("reaction_unknown_node", id=nid, hint=_hint(nid, node_ids)))

    phases = data.get("phases")
    if isinstance(phases, dict):
        for phase, cond in phases.items():
            _condition(src, ("phases", phase), cond, node_ids, cue_ids, phase_rule=True)
    brk = data.get("break_off")
    if isinstance(brk, dict):
        if "if" in brk:
            _condition(src, ("break_off", "if"), brk["if"], node_ids, cue_ids)
        end = brk.get("ending")
        if isinstance(end, str) and end not in ending_ids:
            src.error(("break_off", "ending"), "KM021", m("break_unknown", id=end, hint=_hint(end, ending_ids)))


def _condition(src: Source, path: tuple, cond, node_ids: set[str], cue_ids: set[str], phase_rule: bool = False) -> None:
    if not isinstance(cond, str) or len(cond) > TEXT_MAX:
        return  # the shape pass reports the type, or that the text is too long
    try:
        parsed = parse(cond)
    except ConditionError as exc:
        # every problem of the condition at once; the repaired condition with the first one
        fix = m("cond_fix", fixed=exc.fixed) if exc.fixed else ""
        for k, problem in enumerate(exc.problems):
            src.error(path, problem.code, m("condition", text=problem.message) + (fix if k == 0 else ""),
                      offset=problem.offset)
        return
    for fn, arg, offset in parsed.refs:
        if fn == "visited" and arg not in node_ids:
            src.error(path, "KM032", m("visited_unknown", id=arg, hint=_hint(arg, node_ids)), offset=offset)
        elif fn in ("picked_up", "offered") and arg not in cue_ids:
            src.error(path, "KM022", m("fn_unknown_cue", fn=fn, id=arg, hint=_hint(arg, cue_ids)), offset=offset)
    if phase_rule and "phase" in _variables(parsed.tree):
        # the phase is computed from these rules, so a rule cannot read it
        src.error(path, "KM031", m("phase_rule_phase"))
    for var, _op, value, offset in parsed.compares:
        if var == "phase" and value not in PHASES:
            src.error(path, "KM033", m("unknown_phase_cmp", value=value, hint=_hint(value, PHASES),
                                        phases=", ".join(PHASES)), offset=offset)
        if var in ("trust", "motivation") and isinstance(value, int) and not 0 <= value <= 100:
            src.error(path, "KM013", m("meter_range", var=var, value=value), offset=offset)


def _variables(tree: tuple) -> set[str]:
    if tree[0] == "var":
        return {tree[1]}
    out: set[str] = set()
    for part in tree[1:]:
        if isinstance(part, tuple):
            out |= _variables(part)
    return out
