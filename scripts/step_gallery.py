"""Draw every step's keyframes as stick figures, front, side and top views, one PNG per step.

Usage::

    .venv/bin/python scripts/step_gallery.py [step name ...] [--out out/gallery] [--side R|L]

Writes one PNG per step under ``out/gallery/`` (``<family>_<name>.png``) with
:func:`kanat.render.gallery.draw_step`: each keyframe is a column (its title
turns red naming the joint when a pose is beyond a joint limit of
kanat.body.limits); keyframes are placed as perform places the body
(:func:`kanat.vocabulary.checks.place_keyframes`). For one contact sheet of
every step use ``kanat steps --gallery gallery.png``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kanat.render.gallery import draw_step
from kanat.vocabulary import load_library


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
