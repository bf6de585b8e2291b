"""The step gallery: every step's keyframes as stick figures, placed as perform places the body.

Conventions
-----------
- Keyframes are placed by :func:`kanat.vocabulary.checks.place_keyframes`
  (perform's own rule, at 120 BPM): the floor line is y = 0, flights are
  ballistic.
- Views: front (seen from the audience, so the dancer's left is on the image
  right), side (seen from the dancer's right, the front to the right), feet
  from above. Right (working) limbs orange, left blue.
- :func:`draw_gallery` draws one contact sheet of many steps (``kanat steps
  --gallery``); :func:`draw_step` one step in detail (``scripts/step_gallery.py``).
  Files are written atomically (matplotlib Agg; analysis never imports this).
"""

from __future__ import annotations

import math
import os
import re
import unicodedata
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402

from kanat.body import J, JOINT_NAMES, PARENTS  # noqa: E402
from kanat.body.limits import check_joint_limits  # noqa: E402
from kanat.files import atomic_path  # noqa: E402
from kanat.vocabulary.checks import place_keyframes  # noqa: E402

RIGHT, LEFT, MID = "#e07b39", "#3a6fc4", "#444444"
#: Columns of the contact sheet and the most keyframes drawn per step.
GALLERY_COLUMNS, GALLERY_MAX_KEYS = 4, 7


def _colour(j: int) -> str:
    n = JOINT_NAMES[j]
    return RIGHT if n.startswith("right_") else LEFT if n.startswith("left_") else MID


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
    """``out/<family>_<name>.png``: every keyframe of ``step`` in front, side and top views, with its pose."""
    pos = place_keyframes(step, side)
    K = len(pos)
    fig, axes = plt.subplots(3, K, figsize=(2.3 * K + 0.4, 8.6), gridspec_kw={"height_ratios": [3, 3, 1.4]}, squeeze=False)
    supports = step.supports(side)
    beyond = {v.frame: v for v in check_joint_limits(step.keyframe_rotations(side))}
    for k in range(K):
        p = pos[k]
        kf = step.keyframes[k]
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
    path = Path(out) / f"{step.family}_{_slug(step.name)}{'' if side == 'R' else '_L'}.png"
    _save(fig, path, dpi=80)
    return path




def _save(fig, path: Path, dpi: int) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format="png")
    plt.close(fig)


def draw_gallery(steps, path: str | os.PathLike, *, side: str = "R", title: str = "") -> Path:
    """One contact sheet of ``steps``: per step a cell with its keyframes (front view), name and counts.

    Parameters
    ----------
    steps : sequence of Step
    path : str or PathLike
        A ``.png`` file, written atomically.
    side : {"R", "L"}

    Returns
    -------
    path : Path
    """
    steps = list(steps)
    cols = min(GALLERY_COLUMNS, max(1, len(steps)))
    rows = max(1, math.ceil(len(steps) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 2.05 * rows + 0.5), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for n, step in enumerate(steps):
        ax = axes.flat[n]
        pos = place_keyframes(step, side)
        keys = np.linspace(0, len(pos) - 1, min(len(pos), GALLERY_MAX_KEYS)).round().astype(int)
        segs, colours = [], []
        for c, k in enumerate(keys):
            shift = np.array([1.15 * c - pos[k, J["pelvis"], 0], 0.0, 0.0])
            for j, par in enumerate(PARENTS):
                if par >= 0:
                    segs.append([(pos[k, par] + shift)[[0, 1]], (pos[k, j] + shift)[[0, 1]]])
                    colours.append(_colour(j))
            head = pos[k, J["head"]] + shift
            ax.add_patch(plt.Circle((head[0], head[1] + 0.07), 0.08, fill=False, color=MID, lw=1.0))
            kf = step.keyframes[k]
            ax.text(1.15 * c, -0.17, f"{kf.at:g} {step.supports(side)[k]}", fontsize=5.5, ha="center", color=MID)
        ax.add_collection(LineCollection(segs, colors=colours, linewidths=1.6, capstyle="round"))
        ax.axhline(0, color="#bbbbbb", lw=0.8)
        ax.set_xlim(-0.65, 1.15 * (GALLERY_MAX_KEYS - 1) + 0.65)
        ax.set_ylim(-0.25, 2.2)
        ax.set_aspect("equal")
        ax.set_title(f"{step.name} — {step.family}, {step.beats} counts, {step.level}"
                     + (f", turn {step.turn_deg:g}°" if step.turn_deg else ""), fontsize=8, loc="left")
    fig.suptitle(title or f"kanat vocabulary: {len(steps)} steps, keyframes placed as perform places them "
                 f"(side {side}; orange = right)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.6 / (2.05 * rows + 0.5)))
    path = Path(path)
    _save(fig, path, dpi=72)
    return path
