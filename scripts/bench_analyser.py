#!/usr/bin/env python3
"""Benchmark and quality report of the controlling-language detector (trainer/debrief/analyser.py).

    scripts/bench_analyser.py          (or: scripts/bench bench_analyser)

`bench() -> dict` is what scripts/bench calls. Figures:

- load_ms                      loading and indexing the built-in lexicon (once per process)
- cached_per_s                 analyse() on a short line again and again: the engine's case (authored choices)
- uncached_short_per_s         a new short line each call (free text); uncached_eval_per_s over the eval lines
- precision/recall nl, en, all on `controlling` in tests/data/analyser_eval.yaml (target >= 0.9)
- by split                     dev / holdout ... holdout6 (see the eval file's header: each holdout was measured
                               once when fresh, and all but holdout6 then used for fixes; the first-run figures are
                               in that header)
- categories_ok                controlling items whose expected controlling categories were all found
- personas_precision/recall    agreement with the `controlling: true` marks that persona authors put on choices
                               (their texts and examples; informative only: written by others, still changing)
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EVAL = ROOT / "tests" / "data" / "analyser_eval.yaml"
SHORT = "Wat zou u zelf willen?"


def _pr(pairs) -> tuple[float, float, int]:
    tp = sum(1 for exp, got in pairs if exp and got)
    fp = sum(1 for exp, got in pairs if got and not exp)
    fn = sum(1 for exp, got in pairs if exp and not got)
    return tp / max(1, tp + fp), tp / max(1, tp + fn), len(pairs)


def _rate(fn, n: int) -> float:
    t = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - t)


def bench() -> dict:
    import yaml

    from trainer.debrief import analyser as A
    from trainer.vocab import CONTROLLING_CATEGORIES

    t = time.perf_counter()
    lexicon = A.load_lexicon(env=False)
    load_ms = (time.perf_counter() - t) * 1000
    uncached = A._analyse.__wrapped__  # the same analysis without the lru_cache

    items = yaml.safe_load(EVAL.read_text(encoding="utf-8"))["items"]
    texts = [it["text"] for it in items]
    for text in texts:  # compile the rules the eval touches, as a running app would have
        uncached(text, None, "nl", lexicon)
    results = [A.analyse(it["text"], lexicon=lexicon) for it in items]

    out: dict = {"lexicon": repr(lexicon), "load_ms": round(load_ms, 1)}
    out["cached_per_s"] = round(_rate(lambda i: A.analyse(SHORT, lexicon=lexicon), 200_000))
    out["uncached_short_per_s"] = round(_rate(lambda i: uncached(f"{SHORT} ({i})", None, "nl", lexicon), 20_000))
    out["uncached_eval_per_s"] = round(_rate(lambda i: uncached(texts[i % len(texts)], None, "nl", lexicon),
                                             5 * len(texts)))

    for name, keep in (("nl", lambda it: it["lang"] == "nl"), ("en", lambda it: it["lang"] == "en"),
                       ("all", lambda it: True)):
        p, r, n = _pr([(it["controlling"], a.controlling) for it, a in zip(items, results) if keep(it)])
        out[f"precision_{name}"], out[f"recall_{name}"], out[f"items_{name}"] = round(p, 3), round(r, 3), n
    for split in dict.fromkeys(it["split"] for it in items):  # in the order of the file
        p, r, n = _pr([(it["controlling"], a.controlling) for it, a in zip(items, results) if it["split"] == split])
        out[f"split_{split}"] = f"P={p:.3f} R={r:.3f} n={n}"
    ctrl = [(set(it["categories"]) & set(CONTROLLING_CATEGORIES), a.categories)
            for it, a in zip(items, results) if it["controlling"]]
    out["categories_ok"] = f"{sum(exp <= got for exp, got in ctrl)}/{len(ctrl)}"
    out["lang_detection"] = f"{sum(a.lang == it['lang'] for it, a in zip(items, results))}/{len(items)}"

    pairs = []
    for path in sorted((ROOT / "personas").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for node in data.get("nodes") or []:
            for choice in node.get("choices") or []:
                for text in [choice.get("text", "")] + list(choice.get("examples") or []):
                    pairs.append((bool(choice.get("controlling")), A.analyse(text, lexicon=lexicon).controlling))
    p, r, n = _pr(pairs)
    out["personas_precision"], out["personas_recall"], out["personas_lines"] = round(p, 3), round(r, 3), n
    return out


if __name__ == "__main__":
    for key, value in bench().items():
        print(f"{key:<28} {value}")
