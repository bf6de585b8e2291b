"""Binary glTF: a valid file, a skinned mannequin, an animation that puts the joints where kanat does."""

from __future__ import annotations

import numpy as np
import pygltflib as gl
import pytest

from kanat.body import BONE_RADIUS_M, JOINT_NAMES, PARENTS, rotations as R
from kanat.errors import FormatError
from kanat.formats import read_glb_joints, validate_glb, write_glb
from kanat.formats.gltf import mannequin, read_accessor


@pytest.fixture
def glb(tmp_path, motion):
    return write_glb(motion, tmp_path / "dance.glb")


def test_valid_and_loads_with_pygltflib(glb):
    validate_glb(glb)
    gltf = gl.GLTF2().load_binary(str(glb))
    assert gltf.asset.version == "2.0"
    assert [n.name for n in gltf.nodes[:24]] == list(JOINT_NAMES)
    assert gltf.scenes[gltf.scene].nodes == [0, 24]
    assert gltf.nodes[24].mesh == 0 and gltf.nodes[24].skin == 0
    for j, p in enumerate(PARENTS):
        if p >= 0:
            assert j in gltf.nodes[p].children
    pos = gltf.accessors[gltf.meshes[0].primitives[0].attributes.POSITION]
    assert len(pos.min) == 3 and len(pos.max) == 3
    assert all(bv.byteOffset % 4 == 0 for bv in gltf.bufferViews)
    assert len(gltf.binary_blob()) % 4 == 0
    material = gltf.materials[gltf.meshes[0].primitives[0].material]
    assert material.pbrMetallicRoughness.metallicFactor == 0.0


def test_joints_match_motion(glb, motion):
    got = read_glb_joints(glb)
    assert got.shape == (motion.n_frames, 24, 3)
    err = np.abs(got - motion.positions()).max()
    assert err < 1e-2, f"max joint error {err * 1000:.3f} mm"
    assert err < 1e-4  # float32 storage only


def test_joints_between_frames_interpolate(glb, motion):
    mid = (np.arange(motion.n_frames - 1) + 0.5) / motion.fps
    got = read_glb_joints(glb, mid)
    pos = motion.positions()
    np.testing.assert_allclose(got, (pos[1:] + pos[:-1]) / 2, atol=0.01)


def test_animation_layout_and_quaternion_order(tmp_path, random_dance):
    motion = random_dance(seed=2, n_frames=20, amplitude_rad=0.0, turns=0.25)  # the pelvis yaws 0 -> 90 degrees
    path = write_glb(motion, tmp_path / "yaw.glb")
    gltf = gl.GLTF2().load_binary(str(path))
    blob = gltf.binary_blob()
    anim = gltf.animations[0]
    assert len(anim.channels) == 25
    assert sorted(ch.target.node for ch in anim.channels if ch.target.path == "rotation") == list(range(24))
    assert [ch.target.node for ch in anim.channels if ch.target.path == "translation"] == [0]
    assert all(s.interpolation == "LINEAR" for s in anim.samplers)
    times = read_accessor(gltf, blob, anim.samplers[0].input)[:, 0]
    np.testing.assert_allclose(times, np.arange(20) / 60.0, atol=1e-6)
    assert gltf.accessors[anim.samplers[0].input].max == [pytest.approx(19 / 60.0)]
    pelvis = next(ch for ch in anim.channels if ch.target.node == 0 and ch.target.path == "rotation")
    q_xyzw = read_accessor(gltf, blob, anim.samplers[pelvis.sampler].output)
    yaw = np.arctan2(q_xyzw[:, 1], q_xyzw[:, 3]) * 2  # rotation about +Y: (0, sin, 0, cos) of the half angle
    np.testing.assert_allclose(yaw[-1], np.pi / 2, atol=1e-5)
    np.testing.assert_allclose(q_xyzw[:, [0, 2]], 0.0, atol=1e-6)
    np.testing.assert_allclose(q_xyzw[..., [3, 0, 1, 2]], R.standardize(motion.rotations[:, 0]), atol=1e-6)


