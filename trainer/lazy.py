"""One instance per process, built on first use from any thread (the sentence encoder and the models on it)."""

from __future__ import annotations

import threading
from typing import Callable, TypeVar

T = TypeVar("T")


def shared_instance(factory: Callable[[], T]) -> Callable[[], T]:
    """A getter that builds `factory()` once, on first use: the models take seconds to load and must not be loaded
    twice when the app's worker thread and the first typed line race for them."""
    lock = threading.Lock()
    made: list = []

    def get() -> T:
        with lock:
            if not made:
                made.append(factory())
            return made[0]

    get.built = lambda: bool(made)  # built already? (callers that must not trigger a load ask this)
    return get
