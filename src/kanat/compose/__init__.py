"""Compose: MusicMap (+ Brief) -> Score, following counts, phrases, sections and the grammar.

Never imports rendering.
"""

from kanat.compose.composer import compose
from kanat.compose.score import Phrase, PlacedStep, Score

__all__ = ["compose", "Phrase", "PlacedStep", "Score"]
