"""Generate large personas for benchmarks (validate, lint, the path explorer) and stress tests.

`generate_persona(n_nodes, seed)` returns YAML text that validates. Its shape is that of a real persona, only
longer: a forward spine n0 -> n1 -> ... (so every node is reachable and always has a way out), side jumps,
choices that loop back or repeat the node, conditional choices (meters, phase, turns, visited), cues that are
offered and then picked up, phase variants, a break-off and endings with every outcome. Deterministic per seed.

The lines are short and each node is one YAML flow mapping, so that 5,000 nodes with three choices each stay
under the 1 MiB file limit (about 200 bytes a node, hence also the terse ',' separators): the benchmark then measures a file at the size limit,
which is the worst case for parsing, with the most nodes that fit, the worst case for the graph checks.
"""

from __future__ import annotations

import json
import random
import re

SAYS = ("Wat nou?", "Weet niet.", "Vroeger wel.", "Mijn rug.", "Waarom ik?", "Ik maak af.", "Nee.", "Hm.",
        "Misschien.", "Cursus?", "Ik wil best.")
SUPPORTIVE = (("Wat vindt u?", "question"), ("En toen?", "question"), ("Knap.", "affirm"), ("Vertel.", "question"),
              ("U kiest.", "question"), ("Samen?", "question"), ("Moe?", "question"), ("Hoezo?", "question"))
CONTROLLING = (("U moet.", "confront"), ("Anders korting.", "persuade"))
CONDITIONS = ("trust >= 40", "phase != 'weerstand'", "motivation > 30 and trust >= 20", "turns >= 3",
              "phase == 'open' or trust > 60")
VARIANT_PHASES = ("open", "weerstand", "aftastend")
ENDINGS = (("eigen_keuze", "own_choice"), ("later_verder", "postponed"), ("meegaand", "complied"),
           ("loopt_weg", "broken_off"), ("stopt", "stopt_met_project"))
CUE_KINDS = ("pride", "shame", "past_work", "reason", "feeling", "plan")
MILESTONES = (10, 250, 1000, 2500)  # the only nodes visited() conditions name
CUE_EVERY = 50  # one cue offered every this many nodes, picked up by the next node's first choice

_PLAIN = re.compile(r"[A-Za-z][A-Za-z .!]*")  # no "?": PyYAML ends a flow plain scalar there


def _q(text: str) -> str:
    if _PLAIN.fullmatch(text) and text.lower() not in ("yes", "no", "on", "off", "true", "false", "null"):
        return text  # safe as a plain scalar, also inside {flow} mappings
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar


def _flow(mapping: dict, sep: str = ", ") -> str:
    return "{" + sep.join(f"{k}: {v}" for k, v in mapping.items()) + "}"


def generate_persona(n_nodes: int = 5000, seed: int = 0, persona_id: str = "generated") -> str:
    """A valid persona of `n_nodes` nodes (n0 is the start) as YAML text."""
    if n_nodes < 1:
        raise ValueError("a persona needs at least one node")
    rng = random.Random(seed)
    offers = {k * CUE_EVERY + 3: f"c{k}" for k in range(max(1, n_nodes // CUE_EVERY)) if k * CUE_EVERY + 3 < n_nodes - 1}
    out = [
        "# yaml-language-server: $schema=../schemas/persona.schema.json",
        "format: 1", f"id: {persona_id}", "name: Gerrit", "age: 58", "difficulty: moeilijk",
        "situation: Gegenereerde persona voor benchmarks.",
        "summary: Een lange gegenereerde persona met lussen, voorwaarden en cues.",
        "scene: Gesprek op het wijkkantoor.",
        "facts:", "- {text: Gegenereerd., sources: [generate_persona]}",
        "meters: {trust: 30, motivation: 30}",
        "moods: {weerstand: Gerrit kijkt weg.}",
        "break_off: {if: trust < 5, ending: loopt_weg}",
        "sensitivities: {obligation: {trust: -8, motivation: -5}, acknowledging: {trust: 3}}",
        "outcomes: {stopt_met_project: Stopt met het project}",
        "cues:",
    ]
    for k, cue in enumerate(offers.values()):
        out.append(f"- {{id: {cue}, kind: {CUE_KINDS[k % len(CUE_KINDS)]}, label: Cue {k}, why: Oppakken helpt., "
                   "source: Kampen, pickups: [Dat klinkt belangrijk.]}")
    out += ["start: n0", "nodes:"]
    for i in range(n_nodes):
        node = {"id": f"n{i}", "say": _q(rng.choice(SAYS))}
        if i % 10 == 0:
            node["variants"] = _flow({rng.choice(VARIANT_PHASES): _q(rng.choice(SAYS))})
        if i in offers:
            node["offers"] = f"[{offers[i]}]"
        node["choices"] = "[" + ",".join(_flow(c, ",") for c in _choices(rng, i, n_nodes, offers)) + "]"
        out.append("- " + _flow(node))
    out.append("endings:")
    for ident, outcome in ENDINGS:
        out.append(f"- {{id: {ident}, outcome: {outcome}, say: Goed. Tot ziens.}}")
    return "\n".join(out) + "\n"


def _choices(rng: random.Random, i: int, n: int, offers: dict[int, str]) -> list[dict]:
    last = i == n - 1
    text, code = rng.choice(SUPPORTIVE)
    forward = {"text": _q(text), "codes": f"[{code}]", "next": ENDINGS[0][0] if last else f"n{i + 1}"}
    if i - 1 in offers:
        forward["picks_up"] = f"[{offers[i - 1]}]"
    if rng.random() < 0.1:
        forward["effects"] = f"{{trust: {rng.randint(1, 5)}}}"
    if rng.random() < 0.03:
        forward["examples"] = f"[{_q(text.lower())}]"

    text, code = rng.choice(SUPPORTIVE)
    side = {"text": _q(text), "codes": f"[{code}]"}
    if last or rng.random() < 0.03:
        side["next"] = ENDINGS[(i // 3) % len(ENDINGS)][0]
    else:
        side["next"] = f"n{min(n - 1, i + rng.randint(2, 20))}"
    if rng.random() < 0.2:
        # visited() names one of a few milestone nodes, as real personas do ("if you already talked about X");
        # every distinct visited() ref doubles the states the path explorer has to tell apart
        milestones = [m for m in MILESTONES if m < i]
        cond = rng.choice(CONDITIONS) if not milestones or rng.random() < 0.7 else f"visited('n{rng.choice(milestones)}')"
        side["if"] = json.dumps(cond)

    if rng.random() < 0.2:
        text, code = rng.choice(CONTROLLING)
        back = {"text": _q(text), "codes": f"[{code}]", "effects": "{trust: -6}", "controlling": "true"}
    else:
        text, code = rng.choice(SUPPORTIVE)
        back = {"text": _q(text), "codes": f"[{code}]"}
    if last or rng.random() < 0.02:
        back["next"] = ENDINGS[2 + (i % 3)][0]
    elif i > 0 and rng.random() < 0.5:
        back["next"] = f"n{max(0, i - rng.randint(1, 30))}"  # the conversation circles back
    else:
        back["next"] = f"n{i}"  # the persona repeats itself
    return [forward, side, back]
