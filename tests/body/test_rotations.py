"""Rotation maths by properties: round trips, identity, rotations by pi, unit norm, broadcasting."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kanat.body import rotations as R

finite = st.floats(-3.0, 3.0, allow_nan=False)
vec3 = arrays(np.float64, (3,), elements=finite)
quat = arrays(np.float64, (4,), elements=st.floats(-1, 1, allow_nan=False)).filter(lambda q: np.linalg.norm(q) > 0.1)


def same_rotation(a, b, atol=1e-9):
    """q and -q are the same rotation."""
    a, b = R.normalize(a), R.normalize(b)
    return np.allclose(a, b, atol=atol) or np.allclose(a, -b, atol=atol)


@given(quat)
def test_matrix_round_trip(q):
    assert same_rotation(R.from_matrix(R.to_matrix(q)), q, atol=1e-7)


@given(quat)
def test_matrix_is_orthonormal(q):
    m = R.to_matrix(q)
    assert np.allclose(m @ m.T, np.eye(3), atol=1e-9)
    assert np.isclose(np.linalg.det(m), 1.0)


@given(arrays(np.float64, (3,), elements=st.floats(-1.5, 1.5)))
def test_euler_round_trip(angles):
    q = R.from_euler(angles)
    assert np.allclose(R.to_euler(q), angles, atol=1e-7)


@given(quat, vec3)
def test_rotate_matches_matrix(q, v):
    assert np.allclose(R.rotate(R.normalize(q), v), R.to_matrix(q) @ v, atol=1e-9)


@given(quat, quat, vec3)
def test_multiply_composes(a, b, v):
    a, b = R.normalize(a), R.normalize(b)
    assert np.allclose(R.rotate(R.multiply(a, b), v), R.rotate(a, R.rotate(b, v)), atol=1e-9)


@given(quat)
def test_identity_and_inverse(q):
    q = R.normalize(q)
    assert same_rotation(R.multiply(q, R.identity()), q)
    assert same_rotation(R.multiply(q, R.conjugate(q)), R.identity())


@given(vec3)
def test_axis_angle_round_trip(v):
    v = v * (np.pi * 0.99 / max(np.linalg.norm(v), np.pi * 0.99)) if np.linalg.norm(v) > np.pi * 0.99 else v
    assert np.allclose(R.to_axis_angle(R.from_axis_angle(v, np.linalg.norm(v))), v, atol=1e-7)


def test_rotation_by_pi():
    for axis in np.eye(3):
        q = R.from_axis_angle(axis, np.pi)
        m = R.to_matrix(q)
        assert np.allclose(m @ axis, axis)
        other = np.roll(axis, 1)
        assert np.allclose(m @ other, -other, atol=1e-12)
        assert same_rotation(R.from_matrix(m), q)
        assert np.isclose(np.linalg.norm(R.to_axis_angle(q)), np.pi)


@settings(max_examples=50)
@given(quat, quat, st.floats(0, 1))
def test_slerp_unit_norm_and_ends(a, b, t):
    assert np.isclose(np.linalg.norm(R.slerp(a, b, t)), 1.0)
    assert same_rotation(R.slerp(a, b, 0.0), a, atol=1e-6)
    assert same_rotation(R.slerp(a, b, 1.0), b, atol=1e-6)


def test_broadcasting(rng):
    q = R.normalize(rng.normal(size=(5, 1, 4)))
    v = rng.normal(size=(1, 7, 3))
    out = R.rotate(q, v)
    assert out.shape == (5, 7, 3)
    assert np.allclose(out[2, 3], R.rotate(q[2, 0], v[0, 3]))
    assert R.multiply(q, R.normalize(rng.normal(size=(1, 7, 4)))).shape == (5, 7, 4)
    assert R.to_matrix(rng.normal(size=(2, 3, 4))).shape == (2, 3, 3, 3)
    assert R.from_euler(np.zeros((4, 2, 3))).shape == (4, 2, 4)


def test_standardize_and_normalize():
    q = np.array([[-0.5, 0.5, 0.5, 0.5], [0.0, 0.0, 0.0, 0.0]])
    assert np.all(R.standardize(q)[0] == [0.5, -0.5, -0.5, -0.5])
    assert np.allclose(R.normalize(q)[1], [1, 0, 0, 0])


def test_mirror_x_mirrors_rotated_vectors(rng):
    q = R.normalize(rng.normal(size=(20, 4)))
    v = rng.normal(size=(20, 3))
    flip = np.array([-1.0, 1.0, 1.0])
    assert np.allclose(R.rotate(R.mirror_x(q), v * flip), R.rotate(q, v) * flip)


def test_between_takes_a_to_b_by_the_smallest_rotation(rng):
    a = rng.normal(size=(50, 3))
    b = rng.normal(size=(50, 3))
    q = R.between(a, b)
    turned = R.rotate(q, a / np.linalg.norm(a, axis=-1, keepdims=True))
    assert np.allclose(turned, b / np.linalg.norm(b, axis=-1, keepdims=True), atol=1e-9)
    # the smallest rotation: its angle is the angle between the two directions
    cos = np.sum(a * b, axis=-1) / np.linalg.norm(a, axis=-1) / np.linalg.norm(b, axis=-1)
    assert np.allclose(np.linalg.norm(R.to_axis_angle(q), axis=-1), np.arccos(np.clip(cos, -1, 1)), atol=1e-7)


def test_between_edge_cases():
    x = np.array([1.0, 0.0, 0.0])
    assert np.allclose(R.between(x, 2 * x), R.identity())
    half = R.between(x, -x)
    assert np.allclose(R.rotate(half, x), -x, atol=1e-9)
    assert np.allclose(R.between(x, np.zeros(3)), R.identity())
    assert R.between(x, np.ones((4, 2, 3))).shape == (4, 2, 4)  # broadcasts
