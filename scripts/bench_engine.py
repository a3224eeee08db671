"""Engine benchmarks: turns per second on the shipped personas (with analysis), explore time per persona and on a
generated 5,000-node persona."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def turns_per_second(loaded, analyser, seconds: float = 1.0) -> float:
    from trainer.engine.session import CompiledPersona, Session

    compiled = CompiledPersona(loaded.persona)
    turns = 0
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        s = Session(compiled, analyser=analyser)
        k = n
        while not s.ended and len(s.turns) < 60:
            options = s.open_choices()
            s.choose(options[k % len(options)].id)  # vary the path deterministically
            k += 1
            turns += 1
        n += 1
    return turns / (time.perf_counter() - t0)


def bench() -> dict:
    from trainer.engine.explore import explore
    from trainer.persona.loader import load_persona
    from trainer.persona.registry import available
    from trainer.wiring import default_analyser

    analyser = default_analyser()
    out: dict = {}
    for pid, path in sorted(available().items()):
        try:
            loaded = load_persona(path)
        except Exception as exc:  # a persona under construction should not stop the other figures
            out[f"{pid}: load error"] = str(exc).splitlines()[0]
            continue
        out[f"{pid}: turns/s (with analysis)"] = round(turns_per_second(loaded, analyser))
        report = explore(loaded.persona, analyser=analyser)
        out[f"{pid}: explore s ({report.states} states), target < 1"] = report.seconds
    try:
        from trainer.persona.generate import generate_persona
    except ImportError:
        try:
            sys.path.insert(0, str(ROOT / "tests"))
            from gen_persona import generate_persona  # type: ignore
        except ImportError:
            generate_persona = None
    if generate_persona is not None:
        import tempfile

        text = generate_persona(5000, 1)
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "gen.yaml"
            p.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            loaded = load_persona(p)
            report = explore(loaded.persona, analyser=analyser)
            out[f"generated 5,000 nodes: explore s ({report.states} states)"] = round(time.perf_counter() - t0, 2)
    return out


if __name__ == "__main__":
    for k, v in bench().items():
        print(f"{k:<55} {v}")
