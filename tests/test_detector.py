"""The two-source verdict (trainer/debrief/detector.py): lexicon spans stay, the meaning model adds what the word
rules miss, typed lines move the meters and show up in the debrief, and the committed model file is what the
training script produces from the committed data."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, subprocess_env, trainer_cmd
from trainer.debrief.analyser import analyse
from trainer.debrief.detector import MODEL_FILE, Detector, verdict

# A line the word rules do not know (from holdout6, never trained on), that the model reads as erasing the past.
MODEL_ONLY = "Dat diploma uit Polen kunnen we niet gebruiken, we beginnen opnieuw."


def test_committed_model_file_is_reproduced_by_training():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import train_detector
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    with np.load(MODEL_FILE, allow_pickle=False) as z:
        files = [str(f) for f in z["sources"]]  # corpus files that arrive later are not in this model
    arrays = train_detector.train(files=files)
    with np.load(MODEL_FILE, allow_pickle=False) as z:
        assert sorted(z.files) == sorted(arrays)
        for name, value in arrays.items():
            assert np.array_equal(z[name], value), name


def test_model_file_is_plain_arrays():
    d = Detector()
    assert d.labels[0] == "controlling" and len(d.weights) == len(d.labels) - 1 and len(d.thresholds) == len(d.labels)
    assert d.hidden_weights.shape == (len(d.hidden_bias), d.weights.shape[1]) == (len(d.out_weights), d.weights.shape[1])
    assert 0 <= d.veto <= d.thresholds[0] < 1
    assert len(d.example_texts) == len(d.example_labels) == len(d.example_vectors)
    with np.load(MODEL_FILE, allow_pickle=False) as z:  # the model saw holdouts 7-9, never holdout10
        sources = [str(f) for f in z["sources"]]
    assert any(f.startswith("corpus_holdout/") for f in sources)
    assert any(f.startswith("corpus_holdout8/") for f in sources)  # measured once, then folded in
    assert any(f.startswith("corpus_holdout9/") for f in sources)  # measured once, then folded in
    assert not any("holdout10" in f for f in sources)
    assert len(d.stack) == 6 and [m.score("") for m in d.ngram_models]  # the combiner and the two n-gram readers


def test_lexicon_flags_keep_their_spans_and_source():
    text = "U dient maandag om negen uur bij het project te verschijnen."
    lex, both = analyse(text), verdict(text)
    assert both.controlling and both.model_score is not None
    lexicon_flags = [f for f in both.flags if f.source == "lexicon"]
    assert [(f.category, f.start, f.end, f.rule) for f in lexicon_flags] == \
        [(f.category, f.start, f.end, f.rule) for f in lex.flags]


def test_model_vetoes_a_word_list_false_flag_it_is_sure_about():
    # "checken" is a trigger word, but the question asks permission (a writer's supportive line).
    text = "Mag ik eerst iets bij je checken voordat ik met een idee kom?"
    assert analyse(text).controlling
    v = verdict(text)
    assert not v.controlling and not v.flags and v.model_score < Detector().veto
    clear = "U moet maandag om negen uur bij de kringloop zijn."  # a clear obligation keeps its word-list flag
    kept = [(f.category, f.start, f.end) for f in verdict(clear).flags if f.source == "lexicon"]
    assert kept == [(f.category, f.start, f.end) for f in analyse(clear).flags] and kept


def test_model_adds_what_the_lexicon_misses_with_an_illustration():
    assert not analyse(MODEL_ONLY).controlling
    v = verdict(MODEL_ONLY)
    assert v.controlling
    flag = next(f for f in v.flags if f.source == "model")
    assert (flag.start, flag.end) == (0, len(MODEL_ONLY)) and flag.rule == f"model.{flag.category}"
    assert flag.explanation and flag.suggestion and flag.score is not None and flag.score >= 0.5
    assert flag.example and flag.example != MODEL_ONLY
    assert verdict(MODEL_ONLY, ui_lang="en").flags[0].explanation != flag.explanation  # UI language respected


@pytest.mark.parametrize("text", ["Wat zou u zelf willen doen?", "Hoe gaat het met u?",
                                  "What would you like to try first?"])
def test_supportive_lines_stay_unflagged(text):
    assert not verdict(text).controlling


def test_every_study_line_is_still_flagged():
    import yaml

    items = yaml.safe_load((ROOT / "tests" / "data" / "analyser_eval.yaml").read_text(encoding="utf-8"))["items"]
    study = [it["text"] for it in items if it.get("study") and it["controlling"]]
    assert study and [t for t in study if not verdict(t).controlling] == []


def test_bench_reads_a_frozen_holdout_folder_only_when_it_is_there(tmp_path):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import bench_detector
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    assert bench_detector.load_holdout(tmp_path / "missing") is None
    (tmp_path / "a.yaml").write_text('items:\n- {lang: nl, controlling: true, text: "U dient te komen."}\n',
                                     encoding="utf-8")
    (tmp_path / "b.yaml").write_text('items:\n- {lang: en, controlling: false, text: "What would you like?"}\n',
                                     encoding="utf-8")
    assert [it["text"] for it in bench_detector.load_holdout(tmp_path)] == ["U dient te komen.", "What would you like?"]


def test_typed_line_moves_meters_and_appears_in_the_debrief(tmp_path):
    from trainer.debrief.build import build_debrief
    from trainer.debrief.render import render_text
    from trainer.engine.session import Session
    from trainer.freetext import play_typed
    from trainer.persona.loader import load_persona
    from trainer.wiring import default_analyser

    text = (ROOT / "tests" / "test_freetext.py").read_text(encoding="utf-8")
    vera = text.split('VERA = """\\\n', 1)[1].split('"""', 1)[0]
    vera = vera.replace("  obligation: {trust: -10, motivation: -6}",
                        "  obligation: {trust: -10, motivation: -6}\n  erasing_past: {trust: -7, motivation: -3}")
    path = tmp_path / "vera.yaml"
    path.write_text(vera, encoding="utf-8")
    session = Session(load_persona(path).persona, analyser=default_analyser())
    turn = play_typed(session, MODEL_ONLY)
    assert "erasing_past" in turn.detected
    assert "sensitivity:erasing_past" in {e.source for e in turn.effects}
    d = build_debrief(session)
    flag = next(f for f in d.flags if f.category == "erasing_past")
    assert flag.source == "model" and flag.text == MODEL_ONLY and flag.example
    out = render_text(d)
    assert "betekenis" in out and "Lijkt op" in out


def test_analyze_shows_source_and_model_score(tmp_path):
    r = subprocess.run(trainer_cmd("analyze", "--text", MODEL_ONLY), capture_output=True, text=True,
                       env=subprocess_env(GESPREKSTRAINER_CACHE=str(tmp_path)), cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["controlling"] and 0 <= out["model_score"] <= 1
    assert out["flags"][0]["source"] == "model" and out["flags"][0]["example"]
    assert list(tmp_path.glob("embeddings-*.npz"))  # authored/analysed lines are cached on disk
    r = subprocess.run(trainer_cmd("analyze", "--lexicon-only", "--text", MODEL_ONLY), capture_output=True,
                       text=True, env=subprocess_env(), cwd=ROOT, timeout=120)
    out = json.loads(r.stdout)
    assert not out["controlling"] and "model_score" not in out


def test_ngram_reader_scores_like_the_training_script():
    # The detector scores a typed line word by word (trainer.debrief.ngrams); the training script scores a sparse
    # matrix of the same TF-IDF rows. Both must give the same probability, or the calibration would not hold.
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import train_detector
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    texts = ["Ik heb u alvast aangemeld voor dinsdag.", "Wat zou jij zelf het liefst doen?", "",
             "Niemand gaat u dwingen, echt niet.", "You must show me the letters by Friday!"]
    for kind, model in zip(("word", "char"), Detector().ngram_models):
        vocab = sorted(model.index, key=model.index.get)
        got = train_detector.ngram_scores((vocab, model.idf, model.coef, model.bias), texts, kind)
        assert np.allclose(got, [model.score(t) for t in texts], atol=1e-9)
