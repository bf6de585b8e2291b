"""Compose: MusicMap -> Score, following counts, phrases, sections and the grammar.

Never imports rendering.
"""

from kanat.compose.composer import Stage, compose
from kanat.compose.score import Phrase, PlacedStep, Score

__all__ = ["Stage", "compose", "Phrase", "PlacedStep", "Score"]