def test_skinned_mesh_follows_the_bones(glb, motion):
    """Skin the mesh on the CPU (glTF's formula) and check each vertex stays by its bone."""
    gltf = gl.GLTF2().load_binary(str(glb))
    blob = gltf.binary_blob()
    prim = gltf.meshes[0].primitives[0]
    verts = read_accessor(gltf, blob, prim.attributes.POSITION)
    normals = read_accessor(gltf, blob, prim.attributes.NORMAL)
    joint = read_accessor(gltf, blob, prim.attributes.JOINTS_0)[:, 0].astype(int)
    weights = read_accessor(gltf, blob, prim.attributes.WEIGHTS_0)
    assert np.all(weights[:, 0] == 1.0) and np.all(weights[:, 1:] == 0.0)
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-5)
    ibm = read_accessor(gltf, blob, gltf.skins[0].inverseBindMatrices).reshape(24, 4, 4).transpose(0, 2, 1)
    rest = motion.skeleton.rest_positions
    np.testing.assert_allclose(ibm[:, :3, 3], -rest, atol=1e-6)
    t = 100
    glob = motion.global_rotations()[t]
    pos = motion.positions()[t]
    skinned = pos[joint] + R.rotate(glob[joint], verts - rest[joint])  # = Global_j @ IBM_j @ v
    # A vertex bound to joint p lies on the capsule of one of p's bones (p -> child c):
    # at distance radius(c) from the posed segment. (Leaf joints carry finger/toe capsules, the head its
    # ellipsoid; the neck-to-head capsule uses 0.8 of the neck radius.)
    radius = {c: BONE_RADIUS_M["neck"] * 0.8 if JOINT_NAMES[c] == "head" else BONE_RADIUS_M[JOINT_NAMES[c]] for c in range(1, 24)}
    checked = 0
    for p in range(24):
        kids = [c for c in range(24) if PARENTS[c] == p]
        sel = joint == p
        if not kids or not sel.any() or JOINT_NAMES[p] == "head":
            continue
        off = []
        for c in kids:
            a, b = pos[p], pos[c]
            s = np.clip(((skinned[sel] - a) @ (b - a)) / ((b - a) @ (b - a)), 0, 1)
            d = np.linalg.norm(skinned[sel] - (a + s[:, None] * (b - a)), axis=1)
            off.append(np.abs(d - radius[c]))
        assert np.min(off, axis=0).max() < 1e-4, JOINT_NAMES[p]
        checked += int(sel.sum())
    assert checked > len(verts) / 2
    triangles = read_accessor(gltf, blob, prim.indices).reshape(-1, 3)
    assert triangles.max() < len(verts)


def test_mannequin_winding_faces_outward(motion):
    mesh = mannequin(motion.skeleton.rest_positions, motion.skeleton.parents, motion.skeleton.names)
    p, n, tri = mesh["positions"], mesh["normals"], mesh["triangles"]
    face = np.cross(p[tri[:, 1]] - p[tri[:, 0]], p[tri[:, 2]] - p[tri[:, 0]])
    assert np.all(np.sum(face * n[tri].sum(axis=1), axis=1) > 0)
    assert np.all(np.linalg.norm(face, axis=1) > 0)  # no degenerate triangles
    height = p[:, 1].max() - p[:, 1].min()
    assert 1.6 < height < 1.85


def test_not_a_glb(tmp_path):
    path = tmp_path / "dance.glb"
    path.write_bytes(b"not a gltf file at all")
    with pytest.raises(FormatError, match=r"dance\.glb: not a binary glTF \(\.glb\) file"):
        read_glb_joints(path)
    with pytest.raises(FormatError, match=r"glTF file '.*missing\.glb' does not exist"):
        validate_glb(tmp_path / "missing.glb")


def test_validate_reports_missing_position_bounds(tmp_path, glb):
    gltf = gl.GLTF2().load_binary(str(glb))
    pos = gltf.meshes[0].primitives[0].attributes.POSITION
    gltf.accessors[pos].min = []
    gltf.accessors[pos].max = []
    broken = tmp_path / "broken.glb"
    gltf.save_binary(str(broken))
    with pytest.raises(FormatError, match=r"broken\.glb: invalid glTF: mesh 0: POSITION accessor lacks min/max"):
        validate_glb(broken)
