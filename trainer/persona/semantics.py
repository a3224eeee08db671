"""Cross-reference checks on a persona's raw data: ids, references, outcomes and conditions.

Works on the plain data from `yamlsrc` (not the pydantic model) so it also runs when the shape has errors,
and skips anything whose shape is wrong (pass 2 already reported that).
"""

from __future__ import annotations

import difflib
from pathlib import Path

from trainer.persona.conditions import ConditionError, parse
from trainer.persona.yamlsrc import Source
from trainer.vocab import OUTCOMES, PHASES


def _items(data, key: str) -> list[tuple[int, dict]]:
    seq = data.get(key) if isinstance(data, dict) else None
    if not isinstance(seq, list):
        return []
    return [(i, item) for i, item in enumerate(seq) if isinstance(item, dict)]


def _hint(word, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


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
                src.error((key, i, "id"), "KM020", f"duplicate id '{ident}' (already used at line {first.line})")
            else:
                seen[ident] = (key, i)
    node_ids = {item["id"] for _, item in nodes if isinstance(item.get("id"), str)}
    ending_ids = {item["id"] for _, item in endings if isinstance(item.get("id"), str)}
    targets = node_ids | ending_ids

    cue_ids: set[str] = set()
    for i, cue in cues:
        ident = cue.get("id")
        if isinstance(ident, str):
            if ident in cue_ids:
                src.error(("cues", i, "id"), "KM020", f"duplicate cue id '{ident}'")
            cue_ids.add(ident)

    fid = data.get("id")
    stem = Path(src.file).stem
    if isinstance(fid, str) and src.file.endswith((".yaml", ".yml")) and fid != stem:
        src.error(("id",), "KM016", f"id '{fid}' differs from the file name '{stem}'; personas are found by file name",
                  severity="warning")

    start = data.get("start")
    if isinstance(start, str):
        if start in ending_ids:
            src.error(("start",), "KM021", f"start '{start}' is an ending; start must name a node")
        elif start not in node_ids:
            src.error(("start",), "KM021", f"start names unknown node '{start}'{_hint(start, node_ids)}")

    outcomes = set(OUTCOMES)
    if isinstance(data.get("outcomes"), dict):
        outcomes |= set(data["outcomes"])
    for i, end in endings:
        outcome = end.get("outcome")
        if isinstance(outcome, str) and outcome not in outcomes:
            src.error(("endings", i, "outcome"), "KM024",
                      f"unknown outcome '{outcome}'{_hint(outcome, outcomes)}; known: {', '.join(sorted(outcomes))} "
                      "(define your own under 'outcomes:')")

    choice_ids: dict[str, tuple] = {}
    for n, node in nodes:
        for j, cue in enumerate(node.get("offers") or [] if isinstance(node.get("offers"), list) else []):
            if isinstance(cue, str) and cue not in cue_ids:
                src.error(("nodes", n, "offers", j), "KM022", f"unknown cue '{cue}'{_hint(cue, cue_ids)}")
        choices = node.get("choices")
        if not isinstance(choices, list):
            continue
        for c, choice in enumerate(choices):
            if not isinstance(choice, dict):
                continue
            path = ("nodes", n, "choices", c)
            nxt = choice.get("next")
            if isinstance(nxt, str) and nxt not in targets:
                src.error(path + ("next",), "KM021", f"next names unknown node or ending '{nxt}'{_hint(nxt, targets)}")
            picks = choice.get("picks_up")
            for k, cue in enumerate(picks if isinstance(picks, list) else []):
                if isinstance(cue, str) and cue not in cue_ids:
                    src.error(path + ("picks_up", k), "KM022", f"unknown cue '{cue}'{_hint(cue, cue_ids)}")
            cid = choice.get("id")
            if isinstance(cid, str):  # default ids "<node>.<n>" cannot clash unless node ids do
                if cid in choice_ids:
                    src.error(path + ("id",), "KM020", f"duplicate choice id '{cid}'")
                choice_ids[cid] = path
            if "if" in choice:
                _condition(src, path + ("if",), choice["if"], node_ids, cue_ids)

    reaction_ids: set[str] = set()
    for r, rule in _items(data, "reactions"):
        rid = rule.get("id")
        if isinstance(rid, str):
            if rid in reaction_ids:
                src.error(("reactions", r, "id"), "KM020", f"duplicate reaction id '{rid}'")
            reaction_ids.add(rid)
        nxt = rule.get("next")
        if isinstance(nxt, str) and nxt not in targets:
            src.error(("reactions", r, "next"), "KM021", f"next names unknown node or ending '{nxt}'{_hint(nxt, targets)}")
        rnodes = rule.get("nodes")
        for k, nid in enumerate(rnodes if isinstance(rnodes, list) else []):
            if isinstance(nid, str) and nid not in node_ids:
                src.error(("reactions", r, "nodes", k), "KM021", f"reaction names unknown node '{nid}'{_hint(nid, node_ids)}")

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
            src.error(("break_off", "ending"), "KM021", f"break_off names unknown ending '{end}'{_hint(end, ending_ids)}")


def _condition(src: Source, path: tuple, cond, node_ids: set[str], cue_ids: set[str], phase_rule: bool = False) -> None:
    if not isinstance(cond, str):
        return  # the shape pass reports the type
    try:
        parsed = parse(cond)
    except ConditionError as exc:
        src.error(path, exc.code, f"condition: {exc.message}", offset=exc.offset)
        return
    for fn, arg, offset in parsed.refs:
        if fn == "visited" and arg not in node_ids:
            src.error(path, "KM032", f"visited() names unknown node '{arg}'{_hint(arg, node_ids)}", offset=offset)
        elif fn in ("picked_up", "offered") and arg not in cue_ids:
            src.error(path, "KM022", f"{fn}() names unknown cue '{arg}'{_hint(arg, cue_ids)}", offset=offset)
    if phase_rule and "phase" in _variables(parsed.tree):
        # the phase is computed from these rules, so a rule cannot read it
        src.error(path, "KM031", "a phase rule cannot use 'phase' itself; use trust, motivation, turns, visited()")
    for var, _op, value, offset in parsed.compares:
        if var == "phase" and value not in PHASES:
            src.error(path, "KM033", f"unknown phase '{value}'{_hint(value, PHASES)}", offset=offset)
        if var in ("trust", "motivation") and isinstance(value, int) and not 0 <= value <= 100:
            src.error(path, "KM013", f"{var} is always between 0 and 100; {value} is out of range", offset=offset)


def _variables(tree: tuple) -> set[str]:
    if tree[0] == "var":
        return {tree[1]}
    out: set[str] = set()
    for part in tree[1:]:
        if isinstance(part, tuple):
            out |= _variables(part)
    return out
