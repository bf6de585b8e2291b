"""The stages after perform, each alone from perform's saved output (tests/data/perform)."""

import numpy as np
import pytest

from kanat.body import Motion
from kanat.critique import Critique, critique
from kanat.formats import read_bvh, read_joints_npz, write_bvh, write_glb, write_joints_npz
from kanat.formats.gltf import read_glb_joints
from kanat.render import render_frame

from pathlib import Path

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def saved_motion():
    return Motion.load(DATA / "perform" / "demo_motion.npz")


def test_critique_from_the_saved_motion(saved_motion, demo_music_map, demo_score, tmp_path):
    report = critique(saved_motion, demo_music_map, demo_score)
    assert report.findings and report.summary
    assert 0.0 <= report.metrics["beat_align_score"] <= 1.0
    assert report.metrics["ground_penetration_max_m"] < 0.02
    report.save_json(tmp_path / "critique.json")
    back = Critique.load_json(tmp_path / "critique.json")
    assert back.metrics.keys() == report.metrics.keys()


def test_exports_from_the_saved_motion(saved_motion, tmp_path):
    write_joints_npz(saved_motion, tmp_path / "joints.npz")
    want = read_joints_npz(tmp_path / "joints.npz").positions
    write_bvh(saved_motion, tmp_path / "dance.bvh")
    assert np.abs(read_bvh(tmp_path / "dance.bvh").positions() - want).max() < 0.001
    write_glb(saved_motion, tmp_path / "dance.glb")
    assert np.abs(read_glb_joints(tmp_path / "dance.glb") - want).max() < 0.01


def test_render_a_frame_from_the_saved_motion(saved_motion, demo_music_map):
    frame = render_frame(saved_motion, 120, music_map=demo_music_map, width=640, height=360)
    assert frame.shape == (360, 640, 3) and frame.dtype == np.uint8
    assert frame.std() > 10  # a picture, not a blank
