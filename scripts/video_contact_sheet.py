"""A contact sheet of the dance video: frames in every view, at an arabesque, a pirouette and a travel.

Usage::

    PYTHONPATH=src python scripts/video_contact_sheet.py OUT/score.yaml OUT/motion.npz OUT/music.json sheet.png

(any score, motion and music map kanat wrote; without arguments the saved demo under tests/data). Each row is
one view (audience, mirror, side, three-quarter, split); each column one moment, chosen from the captions: the
middle of the first arabesque, the middle of the first pirouette, and the frame where the dancer travels fastest.
Frames are drawn at 640 x 360 by the same code as the video (kanat.render.video).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import skia

from kanat.body import Motion
from kanat.compose import Score
from kanat.listen import MusicMap
from kanat.pipeline import captions_for
from kanat.render.camera import VIEWS
from kanat.render.video import _Painter, build_scene

W, H, FPS = 640, 360, 30


def moments(captions, motion: Motion) -> list[tuple[str, float]]:
    """(label, seconds): the middle of the first arabesque and pirouette, and the fastest travel."""
    out = []
    for word in ("arabesque", "pirouette"):
        for c in captions:
            if word in c.text:
                out.append((c.text, 0.5 * (c.start_s + c.end_s)))
                break
    root = motion.positions()[:, 0, [0, 2]]
    speed = np.linalg.norm(np.gradient(root, axis=0), axis=1) * motion.fps
    k = int(np.argmax(np.convolve(speed, np.ones(15) / 15, mode="same")))
    out.append(("fastest travel", k / motion.fps))
    return out


def contact_sheet(score: Score, motion: Motion, mm: MusicMap, out: Path) -> Path:
    caps = captions_for(score, mm)
    picks = moments(caps, motion)
    sheet = np.full((H * len(VIEWS), W * len(picks), 4), 255, np.uint8)
    for r, view in enumerate(VIEWS):
        scene = build_scene(motion, music_map=mm, captions=caps, width=W, height=H, fps=FPS, camera=view,
                            stage=score.brief.stage)
        painter = _Painter(W, H)
        for c, (_label, t) in enumerate(picks):
            k = int(np.clip(round(t * FPS), 0, scene.n_frames - 1))
            sheet[r * H:(r + 1) * H, c * W:(c + 1) * W] = painter.draw(scene, k)
    img = skia.Image.fromarray(sheet, colorType=skia.kRGBA_8888_ColorType)
    img.save(str(out), skia.kPNG)
    for c, (label, t) in enumerate(picks):
        print(f"column {c + 1}: {label} at {t:.2f} s")
    print("rows:", ", ".join(VIEWS))
    return out


def main(argv: list[str]) -> None:
    data = Path(__file__).parents[1] / "tests" / "data"
    if len(argv) == 4:
        score, motion, mm, out = Score.load(argv[0]), Motion.load(argv[1]), MusicMap.load(argv[2]), Path(argv[3])
    else:
        score = Score.load(data / "compose" / "demo_score.yaml")
        motion = Motion.load(data / "perform" / "demo_motion.npz")
        mm = MusicMap.load(data / "listen" / "demo_music.json")
        out = Path(argv[0]) if argv else Path("contact_sheet.png")
    print(contact_sheet(score, motion, mm, out))


if __name__ == "__main__":
    main(sys.argv[1:])
