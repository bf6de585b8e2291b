"""Compile, in one process, what numba compiles on first use (librosa's beat tracker, onsets, HPSS).

``make`` runs this after installing. Later processes (the tests, Ray's workers in ``kanat batch``, the
studio's jobs) then find numba's cache complete: several processes compiling the same function at once can
leave a broken cache behind in the venv, and the next call through it crashes (a segfault in a gufunc).
"""

from __future__ import annotations

import numpy as np

from kanat.critique.bailando import BAILANDO_SR, music_beats_bailando
from kanat.listen import listen
from kanat.pipeline import demo_music_path


def main() -> None:
    listen(demo_music_path())
    clicks = np.zeros(BAILANDO_SR * 4, dtype=np.float32)
    clicks[:: BAILANDO_SR // 2] = 1.0
    music_beats_bailando(clicks, BAILANDO_SR)


if __name__ == "__main__":
    main()
