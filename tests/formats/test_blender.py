"""Blender opens kanat's dance.bvh and dance.glb with the joints where kanat put them.

Runs Blender headless once for the module (a few seconds)::

    blender -b --factory-startup --python-exit-code 1 \
        --python tests/formats/blender_check.py -- '<json arguments>'

and compares the bones' world head positions, at several frames, with
joints.npz: within 1 mm for the BVH, within 1 cm for the glTF. Blender's glTF
importer needs numpy inside Blender's Python; where that Python lacks it and
its version matches this interpreter's, the script borrows this
interpreter's numpy, otherwise the glTF check is skipped with the reason
(install Debian's python3-numpy).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kanat.body import JOINT_NAMES
from kanat.formats import read_joints_npz, write_bvh, write_glb, write_joints_npz

BLENDER = shutil.which("blender")
SCRIPT = Path(__file__).with_name("blender_check.py")
FPS = 30
N_FRAMES = 90
FRAMES = [0, 1, 13, 29, 44, 58, 71, 89]

pytestmark = pytest.mark.skipif(BLENDER is None, reason="blender not installed: install Debian's 'blender' to check the BVH and glTF imports")


@pytest.fixture(scope="module")
def blender_result(tmp_path_factory, random_dance_module) -> tuple[dict, np.ndarray]:
    out = tmp_path_factory.mktemp("blender")
    motion = random_dance_module(seed=3, n_frames=N_FRAMES, fps=FPS)
    write_bvh(motion, out / "dance.bvh")
    write_glb(motion, out / "dance.glb")
    write_joints_npz(motion, out / "joints.npz")
    args = {
        "bvh": str(out / "dance.bvh"), "glb": str(out / "dance.glb"), "out": str(out / "result.json"),
        "fps": FPS, "frames": FRAMES, "names": list(JOINT_NAMES),
        "site_packages": str(Path(np.__file__).resolve().parent.parent), "python": "%d.%d" % sys.version_info[:2],
    }
    cmd = [BLENDER, "-b", "--factory-startup", "--python-exit-code", "1", "--python", str(SCRIPT), "--", json.dumps(args)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0 and (out / "result.json").is_file(), (
        f"blender failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    result = json.loads((out / "result.json").read_text())
    return result, read_joints_npz(out / "joints.npz").positions[FRAMES]


def test_blender_imports_bvh_joints_within_1mm(blender_result):
    result, expected = blender_result
    bvh = result["bvh"]
    assert "error" not in bvh, bvh.get("error")
    got = np.array(bvh["positions"])
    assert got.shape == expected.shape
    err = np.abs(got - expected).max()
    assert err < 1e-3, f"BVH in Blender {result['blender']}: max joint error {err * 1000:.3f} mm"
    assert bvh["scene_fps"] == FPS


def test_blender_imports_glb_joints_within_1cm(blender_result):
    result, expected = blender_result
    glb = result["glb"]
    if "skipped" in glb:
        pytest.skip(glb["skipped"])
    assert "error" not in glb, glb.get("error")
    assert glb["frame_range"] == [0.0, N_FRAMES - 1.0]  # one Blender frame per motion frame, time 0 at frame 0
    got = np.array(glb["positions"])
    err = np.abs(got - expected).max()
    assert err < 1e-2, f"glTF in Blender {result['blender']}: max joint error {err * 1000:.3f} mm"
