"""Binary glTF 2.0 (``.glb``): the motion on a skinned mannequin.

Conventions
-----------
- glTF's own frame is kanat's: +Y up, +Z forward (the audience), metres; the
  dancer's left at +X. Nothing is converted.
- Nodes 0..23 are the SMPL joints in SMPL order, named by SMPL; each joint's
  ``translation`` is its rest offset (the pelvis': its rest position), its
  rest ``rotation`` the identity, so the rest pose is kanat's T-pose.
  Node 24 is the mannequin mesh with the skin; the scene holds the pelvis
  (the armature root) and the mesh node.
- The skin's inverse bind matrices undo the rest pose (translations by minus
  each joint's rest world position).
- The mannequin: one low-poly capsule per bone, radius
  ``BONE_RADIUS_M[child]``, plus finger and toe capsules past the leaf joints
  and an ellipsoid head (radius ``BONE_RADIUS_M["head"]``; the neck-to-head
  capsule uses the ``neck`` radius). Every vertex is bound rigidly (weight 1)
  to the joint whose rotation moves its bone.
- The animation has one LINEAR sampler per joint for ``rotation`` (glTF's
  quaternions are x, y, z, w; kanat's are w first) and one for the pelvis'
  ``translation``; the shared input is the frame times in seconds.
- Every accessor and buffer view starts on a 4-byte boundary; POSITION and
  the animation input carry min/max as the specification requires.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pygltflib as gl

from kanat.body import rotations as R
from kanat.body.motion import Motion
from kanat.body.skeleton import BONE_RADIUS_M, JOINT_NAMES
from kanat.errors import FormatError
from kanat.files import atomic_path

#: Mannequin colour: a warm clay, not quite skin (linear RGBA).
BASE_COLOR = (0.80, 0.52, 0.38, 1.0)
_AROUND = 12      # vertices around each capsule
_CAP_RINGS = 3    # rings per hemispherical cap, the pole excluded

_DTYPES = {gl.BYTE: np.int8, gl.UNSIGNED_BYTE: np.uint8, gl.SHORT: np.int16, gl.UNSIGNED_SHORT: np.uint16,
           gl.UNSIGNED_INT: np.uint32, gl.FLOAT: np.float32}
_NCOMP = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}


# ------------------------------------------------------------------ mannequin
def _basis(axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors perpendicular to ``axis`` and each other."""
    helper = np.array([0.0, 0.0, 1.0]) if abs(axis[2]) < 0.9 else np.array([1.0, 0.0, 0.0])
    u = np.cross(axis, helper)
    u /= np.linalg.norm(u)
    return u, np.cross(axis, u)


def _capsule(p0: np.ndarray, p1: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertices (V, 3), normals (V, 3), triangles (F, 3) of a capsule from p0 to p1."""
    axis = p1 - p0
    length = float(np.linalg.norm(axis))
    axis = axis / length if length > 1e-9 else np.array([0.0, 1.0, 0.0])
    u, v = _basis(axis)
    phis = np.linspace(-np.pi / 2, 0.0, _CAP_RINGS + 1)[1:]          # south cap rings, equator last
    rings = [(p0, phi) for phi in phis] + [(p1, -phi) for phi in phis[::-1]]
    theta = np.linspace(0.0, 2 * np.pi, _AROUND, endpoint=False)
    around = np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * v   # (A, 3)
    normals = [-axis[None, :]]
    for _, phi in rings:
        normals.append(np.cos(phi) * around + np.sin(phi) * axis)
    normals.append(axis[None, :])
    centres = [p0[None, :]] + [np.broadcast_to(c, (_AROUND, 3)) for c, _ in rings] + [p1[None, :]]
    normals_arr = np.concatenate(normals)
    verts = np.concatenate(centres) + radius * normals_arr
    return verts, normals_arr, _ring_triangles(len(rings))


def _ring_triangles(n_rings: int) -> np.ndarray:
    """Triangles joining a south pole (vertex 0), n_rings rings of _AROUND, a north pole."""
    A = _AROUND
    k = np.arange(A)
    nxt = (k + 1) % A
    tris = [np.stack([np.zeros(A, int), 1 + nxt, 1 + k], axis=1)]
    for r in range(n_rings - 1):
        a, b = 1 + r * A, 1 + (r + 1) * A
        tris.append(np.stack([a + k, a + nxt, b + k], axis=1))
        tris.append(np.stack([a + nxt, b + nxt, b + k], axis=1))
    north = 1 + n_rings * A
    last = 1 + (n_rings - 1) * A
    tris.append(np.stack([np.full(A, north), last + k, last + nxt], axis=1))
    return np.concatenate(tris)


def _ellipsoid(centre: np.ndarray, radii: np.ndarray, n_rings: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A UV ellipsoid with the poles on Y: vertices, normals, triangles."""
    axis = np.array([0.0, 1.0, 0.0])
    u, v = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])
    theta = np.linspace(0.0, 2 * np.pi, _AROUND, endpoint=False)
    around = np.cos(theta)[:, None] * u + np.sin(theta)[:, None] * v
    phis = np.linspace(-np.pi / 2, np.pi / 2, n_rings + 2)[1:-1]
    unit = np.concatenate([-axis[None]] + [np.cos(p) * around + np.sin(p) * axis for p in phis] + [axis[None]])
    verts = centre + unit * radii
    normals = unit / radii**2
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    return verts, normals, _ring_triangles(n_rings)


