"""Fixtures of the critique tests; the builders are in ``tests/testkit/critique.py``."""

from __future__ import annotations

import pytest
from testkit.critique import make_music_map

from kanat.listen.musicmap import MusicMap


@pytest.fixture
def music_map() -> MusicMap:
    return make_music_map(32)
