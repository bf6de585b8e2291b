"""The composer against its saved scores: the same music and brief give the same dance, step for step.

``tests/data/compose/demo_score.yaml`` and ``demo_score_stage12x9.yaml`` are
made by ``scripts/make_test_data.py`` (seed 0, the 10 x 8 m and the 12 x 9 m
stage); a change that alters the dance shows here and must regenerate them
on purpose.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kanat.body.stage import Stage
from kanat.brief import Brief
from kanat.compose import Score, compose

DATA = Path(__file__).parents[1] / "data" / "compose"


def _steps(score: Score) -> list[tuple]:
    return [(ph.index, st.at, st.step, st.side, st.beats, st.facing, tuple(round(v, 2) for v in st.spot))
            for ph in score.phrases for st in ph.steps]


@pytest.mark.parametrize("name, stage", [("demo_score.yaml", Stage()), ("demo_score_stage12x9.yaml", Stage(12, 9))])
def test_the_same_brief_gives_the_saved_dance(demo_music_map, library, name, stage):
    saved = Score.load(DATA / name)
    assert saved.brief.stage == stage
    score = compose(demo_music_map, Brief(seed=0, stage=stage), library=library, music="demo.ogg")
    assert score.settings == saved.settings
    assert _steps(score) == _steps(saved)
