"""Compile, in one process, what numba compiles on first use (librosa's beat tracker, onsets, HPSS), and
check the shipped vocabulary once into kanat's cache (about 15 s on 2 cores; a later run reads it in a blink).

``make`` runs this after installing. Later processes (the tests, Ray's workers in ``kanat batch``, the
studio's jobs) then find numba's cache complete: several processes compiling the same function at once can
leave a broken cache behind in the venv, and the next call through it crashes (a segfault in a gufunc).
"""

from __future__ import annotations

import numpy as np

from kanat.critique.bailando import BAILANDO_SR, music_beats_bailando
from kanat.listen import listen
from kanat.pipeline import demo_music_path
from kanat.vocabulary.step import load_library


def main() -> None:
    listen(demo_music_path())
    clicks = np.zeros(BAILANDO_SR * 4, dtype=np.float32)
    clicks[:: BAILANDO_SR // 2] = 1.0
    music_beats_bailando(clicks, BAILANDO_SR)
    load_library()


if __name__ == "__main__":
    main()