def mannequin(rest_positions: np.ndarray, parents: tuple[int, ...], names: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The bind-pose mannequin mesh.

    rest_positions : np.ndarray, shape (24, 3)
        Rest-pose world joint positions, metres.
    Returns
    -------
    dict with ``positions`` (V, 3) float32, ``normals`` (V, 3) float32,
    ``joints`` (V,) the joint each vertex follows, ``triangles`` (F, 3),
    counter-clockwise seen from outside.
    """
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, int]] = []
    J = {n: i for i, n in enumerate(names)}
    for j, p in enumerate(parents):
        if p < 0:
            continue
        radius = BONE_RADIUS_M.get(names[j], 0.04)
        if names[j] == "head":
            radius = BONE_RADIUS_M.get("neck", 0.06) * 0.8
        parts.append((*_capsule(rest_positions[p], rest_positions[j], radius), p))
    leaves = {"left_hand": (0.07, 0.0, 0.0), "right_hand": (-0.07, 0.0, 0.0),
              "left_foot": (0.0, -0.005, 0.05), "right_foot": (0.0, -0.005, 0.05)}
    for name, tip in leaves.items():
        if name in J:
            j = J[name]
            parts.append((*_capsule(rest_positions[j], rest_positions[j] + np.array(tip), BONE_RADIUS_M.get(name, 0.03)), j))
    if "head" in J:
        h = J["head"]
        r = BONE_RADIUS_M.get("head", 0.10)
        parts.append((*_ellipsoid(rest_positions[h] + np.array([0.0, 0.035, 0.01]), r * np.array([0.82, 1.0, 0.92])), h))
    verts, norms, joints, tris = [], [], [], []
    base = 0
    for v, n, t, j in parts:
        verts.append(v)
        norms.append(n)
        joints.append(np.full(len(v), j))
        tris.append(t + base)
        base += len(v)
    positions = np.concatenate(verts)
    normals = np.concatenate(norms)
    triangles = np.concatenate(tris)
    # Wind every triangle counter-clockwise seen from outside (along its normals).
    a, b, c = positions[triangles[:, 0]], positions[triangles[:, 1]], positions[triangles[:, 2]]
    face = np.cross(b - a, c - a)
    inward = np.sum(face * normals[triangles].sum(axis=1), axis=1) < 0
    triangles[inward] = triangles[inward][:, [0, 2, 1]]
    return {"positions": positions.astype(np.float32), "normals": normals.astype(np.float32),
            "joints": np.concatenate(joints), "triangles": triangles}


# ---------------------------------------------------------------------- write
class _Blob:
    """Builds the binary chunk: buffer views on 4-byte boundaries, accessors over them."""

    def __init__(self, gltf: gl.GLTF2):
        self.gltf = gltf
        self.data = bytearray()

    def view(self, arr: np.ndarray, target: int | None = None) -> int:
        self.data += b"\x00" * (-len(self.data) % 4)
        raw = memoryview(np.ascontiguousarray(arr)).cast("B")  # copied once, into the chunk
        self.gltf.bufferViews.append(gl.BufferView(buffer=0, byteOffset=len(self.data), byteLength=len(raw), target=target))
        self.data += raw
        return len(self.gltf.bufferViews) - 1

    def accessor(self, arr: np.ndarray, kind: str, *, target: int | None = None, minmax: bool = False,
                 view: int | None = None, offset: int = 0) -> int:
        comp = {np.dtype(np.float32): gl.FLOAT, np.dtype(np.uint16): gl.UNSIGNED_SHORT,
                np.dtype(np.uint32): gl.UNSIGNED_INT, np.dtype(np.uint8): gl.UNSIGNED_BYTE}[arr.dtype]
        count = arr.shape[0]
        acc = gl.Accessor(bufferView=self.view(arr, target) if view is None else view, byteOffset=offset,
                          componentType=comp, count=count, type=kind)
        if minmax:
            flat = arr.reshape(count, -1)
            acc.min = [float(x) for x in flat.min(axis=0)]
            acc.max = [float(x) for x in flat.max(axis=0)]
        self.gltf.accessors.append(acc)
        return len(self.gltf.accessors) - 1


def _continuous(q: np.ndarray) -> np.ndarray:
    """Flip quaternion signs so consecutive frames lie on the same hemisphere, shape (T, ..., 4)."""
    q = np.asarray(q, dtype=float)
    step = np.where(np.sum(q[1:] * q[:-1], axis=-1) < 0, -1.0, 1.0)
    sign = np.concatenate([np.ones((1,) + q.shape[1:-1]), np.cumprod(step, axis=0)])
    return q * sign[..., None]


def write_glb(motion: Motion, path: str | os.PathLike) -> Path:
    """Write ``motion`` as a binary glTF: an armature, a skinned mannequin, an animation.

    Parameters
    ----------
    motion : Motion
    path : str or PathLike
        Usually ``OUT/dance.glb``; written atomically.

    Returns
    -------
    path : Path

    Examples
    --------
    >>> write_glb(motion, "out/dance.glb")  # doctest: +SKIP
    """
    sk = motion.skeleton
    rest = sk.rest_positions
    gltf = gl.GLTF2(asset=gl.Asset(generator="kanat", version="2.0"))
    blob = _Blob(gltf)
    children: list[list[int]] = [[] for _ in sk.names]
    for j, p in enumerate(sk.parents):
        if p >= 0:
            children[p].append(j)
    for j, name in enumerate(sk.names):
        gltf.nodes.append(gl.Node(name=name, translation=[float(x) for x in sk.offsets[j]],
                                  rotation=[0.0, 0.0, 0.0, 1.0], children=children[j]))
    root = sk.parents.index(-1)

    mesh = mannequin(rest, sk.parents, sk.names)
    n_vert = len(mesh["positions"])
    joints4 = np.zeros((n_vert, 4), np.uint8 if len(sk.names) < 256 else np.uint16)
    joints4[:, 0] = mesh["joints"]
    weights4 = np.zeros((n_vert, 4), np.float32)
    weights4[:, 0] = 1.0
    index_type = np.uint16 if n_vert < 65535 else np.uint32
    attributes = gl.Attributes(
        POSITION=blob.accessor(mesh["positions"], gl.VEC3, target=gl.ARRAY_BUFFER, minmax=True),
        NORMAL=blob.accessor(mesh["normals"], gl.VEC3, target=gl.ARRAY_BUFFER),
        JOINTS_0=blob.accessor(joints4, gl.VEC4, target=gl.ARRAY_BUFFER),
        WEIGHTS_0=blob.accessor(weights4, gl.VEC4, target=gl.ARRAY_BUFFER),
    )
    indices = blob.accessor(mesh["triangles"].reshape(-1).astype(index_type), gl.SCALAR, target=gl.ELEMENT_ARRAY_BUFFER)
    gltf.materials.append(gl.Material(
        name="kanat_clay",
        pbrMetallicRoughness=gl.PbrMetallicRoughness(baseColorFactor=list(BASE_COLOR), metallicFactor=0.0, roughnessFactor=0.6),
    ))
    gltf.meshes.append(gl.Mesh(name="mannequin", primitives=[gl.Primitive(attributes=attributes, indices=indices, material=0)]))

    ibm = np.tile(np.eye(4), (len(sk.names), 1, 1))
    ibm[:, :3, 3] = -rest
    ibm_acc = blob.accessor(np.transpose(ibm, (0, 2, 1)).astype(np.float32), gl.MAT4)  # column-major
    gltf.skins.append(gl.Skin(name="dancer", inverseBindMatrices=ibm_acc, skeleton=root, joints=list(range(len(sk.names)))))
    gltf.nodes.append(gl.Node(name="mannequin", mesh=0, skin=0))
    gltf.scenes.append(gl.Scene(name="kanat", nodes=[root, len(gltf.nodes) - 1]))
    gltf.scene = 0

    T = motion.n_frames
    times = blob.accessor(motion.times_s.astype(np.float32), gl.SCALAR, minmax=True)
    # joint-major (each joint's frames contiguous), x, y, z, w; a joint at a time, so an hour is never copied whole
    quats = np.empty((len(sk.names), T, 4), np.float32)
    for j in range(len(sk.names)):
        quats[j] = _continuous(motion.rotations[:, j])[:, [1, 2, 3, 0]]
    rot_view = blob.view(quats)
    anim = gl.Animation(name="dance")
    for j in range(len(sk.names)):
        out = blob.accessor(quats[j], gl.VEC4, view=rot_view, offset=j * T * 16)
        anim.samplers.append(gl.AnimationSampler(input=times, output=out, interpolation=gl.ANIM_LINEAR))
        anim.channels.append(gl.AnimationChannel(sampler=len(anim.samplers) - 1,
                                                 target=gl.AnimationChannelTarget(node=j, path=gl.ROTATION)))
    trans = blob.accessor(motion.root_pos.astype(np.float32), gl.VEC3)
    anim.samplers.append(gl.AnimationSampler(input=times, output=trans, interpolation=gl.ANIM_LINEAR))
    anim.channels.append(gl.AnimationChannel(sampler=len(anim.samplers) - 1,
                                             target=gl.AnimationChannelTarget(node=root, path=gl.TRANSLATION)))
    gltf.animations.append(anim)

    blob.data += b"\x00" * (-len(blob.data) % 4)
    gltf.buffers.append(gl.Buffer(byteLength=len(blob.data)))
    with atomic_path(path) as tmp:
        _save_glb(gltf, blob.data, tmp)
    return Path(path)


def _save_glb(gltf: gl.GLTF2, data: bytearray, path: Path) -> None:
    """The GLB container as pygltflib's ``save_binary`` writes it, the binary chunk written from ``data`` as it is.

    (pygltflib copies the chunk three times on the way; an hour's animation is 86 MB.) ``data``'s buffer views
    are in order and 4-byte aligned, so it is the chunk pygltflib would rebuild from them.
    """
    import struct

    json_blob = gltf.gltf_to_json(separators=(",", ":"), indent=None).encode("utf-8")
    json_blob += b" " * (-(12 + len(json_blob)) % 4)
    with open(path, "wb") as f:
        f.write(b"glTF" + struct.pack("<II", 2, 12 + 8 + len(json_blob) + 8 + len(data)))
        f.write(struct.pack("<I", len(json_blob)) + b"JSON" + json_blob)
        f.write(struct.pack("<I", len(data)) + b"BIN\x00")
        f.write(memoryview(data))


# ----------------------------------------------------------------------- read
def _load(path: str | os.PathLike) -> tuple[gl.GLTF2, bytes]:
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"glTF file {str(path)!r} does not exist; check the path")
    try:
        gltf = gl.GLTF2().load_binary(str(path))
    except Exception as exc:  # pygltflib raises bare exceptions of many kinds
        raise FormatError(f"{path}: not a binary glTF (.glb) file ({type(exc).__name__}: {exc})") from None
    if gltf is None:
        raise FormatError(f"{path}: not a binary glTF (.glb) file")
    return gltf, gltf.binary_blob() or b""


def read_accessor(gltf: gl.GLTF2, blob: bytes, index: int) -> np.ndarray:
    """The data of accessor ``index`` as an array of shape (count, n_components)."""
    acc = gltf.accessors[index]
    dtype = np.dtype(_DTYPES[acc.componentType])
    ncomp = _NCOMP[acc.type]
    if acc.bufferView is None:
        return np.zeros((acc.count, ncomp), dtype)
    bv = gltf.bufferViews[acc.bufferView]
    start = (bv.byteOffset or 0) + (acc.byteOffset or 0)
    stride = bv.byteStride or dtype.itemsize * ncomp
    arr = np.ndarray((acc.count, ncomp), dtype=dtype, buffer=blob, offset=start, strides=(stride, dtype.itemsize))
    return np.array(arr)


def _sample(times: np.ndarray, values: np.ndarray, at: np.ndarray, interpolation: str, path: str) -> np.ndarray:
    """Evaluate one animation sampler at times ``at``, shape (len(at), n)."""
    if interpolation == gl.ANIM_CUBICSPLINE:
        values = values.reshape(len(times), 3, -1)[:, 1]  # keep the values, drop the tangents
    at = np.clip(at, times[0], times[-1])
    i1 = np.clip(np.searchsorted(times, at, side="right"), 1, max(1, len(times) - 1))
    i0 = i1 - 1
    if len(times) == 1:
        return np.repeat(values[:1], len(at), axis=0)
    span = np.where(times[i1] > times[i0], times[i1] - times[i0], 1.0)
    w = np.clip((at - times[i0]) / span, 0.0, 1.0)
    if interpolation == gl.ANIM_STEP:
        w = (w >= 1.0).astype(float)
    if path == gl.ROTATION:
        q0 = values[i0][:, [3, 0, 1, 2]]
        q1 = values[i1][:, [3, 0, 1, 2]]
        return R.slerp(q0, q1, w)[:, [1, 2, 3, 0]]
    return values[i0] * (1 - w)[:, None] + values[i1] * w[:, None]


def read_glb_joints(path: str | os.PathLike, times_s: np.ndarray | None = None) -> np.ndarray:
    """Evaluate a .glb's animation and return the SMPL joints' world positions.

    Parameters
    ----------
    path : str or PathLike
        A .glb with nodes named by the 24 SMPL joints (kanat's, for instance).
    times_s : np.ndarray, shape (T,), optional
        Times to sample, seconds; by default the key times of the first
        animation's first sampler (a kanat file's frame times).

    Returns
    -------
    positions : np.ndarray, shape (T, 24, 3)
        World joint positions in metres, glTF's frame (Y up), SMPL order.
    """
    gltf, blob = _load(path)
    names = [n.name for n in gltf.nodes]
    missing = [n for n in JOINT_NAMES if n not in names]
    if missing:
        raise FormatError(f"{path}: no nodes named {missing[:6]}...; expected the 24 SMPL joint names")
    anim = gltf.animations[0] if gltf.animations else None
    if times_s is None:
        times_s = read_accessor(gltf, blob, anim.samplers[0].input)[:, 0] if anim else np.zeros(1)
    at = np.asarray(times_s, dtype=float)
    T, N = len(at), len(gltf.nodes)
    trs = {}
    for i, node in enumerate(gltf.nodes):
        trs[i] = {
            gl.TRANSLATION: np.tile(node.translation or [0.0, 0.0, 0.0], (T, 1)).astype(float),
            gl.ROTATION: np.tile(node.rotation or [0.0, 0.0, 0.0, 1.0], (T, 1)).astype(float),
            gl.SCALE: np.tile(node.scale or [1.0, 1.0, 1.0], (T, 1)).astype(float),
        }
    for ch in anim.channels if anim else []:
        if ch.target.node is None or ch.target.path not in (gl.TRANSLATION, gl.ROTATION, gl.SCALE):
            continue
        smp = anim.samplers[ch.sampler]
        key_t = read_accessor(gltf, blob, smp.input)[:, 0].astype(float)
        vals = read_accessor(gltf, blob, smp.output).astype(float)
        trs[ch.target.node][ch.target.path] = _sample(key_t, vals, at, smp.interpolation or gl.ANIM_LINEAR, ch.target.path)

    def local(i: int) -> np.ndarray:
        node = gltf.nodes[i]
        if node.matrix and not np.allclose(node.matrix, np.eye(4).reshape(-1)):
            return np.broadcast_to(np.array(node.matrix, float).reshape(4, 4).T, (T, 4, 4))
        m = np.tile(np.eye(4), (T, 1, 1))
        q = trs[i][gl.ROTATION][:, [3, 0, 1, 2]]
        m[:, :3, :3] = R.to_matrix(q) * trs[i][gl.SCALE][:, None, :]
        m[:, :3, 3] = trs[i][gl.TRANSLATION]
        return m

    world: dict[int, np.ndarray] = {}
    parent = {c: i for i, node in enumerate(gltf.nodes) for c in (node.children or [])}
    for i in range(N):
        chain = [i]
        while chain[-1] in parent and chain[-1] not in world:
            chain.append(parent[chain[-1]])
        for k in reversed(chain):
            if k not in world:
                world[k] = (world[parent[k]] @ local(k)) if k in parent else local(k)
    return np.stack([world[names.index(n)][:, :3, 3] for n in JOINT_NAMES], axis=1)


def validate_glb(path: str | os.PathLike) -> None:
    """Check a .glb against the glTF 2.0 rules kanat's files must keep.

    Checks: one buffer matching the binary chunk; buffer views inside it on
    4-byte boundaries; accessors aligned to their component size and inside
    their view; POSITION and animation inputs with min/max, inputs increasing;
    skin joints and inverse bind matrices agree; JOINTS_0 within the skin,
    WEIGHTS_0 summing to 1; rotation outputs unit quaternions; triangle
    indices within the vertices.

    Raises
    ------
    FormatError
        Listing every problem found.
    """
    gltf, blob = _load(path)
    problems: list[str] = []
    if gltf.asset.version != "2.0":
        problems.append(f"asset.version is {gltf.asset.version!r}, expected '2.0'")
    if len(gltf.buffers) != 1 or gltf.buffers[0].byteLength > len(blob) or len(blob) - gltf.buffers[0].byteLength > 3:
        problems.append(f"expected one buffer matching the {len(blob)}-byte binary chunk, got {[b.byteLength for b in gltf.buffers]}")
    for i, bv in enumerate(gltf.bufferViews):
        if (bv.byteOffset or 0) % 4:
            problems.append(f"bufferView {i} starts at byte {bv.byteOffset}, not on a 4-byte boundary")
        if (bv.byteOffset or 0) + bv.byteLength > len(blob):
            problems.append(f"bufferView {i} runs past the buffer")
        if bv.byteStride is not None and (bv.byteStride % 4 or not 4 <= bv.byteStride <= 252):
            problems.append(f"bufferView {i} byteStride {bv.byteStride} is not a multiple of 4 in [4, 252]")
    for i, acc in enumerate(gltf.accessors):
        size = np.dtype(_DTYPES[acc.componentType]).itemsize
        bv = gltf.bufferViews[acc.bufferView]
        if ((bv.byteOffset or 0) + (acc.byteOffset or 0)) % size:
            problems.append(f"accessor {i} is not aligned to its component size {size}")
        stride = bv.byteStride or size * _NCOMP[acc.type]
        if (acc.byteOffset or 0) + stride * (acc.count - 1) + size * _NCOMP[acc.type] > bv.byteLength:
            problems.append(f"accessor {i} runs past bufferView {acc.bufferView}")
        if acc.min or acc.max:
            data = read_accessor(gltf, blob, i)
            if not (np.allclose(data.min(axis=0), acc.min, atol=1e-6) and np.allclose(data.max(axis=0), acc.max, atol=1e-6)):
                problems.append(f"accessor {i} min/max do not match its data")
    for m, mesh in enumerate(gltf.meshes):
        for prim in mesh.primitives:
            pos = prim.attributes.POSITION
            if pos is None or not gltf.accessors[pos].min or not gltf.accessors[pos].max:
                problems.append(f"mesh {m}: POSITION accessor lacks min/max")
            n_vert = gltf.accessors[pos].count if pos is not None else 0
            if prim.indices is not None and read_accessor(gltf, blob, prim.indices).max() >= n_vert:
                problems.append(f"mesh {m}: an index points past the {n_vert} vertices")
            if prim.attributes.WEIGHTS_0 is not None:
                w = read_accessor(gltf, blob, prim.attributes.WEIGHTS_0)
                if not np.allclose(w.sum(axis=1), 1.0, atol=1e-5):
                    problems.append(f"mesh {m}: WEIGHTS_0 do not sum to 1")
    skinned = [n for n in gltf.nodes if n.skin is not None]
    for node in skinned:
        skin = gltf.skins[node.skin]
        if skin.inverseBindMatrices is not None and gltf.accessors[skin.inverseBindMatrices].count != len(skin.joints):
            problems.append("skin: inverseBindMatrices count differs from the joint count")
        for prim in gltf.meshes[node.mesh].primitives:
            if prim.attributes.JOINTS_0 is not None and read_accessor(gltf, blob, prim.attributes.JOINTS_0).max() >= len(skin.joints):
                problems.append("JOINTS_0 points past the skin's joints")
    for a, anim in enumerate(gltf.animations):
        for s, smp in enumerate(anim.samplers):
            inp = gltf.accessors[smp.input]
            if not inp.min or not inp.max:
                problems.append(f"animation {a} sampler {s}: input accessor lacks min/max")
            t = read_accessor(gltf, blob, smp.input)[:, 0]
            if np.any(np.diff(t) <= 0):
                problems.append(f"animation {a} sampler {s}: input times are not strictly increasing")
        for ch in anim.channels:
            if ch.target.path == gl.ROTATION:
                q = read_accessor(gltf, blob, anim.samplers[ch.sampler].output)
                if not np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-4):
                    problems.append(f"animation {a}: rotations of node {ch.target.node} are not unit quaternions")
    if problems:
        raise FormatError(f"{path}: invalid glTF: " + "; ".join(problems))
