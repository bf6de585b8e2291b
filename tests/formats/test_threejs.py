"""three.js (the web's glTF engine) loads kanat's dance.glb: a skinned mannequin, 24 bones, one clip."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kanat.formats import write_glb

JS = Path(__file__).resolve().parents[1] / "js"
NODE = shutil.which("node")
HAVE_THREE = (JS / "node_modules" / "three").is_dir()

pytestmark = pytest.mark.skipif(
    NODE is None or not HAVE_THREE,
    reason="node or three.js missing: 'make test' installs three.js into tests/js when npm is present",
)


def test_threejs_loads_and_animates_the_glb(motion, tmp_path):
    write_glb(motion, tmp_path / "dance.glb")
    t = 1.0
    out = subprocess.run([NODE, str(JS / "load_glb.mjs"), str(tmp_path / "dance.glb"), str(t)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["skinned"] == 1 and info["bones"] == 24
    assert abs(info["duration"] - (motion.n_frames - 1) / motion.fps) < 0.05
    head = motion.positions()[int(round(t * motion.fps)), 15]
    assert np.abs(np.array(info["head"]) - head).max() < 0.01
