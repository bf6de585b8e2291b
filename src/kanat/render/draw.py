"""Drawing the stage and the mannequin with skia.

Conventions
-----------
- Inputs are world joint positions, shape (24, 3), metres, SMPL order (Y up,
  the audience at +Z), and a :class:`kanat.render.camera.Camera`.
- The mannequin is made of shaded capsules, one per bone (radii from
  :data:`kanat.body.BONE_RADIUS_M`), a head sphere with hair at the back and a
  nose, so the facing direction reads from any side. The dancer's left limbs
  are blue, the right limbs apricot (a legend sits in the top-right corner).
- Occlusion by the painter's algorithm: every shape is drawn far to near by
  the camera depth of its centre.
- Shading: Lambert plus a soft highlight from a key light at the front left
  above, evaluated across each capsule's visible width and laid down as a
  linear gradient (a sphere gets a radial gradient).
- The stage floor is drawn by :mod:`kanat.render.floor`.
- Colours are skia ARGB ints (0xAARRGGBB).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import skia

from kanat.body.skeleton import BONE_RADIUS_M, J, JOINT_NAMES, PARENTS
from kanat.render.camera import NEAR_M, Camera

# Palette: calm, light studio.

TORSO = np.array([0.31, 0.39, 0.53])     # leotard, slate blue
LEFT = np.array([0.42, 0.62, 0.80])      # dancer's left limbs
RIGHT = np.array([0.90, 0.62, 0.47])     # dancer's right limbs
SKIN = np.array([0.97, 0.85, 0.76])
HAIR = np.array([0.36, 0.27, 0.23])

_LIGHT = np.array([-0.45, 0.75, 0.55])
_LIGHT = _LIGHT / np.linalg.norm(_LIGHT)
_FILL = np.array([0.6, 0.2, -0.4])
_FILL = _FILL / np.linalg.norm(_FILL)
_U = np.linspace(-1.0, 1.0, 9)  # across a capsule, silhouette to silhouette


def _argb(rgb: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """ARGB ints from colours in [0, 1], shape (..., 3) -> (...)."""
    c = np.clip(np.round(np.asarray(rgb) * 255.0), 0, 255).astype(np.int64)
    a = int(round(alpha * 255))
    return (a << 24) | (c[..., 0] << 16) | (c[..., 1] << 8) | c[..., 2]


def _shade(base: np.ndarray, normals: np.ndarray, view: np.ndarray) -> np.ndarray:
    """Lit colours, shape (..., 3), for base colours (..., 3) and unit normals (..., 3)."""
    ndl = np.clip(normals @ _LIGHT, 0.0, 1.0)
    fill = np.clip(normals @ _FILL, 0.0, 1.0)
    half = _LIGHT + view
    half = half / np.linalg.norm(half, axis=-1, keepdims=True)
    spec = np.clip(np.sum(normals * half, axis=-1), 0.0, 1.0) ** 24
    col = base * (0.42 + 0.62 * ndl + 0.12 * fill)[..., None] + 0.22 * spec[..., None]
    return np.clip(col, 0.0, 1.0)


# --------------------------------------------------------------------- bones
#: The drawn body's radius at each bone's two ends (parent end, child end), metres, by the bone's child joint:
#: tapered limbs (thigh to knee, calf to ankle), a waist under the rib cage, pointed feet and fingers.
TAPER_M: dict[str, tuple[float, float]] = {
    "left_hip": (0.085, 0.08), "right_hip": (0.085, 0.08),
    "left_knee": (0.078, 0.052), "right_knee": (0.078, 0.052),
    "left_ankle": (0.052, 0.032), "right_ankle": (0.052, 0.032),
    "left_foot": (0.032, 0.014), "right_foot": (0.032, 0.014),
    "spine1": (0.10, 0.09), "spine2": (0.095, 0.112), "spine3": (0.115, 0.118),
    "neck": (0.07, 0.05), "head": (0.046, 0.043),
    "left_collar": (0.05, 0.05), "right_collar": (0.05, 0.05),
    "left_shoulder": (0.056, 0.05), "right_shoulder": (0.056, 0.05),
    "left_elbow": (0.047, 0.034), "right_elbow": (0.047, 0.034),
    "left_wrist": (0.034, 0.024), "right_wrist": (0.034, 0.024),
    "left_hand": (0.024, 0.011), "right_hand": (0.024, 0.011),
}


def _bone_table():
    """(parent, child, radius at the parent, radius at the child, colour, is_limb) for every drawn bone."""
    rows = []
    for child, parent in enumerate(PARENTS):
        if parent < 0:
            continue
        name = JOINT_NAMES[child]
        ra, rb = TAPER_M.get(name, (BONE_RADIUS_M[name], BONE_RADIUS_M[name]))
        limb = name.split("_", 1)[-1] in ("knee", "ankle", "foot", "elbow", "wrist", "hand")
        colour = (LEFT if name.startswith("left_") else RIGHT) if limb else TORSO
        if name.endswith("_hand") or name.endswith("_wrist"):
            colour = colour * 0.55 + SKIN * 0.45  # bare hands and wrists
        if name == "head":
            colour = SKIN * 0.96  # the neck above the leotard
        rows.append((parent, child, ra, rb, colour, limb))
    return rows


_BONES = _bone_table()
_BONE_A = np.array([r[0] for r in _BONES])
_BONE_B = np.array([r[1] for r in _BONES])
# + chest (across), hips (across), rib cage (along the upper spine, a little forward)
_BONE_RA = np.array([r[2] for r in _BONES] + [0.085, 0.095, 0.118])
_BONE_RB = np.array([r[3] for r in _BONES] + [0.085, 0.095, 0.105])
_BONE_C = np.array([r[4] for r in _BONES] + [TORSO, TORSO, TORSO])
_BONE_LIMB = np.array([r[5] for r in _BONES] + [False, False, False])
_FOOT_BONES = np.array([i for i, r in enumerate(_BONES) if JOINT_NAMES[r[1]].endswith("_foot")])
_HAND_BONES = np.array([i for i, r in enumerate(_BONES) if JOINT_NAMES[r[1]].endswith("_hand")])
_NECK_BONES = np.array([i for i, r in enumerate(_BONES) if JOINT_NAMES[r[1]] in ("head", "neck")])
HEAD_RADIUS_M = BONE_RADIUS_M["head"]
NOSE_RADIUS_M = 0.02
EYE_RADIUS_M = 0.011
BUN_RADIUS_M = 0.042


@dataclass
class BodyShapes:
    """The mannequin's shapes for one pose, world metres.

    a, b : (K, 3) capsule end points; radius, radius_b : (K,) at a and at b; colour : (K, 3);
    limb : (K,) bool (limbs get a fine outline);
    head : centre (3,), with unit ``up`` and ``fwd`` (the facing direction);
    nose : centre (3,).
    """

    a: np.ndarray
    b: np.ndarray
    radius: np.ndarray
    radius_b: np.ndarray
    colour: np.ndarray
    limb: np.ndarray
    head: np.ndarray
    up: np.ndarray
    fwd: np.ndarray
    nose: np.ndarray


def body_shapes(pos: np.ndarray) -> BodyShapes:
    """Capsules, head and nose of the mannequin for one pose ``pos`` (24, 3)."""
    a = pos[_BONE_A].copy()
    b = pos[_BONE_B].copy()
    # Feet: from the heel to past the ball, tapering to the toes, so a pointed foot reads as pointed.
    for i in _FOOT_BONES:
        d = b[i] - a[i]
        a[i] = a[i] + 0.2 * d
        b[i] = b[i] + 0.55 * d
    for i in _HAND_BONES:  # the fingers past the knuckles
        b[i] = b[i] + 0.9 * (b[i] - a[i])
    neck, head = pos[J["neck"]], pos[J["head"]]
    up = head - neck
    up = up / max(np.linalg.norm(up), 1e-9)
    left = pos[J["left_shoulder"]] - pos[J["right_shoulder"]]
    fwd = np.cross(left, up)
    n = np.linalg.norm(fwd)
    fwd = fwd / n if n > 1e-9 else np.array([0.0, 0.0, 1.0])
    # Chest (across the upper trunk, below the collar bones) and hips.
    s3 = pos[J["spine3"]]
    trunk_up = s3 - pos[J["spine1"]]
    trunk_up = trunk_up / max(np.linalg.norm(trunk_up), 1e-9)
    chest_l = s3 + 0.45 * (pos[J["left_shoulder"]] - s3) - 0.07 * trunk_up
    chest_r = s3 + 0.45 * (pos[J["right_shoulder"]] - s3) - 0.07 * trunk_up
    hip_l, hip_r = pos[J["left_hip"]], pos[J["right_hip"]]
    pelvis = pos[J["pelvis"]]
    hips_l = pelvis + 0.55 * (hip_l - pelvis)
    hips_r = pelvis + 0.55 * (hip_r - pelvis)
    # The rib cage: from the chest down toward the waist, in front of the spine.
    chest_fwd = np.cross(pos[J["left_shoulder"]] - pos[J["right_shoulder"]], trunk_up)
    chest_fwd = chest_fwd / max(np.linalg.norm(chest_fwd), 1e-9)
    ribs_top = s3 - 0.03 * trunk_up + 0.025 * chest_fwd
    ribs_low = pos[J["spine2"]] - 0.06 * trunk_up + 0.03 * chest_fwd
    a = np.concatenate([a, [chest_l, hips_l, ribs_top]])
    b = np.concatenate([b, [chest_r, hips_r, ribs_low]])
    centre = head + 0.045 * up + 0.015 * fwd
    nose = centre + (HEAD_RADIUS_M - 0.005) * fwd - 0.015 * up
    return BodyShapes(a, b, _BONE_RA.copy(), _BONE_RB.copy(), _BONE_C.copy(), _BONE_LIMB, centre, up, fwd, nose)


def _capsule_outlines(pa: np.ndarray, pb: np.ndarray, ra: np.ndarray, rb: np.ndarray, n_cap: int = 9) -> np.ndarray:
    """Screen outlines of tapered capsules, shape (K, 2 * n_cap, 2).

    pa, pb : (K, 2) end centres in pixels; ra, rb : (K,) end radii in pixels.
    The outline is the hull of the two end circles (tangent lines and arcs);
    a capsule seen end on degenerates to its larger circle.
    """
    d = pb - pa
    length = np.linalg.norm(d, axis=-1)
    phi = np.arctan2(d[:, 1], d[:, 0])
    s = np.where(length > 1e-6, (ra - rb) / np.maximum(length, 1e-6), np.sign(ra - rb + 1e-9))
    alpha = np.arccos(np.clip(s, -1.0, 1.0))  # angle of the tangent normal from the axis
    f = np.linspace(0.0, 1.0, n_cap)
    ang_b = phi[:, None] - alpha[:, None] + 2 * alpha[:, None] * f  # cap around b
    ang_a = phi[:, None] + alpha[:, None] + (2 * np.pi - 2 * alpha[:, None]) * f  # cap around a
    cap_b = pb[:, None, :] + rb[:, None, None] * np.stack([np.cos(ang_b), np.sin(ang_b)], -1)
    cap_a = pa[:, None, :] + ra[:, None, None] * np.stack([np.cos(ang_a), np.sin(ang_a)], -1)
    return np.concatenate([cap_b, cap_a], axis=1)


def _poly_path(pts: np.ndarray) -> skia.Path:
    return skia.Path.Polygon([skia.Point(x, y) for x, y in np.asarray(pts, dtype=float).tolist()], True)


def cap_outline(h: np.ndarray, c: float, n: int = 64) -> np.ndarray | None:
    """Visible outline of a spherical cap on a unit sphere, orthographic view.

    The cap is the set of unit normals m with ``m . h > c``; the sphere is
    seen along -z (camera frame: x right, y down on screen, z towards the
    viewer), so the visible hemisphere has m_z >= 0.

    Returns
    -------
    outline : np.ndarray, shape (M, 2), or None
        Unit-disk coordinates of the visible part of the cap (a polygon), or
        None when no part of the cap is visible. The whole disk comes back as
        a circle when the cap covers everything visible.
    """
    h = h / np.linalg.norm(h)
    e1 = np.cross(h, [0.0, 0.0, 1.0]) if abs(h[2]) < 0.99 else np.cross(h, [1.0, 0.0, 0.0])
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(h, e1)
    psi = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rim = c * h + np.sqrt(max(0.0, 1 - c * c)) * (np.cos(psi)[:, None] * e1 + np.sin(psi)[:, None] * e2)
    front = rim[:, 2] >= 0
    circle = np.stack([np.cos(psi), np.sin(psi)], -1)
    if front.all():
        return rim[:, :2] if h[2] > 0 or c >= 0 else None  # a ring on the front: only the near-cap case
    if not front.any():
        # Boundary entirely behind: the visible hemisphere is all cap or no cap.
        return circle if h[2] > c else None
    # Rotate so the front run starts at index 0.
    start = int(np.flatnonzero(front & ~np.roll(front, 1))[0])
    rim = np.roll(rim, -start, axis=0)
    run = int(np.argmin(np.roll(front, -start))) or n
    arc = rim[:run, :2]
    p_end, p_start = arc[-1], arc[0]
    a_end, a_start = np.arctan2(p_end[1], p_end[0]), np.arctan2(p_start[1], p_start[0])
    # Silhouette arc from the end back to the start, on the side inside the cap.
    sweep = (a_start - a_end) % (2 * np.pi)
    mid = a_end + sweep / 2
    if np.cos(mid) * h[0] + np.sin(mid) * h[1] <= c:
        sweep -= 2 * np.pi
    k = max(4, int(abs(sweep) / (2 * np.pi) * n))
    ang = a_end + sweep * np.linspace(0, 1, k)
    return np.concatenate([arc, np.stack([np.cos(ang), np.sin(ang)], -1)])


def _draw_head(canvas, cam: Camera, body: BodyShapes, basis: np.ndarray, paint, edge) -> None:
    (p,), (d,) = cam.project(body.head[None])
    if d < NEAR_M:
        return
    r_px = float(HEAD_RADIUS_M * cam.pixels_per_metre(d))
    v = cam.eye - body.head
    v = v / np.linalg.norm(v)
    to_scr = np.stack([basis[0], -basis[1], v])  # world -> (x right, y down, z to viewer)
    # Skin, lit from the key light.
    _sphere(canvas, p, r_px, SKIN, v, to_scr, paint)
    # Hair: a cap over the back and the top of the head (the face left bare), and a bun at the back.
    hair_dir = 0.7 * body.up - 0.72 * body.fwd
    outline = cap_outline(to_scr @ hair_dir, -0.05)
    if outline is not None:
        path = _poly_path(p + r_px * outline)
        canvas.save()
        canvas.clipPath(path, doAntiAlias=True)
        _sphere(canvas, p, r_px + 0.5, HAIR, v, to_scr, paint)
        canvas.restore()
    _draw_eyes(canvas, cam, body, v, r_px)
    canvas.drawCircle(float(p[0]), float(p[1]), r_px, edge)
    bun = body.head + HEAD_RADIUS_M * (0.45 * body.up - 0.9 * body.fwd)
    if float((bun - body.head) @ v) < 0:  # behind the head: drawn before it would be hidden; only when seen
        return
    (q,), (dq,) = cam.project(bun[None])
    _sphere(canvas, q, float(BUN_RADIUS_M * cam.pixels_per_metre(dq)), HAIR, v, to_scr, paint)


def _draw_eyes(canvas, cam: Camera, body: BodyShapes, v: np.ndarray, r_px: float) -> None:
    """Two dark eyes on the face, where they face the camera: the way the head looks reads from any side."""
    side = np.cross(body.up, body.fwd)
    paint = skia.Paint(AntiAlias=True, Color=0xFF3A2E2A)
    for sgn in (-1.0, 1.0):
        n = 0.92 * body.fwd + sgn * 0.36 * side + 0.1 * body.up
        n = n / np.linalg.norm(n)
        facing = float(n @ v)
        if facing < 0.2:
            continue
        (q,), _ = cam.project((body.head + HEAD_RADIUS_M * n)[None])
        canvas.drawCircle(float(q[0]), float(q[1]), float(EYE_RADIUS_M / HEAD_RADIUS_M * r_px * (0.4 + 0.6 * facing)), paint)


def _screen_basis(cam: Camera) -> np.ndarray:
    """The camera's right, up, forward rows, with "right" as the picture's right (flipped in a mirror)."""
    basis = cam.basis
    return np.stack([-basis[0], basis[1], basis[2]]) if cam.mirror else basis


def _sphere(canvas, p, r_px, base, v, to_scr, paint) -> None:
    """A sphere shaded by a radial gradient centred on its highlight."""
    light_scr = to_scr @ _LIGHT
    off = light_scr[:2] * 0.45
    dist = np.array([0.0, 0.5, 1.0, 1.45])
    # Normals from the highlight across to the far silhouette.
    dirs = -light_scr[:2] / max(np.linalg.norm(light_scr[:2]), 1e-9)
    pts = off[None, :] + dist[:, None] * dirs[None, :]
    pts = pts / np.maximum(np.linalg.norm(pts, axis=-1, keepdims=True), 1.0)
    nz = np.sqrt(np.clip(1 - np.sum(pts**2, -1), 0, 1))
    n_scr = np.concatenate([pts, nz[:, None]], -1)
    n_world = n_scr @ to_scr  # to_scr is orthonormal: inverse = transpose
    cols = _argb(_shade(np.broadcast_to(base, (4, 3)), n_world, np.broadcast_to(v, (4, 3))))
    paint.setShader(skia.GradientShader.MakeRadial(
        skia.Point(float(p[0] + off[0] * r_px), float(p[1] + off[1] * r_px)), float(r_px * 1.45),
        [int(c) for c in cols], [0.0, 0.5 / 1.45, 1.0 / 1.45, 1.0]))
    canvas.drawCircle(float(p[0]), float(p[1]), float(r_px), paint)


def draw_body(canvas: skia.Canvas, cam: Camera, pos: np.ndarray) -> None:
    """Draw the shaded mannequin for one pose (painter's algorithm)."""
    body = body_shapes(pos)
    a, b, colour = body.a, body.b, body.colour
    radius = 0.5 * (body.radius + body.radius_b)
    basis = _screen_basis(cam)
    # --- capsules
    pa, da = cam.project(a)
    pb, db = cam.project(b)
    ra = body.radius * cam.pixels_per_metre(da)
    rb = body.radius_b * cam.pixels_per_metre(db)
    outlines = _capsule_outlines(pa, pb, ra, rb)
    mid = 0.5 * (a + b)
    axis = b - a
    axis = axis / np.maximum(np.linalg.norm(axis, axis=-1, keepdims=True), 1e-9)
    view = cam.eye - mid
    view = view / np.linalg.norm(view, axis=-1, keepdims=True)
    side = np.cross(axis, view)
    sn = np.linalg.norm(side, axis=-1, keepdims=True)
    side = np.where(sn > 1e-6, side / np.maximum(sn, 1e-9), basis[0])
    vperp = np.cross(side, axis)  # perpendicular to the axis, towards the camera
    vperp = vperp * np.sign(np.sum(vperp * view, axis=-1, keepdims=True) + 1e-12)
    normals = _U[None, :, None] * side[:, None, :] + np.sqrt(1 - _U**2)[None, :, None] * vperp[:, None, :]
    depth_mid = cam.depth(mid)
    # Depth cue: what is behind the body's centre a little darker, what is in front a little lighter.
    near_far = np.clip(1.0 - 0.28 * (depth_mid - float(cam.depth(pos[J["pelvis"]]))), 0.78, 1.08)
    cols = _argb(_shade(colour[:, None, :] * near_far[:, None, None], normals, view[:, None, :]))
    g0, _ = cam.project(mid - side * radius[:, None])
    g1, _ = cam.project(mid + side * radius[:, None])
    head_depth = float(cam.depth(body.head))
    depth_mid[_NECK_BONES] = np.maximum(depth_mid[_NECK_BONES], head_depth + 1e-3)  # the head covers its neck
    items = [(float(depth_mid[i]), 0, i) for i in range(len(a))]
    items.append((head_depth, 1, 0))
    items.append((float(cam.depth(body.nose)), 2, 0))
    items.sort(key=lambda it: -it[0])

    paint = skia.Paint(AntiAlias=True)
    edge = skia.Paint(AntiAlias=True, Style=skia.Paint.kStroke_Style, StrokeWidth=0.0, Color=0x30202838)  # hairlines: fast
    for _, kind, i in items:
        if kind == 0:
            if da[i] < NEAR_M or db[i] < NEAR_M:
                continue
            path = _poly_path(outlines[i])
            paint.setShader(skia.GradientShader.MakeLinear(
                [skia.Point(*g0[i]), skia.Point(*g1[i])], [int(c) for c in cols[i]]))
            canvas.drawPath(path, paint)
            if body.limb[i]:
                canvas.drawPath(path, edge)
        elif kind == 1:
            _draw_head(canvas, cam, body, basis, paint, edge)
        else:
            (p,), (d,) = cam.project(body.nose[None])
            if d < NEAR_M:
                continue
            v = cam.eye - body.nose
            v = v / np.linalg.norm(v)
            to_scr = np.stack([basis[0], -basis[1], v])
            _sphere(canvas, p, float(NOSE_RADIUS_M * cam.pixels_per_metre(d)), SKIN * 0.95, v, to_scr, paint)


def draw_shadow(canvas: skia.Canvas, cam: Camera, pos: np.ndarray) -> None:
    """A soft shadow: the body's capsules flattened straight down onto the floor.

    Each capsule (and the head) becomes a 2-D capsule in the floor plane
    (x, z), projected into the picture and blurred; the shadow grows lighter
    and softer as the body rises off the floor.
    """
    body = body_shapes(pos)
    a = np.concatenate([body.a, body.head[None]])
    b = np.concatenate([body.b, body.head[None]])
    radius = np.concatenate([body.radius, [HEAD_RADIUS_M]]) * 1.1
    radius_b = np.concatenate([body.radius_b, [HEAD_RADIUS_M]]) * 1.1
    lowest = float(min(a[:, 1].min(), b[:, 1].min()) - radius.max())
    outlines = _capsule_outlines(a[:, [0, 2]], b[:, [0, 2]], radius, radius_b, n_cap=8)
    world = np.stack([outlines[..., 0], np.full(outlines.shape[:2], 0.001), outlines[..., 1]], axis=-1)
    xy, depth = cam.project(world)
    if depth.min() < NEAR_M:
        return
    path = skia.Path()
    path.setFillType(skia.PathFillType.kWinding)
    for o in xy:
        path.addPoly([skia.Point(float(x), float(y)) for x, y in o], True)
    lift = max(0.0, lowest)
    alpha = 0.28 * float(np.clip(1.0 - lift / 0.8, 0.3, 1.0))
    sigma = float(cam.pixels_per_metre(np.mean(depth)) * (0.03 + 0.08 * lift))
    paint = skia.Paint(AntiAlias=True, Color=skia.Color(40, 35, 30, int(alpha * 255)))
    paint.setMaskFilter(skia.MaskFilter.MakeBlur(skia.kNormal_BlurStyle, max(sigma, 0.5)))
    canvas.drawPath(path, paint)
