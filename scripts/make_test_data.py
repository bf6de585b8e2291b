"""Make the saved stage outputs the tests start from (tests/data/<stage>/).

Run after changing a stage's output format or the vocabulary:

    .venv/bin/python scripts/make_test_data.py

- tests/data/listen/demo_music.json   listen(demo music)        -> compose, perform, critique tests
- tests/data/compose/demo_score.yaml  compose(that map, seed 0) -> perform, render tests
- tests/data/compose/demo_score_stage12x9.yaml  the same on a 12 x 9 m stage -> compose tests
- tests/data/perform/demo_motion.npz  the first 12 s of perform(that score) -> critique, render, formats tests
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kanat.body import Motion
from kanat.body.stage import Stage
from kanat.brief import Brief
from kanat.compose import Score, compose
from kanat.listen import MusicMap, listen
from kanat.perform import perform
from kanat.pipeline import demo_music_path

ROOT = Path(__file__).resolve().parents[1] / "tests" / "data"


def main() -> None:
    mm = listen(demo_music_path())
    mm.source = "demo.ogg"
    path = ROOT / "listen" / "demo_music.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    mm.save(path)
    mm = MusicMap.load(path)
    spath = ROOT / "compose" / "demo_score.yaml"
    for name, stage in (("demo_score_stage12x9.yaml", Stage(12.0, 9.0)), (spath.name, Stage())):
        score = compose(mm, Brief(seed=0, stage=stage), music="demo.ogg")
        path_k = ROOT / "compose" / name
        path_k.parent.mkdir(parents=True, exist_ok=True)
        path_k.unlink(missing_ok=True)
        score.save(path_k)
    for mark in spath.parent.glob(".*.kanat-sha256"):
        mark.unlink()
    score = Score.load(spath)
    motion = perform(score, mm)
    n = int(12 * motion.fps)
    part = Motion(fps=motion.fps, root_pos=motion.root_pos[:n], rotations=motion.rotations[:n],
                  contacts=motion.contacts[:n], skeleton=motion.skeleton)
    mpath = ROOT / "perform" / "demo_motion.npz"
    mpath.parent.mkdir(parents=True, exist_ok=True)
    part.save(mpath)
    print(f"wrote {path}, {spath}, {mpath} ({np.round(part.duration_s, 1)} s)")


if __name__ == "__main__":
    main()
