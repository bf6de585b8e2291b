"""Compose: MusicMap (+ Brief) -> Score, following counts, phrases, sections and the grammar.

Never imports rendering. The names below are loaded on first use, so that
reading a saved score (``kanat.compose.score``) does not load the composer.
"""

from kanat.lazy import lazy_names

_LAZY = {"compose": "kanat.compose.composer", "Phrase": "kanat.compose.score", "PlacedStep": "kanat.compose.score",
         "Score": "kanat.compose.score"}

__all__ = ["compose", "Phrase", "PlacedStep", "Score"]

__getattr__, __dir__ = lazy_names("kanat.compose", _LAZY, globals())
