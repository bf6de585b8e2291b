"""Compose: MusicMap (+ Brief) -> Score, following counts, phrases, sections and the grammar.

Never imports rendering. The names below are loaded on first use, so that
reading a saved score (``kanat.compose.score``) does not load the composer.
"""

import importlib

_LAZY = {"compose": "kanat.compose.composer", "Phrase": "kanat.compose.score", "PlacedStep": "kanat.compose.score",
         "Score": "kanat.compose.score"}

__all__ = ["compose", "Phrase", "PlacedStep", "Score"]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kanat.compose' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
