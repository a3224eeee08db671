"""The act classifier (trainer.freetext.acts): what the surface features see, that the shipped model reads the
acts a trainee relies on, that the first model still loads, and that retraining reproduces the committed file."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from trainer.freetext.acts import CUES, MODEL_FILE, SURFACE, ActModel, act_model, classify, sentences, surface_features

from trainer.vocab import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
NAMES = [name for name, _ in SURFACE]


def flags(text: str) -> set[str]:
    values = surface_features(text)
    return {name for name, v in zip(NAMES, values) if v > 0}


def test_sentences_split_at_stops_dashes_and_ellipses():
    assert sentences("Dat klinkt zwaar. Wat maakt het zo lastig?") == ["Dat klinkt zwaar.", "Wat maakt het zo lastig?"]
    assert sentences("U moet... nee, sorry. Wat wilt u zelf?") == ["U moet", "nee, sorry.", "Wat wilt u zelf?"]
    assert sentences("  Gewoon doen.  ") == ["Gewoon doen."]


def test_surface_features_tell_open_from_closed_questions_and_see_the_last_sentence():
    assert {"ends_q", "last_wh"} <= flags("Wat zou u zelf het liefst willen?")
    assert "last_inv" not in flags("Wat zou u zelf het liefst willen?")
    closed = flags("Heeft u die brief al gelezen?")
    assert "last_inv" in closed and "last_wh" not in closed
    # a two-sentence line: the question in the last sentence counts, not the opening statement
    assert {"last_wh", "any_wh_q"} <= flags("Die brief klonk streng. Hoe kwam hij bij u aan?")
    assert {"last_wh", "ends_q"} <= flags("It sounds hard. What would help?")


def test_surface_features_hear_permission_autonomy_summaries_and_obligations():
    assert "permission" in flags("Mag ik u iets vertellen over het buurthuis?")
    assert "permission" in flags("Would it be ok if I shared an idea?")
    assert "autonomy" in flags("Het is uw keuze, u beslist.")
    assert "autonomy" in flags("It's up to you.")
    assert "summary" in flags("Als ik het samenvat: u wilt wel, maar niet zo.")
    assert "obligation" in flags("U moet maandag beginnen.")
    assert "no_need" in flags("Niks moet vandaag.") and "negation" in flags("Niks moet vandaag.")
    assert "reflect" in flags("Het klinkt alsof u er klaar mee bent.")
    assert flags("Koffie of thee") == set()
    assert "negated_control" in flags("Dit gesprek heeft geen gevolgen voor uw uitkering.")
    assert "negated_choice" in flags("Je hebt daar eerlijk gezegd niks over te kiezen.")


@pytest.mark.parametrize("text, act", [
    ("Wat zou u zelf het liefst willen doen met uw tijd?", "open_question"),
    ("Bent u vorige week nog bij het buurthuis geweest?", "closed_question"),
    ("Mag ik u iets vertellen over de kookgroep in het buurthuis?", "advice_with_permission"),
    ("U bent verplicht om elke week in dat project te verschijnen.", "directive"),
    ("What would you like to do with your week?", "open_question"),
    ("It's completely up to you whether you go.", "autonomy_support"),
])
def test_the_shipped_model_reads_plain_acts(text, act):
    """As a typed line is read in play: the act model together with the analyser's categories of the line."""
    from trainer.freetext.play import understand
    from trainer.semantic.encoder import default_encoder

    default_encoder().warm()
    assert understand(text)[0].act == act


def test_the_first_model_still_loads_with_its_own_features():
    old = ActModel(ROOT / "tests" / "data" / "acts_model_v1.npz")
    assert old.kind == "v1" and old.hidden is None and old.inputs == 512 + len(CUES) + len(CATEGORIES)
    new = act_model()
    assert new.kind == "v2" and new.acts == old.acts


def test_retraining_reproduces_the_committed_model():
    """scripts/train_acts.py is the only source of acts_model.npz: same data, same config -> same weights."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_acts as T

    fresh = T.train(T.Data(T.all_items()))
    with np.load(MODEL_FILE, allow_pickle=False) as z:
        assert set(z.files) == set(fresh)
        for key in ("acts", "encoder", "features", "c", "balance", "lines"):
            assert z[key].tolist() == fresh[key].tolist(), key
        np.testing.assert_allclose(z["weights"], fresh["weights"], atol=1e-3)
        np.testing.assert_allclose(z["bias"], fresh["bias"], atol=1e-3)
