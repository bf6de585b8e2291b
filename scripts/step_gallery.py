"""Draw every step's keyframes as stick figures, front, side and top views.

Usage::

    PYTHONPATH=src python scripts/step_gallery.py [step name ...] [--out out/gallery]

Writes one PNG per step under ``out/gallery/`` (``<family>_<name>.png``). Each
keyframe is a column (its title turns red naming the joint when a pose is beyond
a joint limit of kanat.body.limits): the front view (seen from the audience, so the dancer's
left is on the image right), the side view (seen from the dancer's right, the
front to the right) and the feet seen from above. The root is placed as perform
places it, the lowest supporting sole point on y = 0 (the floor line), unless
the keyframe is in the air, where it is lifted by the ballistic height of a
120 BPM performance.
The right (working) limbs are drawn in orange, the left in blue.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from kanat.body import J, JOINT_NAMES, PARENTS, default_skeleton, forward_kinematics, sole_points  # noqa: E402
from kanat.body.limits import check_joint_limits  # noqa: E402
from kanat.vocabulary import load_library  # noqa: E402

RIGHT, LEFT, MID = "#e07b39", "#3a6fc4", "#444444"


def _colour(j: int) -> str:
    n = JOINT_NAMES[j]
    return RIGHT if n.startswith("right_") else LEFT if n.startswith("left_") else MID


_SUPPORT_FEET = {"both": (True, True), "left": (True, False), "right": (False, True), "air": (False, False), "floor": (True, True)}


def keyframe_positions(step, side: str = "R") -> np.ndarray:
    """World joint positions of each keyframe placed as perform places them, shape (K, 24, 3).

    On the ground the lowest supporting sole point is on y = 0 and no other
    sole is under it (for ``floor`` both feet count, so a kneeling pose rests
    on its insteps and knees); in the air the pelvis keeps the height it took
    off with (the legs may tuck under it).
    """
    sk = default_skeleton()
    rot = step.keyframe_rotations(side)
    root = np.tile(sk.offsets[J["pelvis"]], (len(rot), 1))
    pos, _ = forward_kinematics(sk, root, rot)
    soles = sole_points(pos)[..., 1]
    feet_low = np.stack([soles[:, :2].min(1), soles[:, 2:].min(1)], 1)
    low = feet_low.min(1)
    for k, sup in enumerate(step.supports(side)):
        feet = _SUPPORT_FEET[sup]
        if any(feet):
            low[k] = min(min(feet_low[k, i] for i in (0, 1) if feet[i]), feet_low[k].min())
    for k in range(1, len(low)):
        if step.keyframes[k].support == "air" and step.keyframes[k - 1].support == "air":
            low[k] = low[k - 1]
    pos[..., 1] -= low[:, None]
    return pos


def flight_heights(step, *, tempo_bpm: float = 120.0) -> np.ndarray:
    """Height of the ballistic flight at each keyframe (0 on the floor), metres, shape (K,).

    A flight runs from the first keyframe with support "air" to the next one
    that is not in the air; the body follows h(t) = g/2 (t - t0) (t1 - t).
    """
    ks = step.keyframes
    out = np.zeros(len(ks))
    spb = 60.0 / tempo_bpm
    for k, e in step.flights():
        t0, t1 = ks[k].at * spb, ks[min(e, len(ks) - 1)].at * spb
        for i in range(k, e):
            t = ks[i].at * spb
            out[i] = 9.81 / 2.0 * (t - t0) * (t1 - t)
    return out


def _slug(name: str) -> str:
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", s.lower()).strip("_")


def _draw(ax, p: np.ndarray, h: int, v: int, *, flip: bool = False) -> None:
    for j, par in enumerate(PARENTS):
        if par < 0:
            continue
        x = [p[par, h], p[j, h]]
        y = [p[par, v], p[j, v]]
        if flip:
            x = [-a for a in x]
        ax.plot(x, y, color=_colour(j), lw=2.2, solid_capstyle="round")
    hx = -p[J["head"], h] if flip else p[J["head"], h]
    ax.add_patch(plt.Circle((hx, p[J["head"], v] + 0.07), 0.09, fill=False, color=MID, lw=1.5))


def draw_step(step, out: Path, side: str = "R") -> Path:
    pos = keyframe_positions(step, side)
    K = len(pos)
    fig, axes = plt.subplots(3, K, figsize=(2.3 * K + 0.4, 8.6), gridspec_kw={"height_ratios": [3, 3, 1.4]}, squeeze=False)
    supports = step.supports(side)
    lift = flight_heights(step)
    beyond = {v.frame: v for v in check_joint_limits(step.keyframe_rotations(side))}
    for k in range(K):
        p = pos[k].copy()
        kf = step.keyframes[k]
        p[..., 1] += lift[k]
        # front: x to the right (dancer's left on the image right), y up
        ax = axes[0, k]
        ax.axhline(0, color="#999999", lw=1)
        _draw(ax, p, 0, 1)
        ax.set_xlim(-1.0, 1.0)
        ax.set_ylim(-0.05, 2.2)
        pose = {k2: v for k2, v in kf.pose.items()}
        warn = f"\n!! {beyond[k].joint} {beyond[k].motion} {beyond[k].angle_deg:.0f}" if k in beyond else ""
        ax.set_title(f"at {kf.at:g}  {supports[k]}\n" + "\n".join(f"{a}: {b}" for a, b in pose.items()) + warn,
                     fontsize=6.5, loc="left", color="#c00000" if warn else "black")
        # side: seen from the dancer's right, front (+z) to the right
        ax = axes[1, k]
        ax.axhline(0, color="#999999", lw=1)
        _draw(ax, p, 2, 1)
        ax.set_xlim(-1.1, 1.1)
        ax.set_ylim(-0.05, 2.2)
        # top: feet and legs seen from above, front (+z) up, dancer's left on the image right
        ax = axes[2, k]
        for j in (J["left_hip"], J["right_hip"], J["left_knee"], J["right_knee"], J["left_ankle"], J["right_ankle"],
                  J["left_foot"], J["right_foot"]):
            par = PARENTS[j]
            ax.plot([p[par, 0], p[j, 0]], [p[par, 2], p[j, 2]], color=_colour(j), lw=2)
        ax.set_xlim(-0.6, 0.6)
        ax.set_ylim(-0.6, 0.6)
        for a in axes[:, k]:
            a.set_aspect("equal")
            a.set_xticks([])
            a.set_yticks([])
    fig.suptitle(
        f"{step.name} ({step.family}) side {side}: {step.beats} beats, accent {step.accent:g}, "
        f"{step.start_stance(side)} -> {step.end_stance(side)}, travel {step.travel}, turn {step.turn_deg:g}, "
        f"air {step.air_beats:g} beats",
        fontsize=9,
    )
    fig.tight_layout()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{step.family}_{_slug(step.name)}{'' if side == 'R' else '_L'}.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="steps to draw (default: all)")
    ap.add_argument("--out", default="out/gallery")
    ap.add_argument("--side", default="R", choices=["R", "L"])
    args = ap.parse_args(argv)
    lib = load_library()
    steps = [lib.get(n) for n in args.names] if args.names else list(lib)
    for s in steps:
        print(draw_step(s, Path(args.out), args.side))
    return 0


if __name__ == "__main__":
    sys.exit(main())
