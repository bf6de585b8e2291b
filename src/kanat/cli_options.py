"""The options the commands share: the brief's, the video's and the listening hints, checked once each.

:mod:`kanat.cli` declares its commands with these; every check raises a
:class:`~kanat.errors.KanatError` whose message names the option.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kanat.brief import DEFAULT_DIFFICULTY, DEFAULT_INNOVATION, DEFAULT_STYLE

_SIZES = {"720p": (1280, 720), "1080p": (1920, 1080)}
DEFAULT_STAGE = "10x8"


def video_options(size: str, fps: int, camera: str) -> dict:
    from kanat.errors import ParameterError

    if size not in _SIZES:
        raise ParameterError(f"--video-size must be 720p or 1080p, got {size!r}")
    if fps not in (24, 25, 30, 50, 60):
        raise ParameterError(f"--video-fps must be 24, 25, 30, 50 or 60, got {fps}")
    from kanat.render.camera import CAMERA_MODES

    if camera not in CAMERA_MODES:
        raise ParameterError(f"--view (or --camera) must be one of {', '.join(CAMERA_MODES)}, got {camera!r}")
    w, h = _SIZES[size]
    return {"width": w, "height": h, "fps": fps, "camera": camera}


def make_brief(*, style: str, innovation: float, difficulty: int, seed: int, stage: str, hints=None):
    """The one Brief of this command, checked once, there (its messages name the setting)."""
    from kanat.body.stage import Stage
    from kanat.brief import Brief
    from kanat.listen.hints import ListenHints

    return Brief(style=style, innovation=innovation, difficulty=difficulty, seed=seed, stage=Stage.parse(stage),
                 hints=hints or ListenHints())


def make_hints(meter: Optional[str], bpm: Optional[float], first_downbeat: Optional[float], taps: Optional[Path]):
    from kanat.listen.hinted import counted_meter
    from kanat.listen.hints import from_options

    hints = from_options(meter=meter, bpm=bpm, first_downbeat=first_downbeat, taps=taps)
    counted_meter(hints)  # a bar kanat cannot count is refused before anything is heard
    return hints


# the brief's options, the same on every command that composes
SEED = typer.Option(0, help="Random seed: the same seed gives the same dance.")
STYLE = typer.Option(DEFAULT_STYLE, help="classical or modern.")
INNOVATION = typer.Option(DEFAULT_INNOVATION, help="0 = strict classical grammar, 1 = free contemporary.")
DIFFICULTY = typer.Option(DEFAULT_DIFFICULTY, help="1 (beginner) to 5 (principal).")
STAGE = typer.Option(DEFAULT_STAGE, "--stage", help="Stage size WIDTHxDEPTH in metres.")
VIDEO_SIZE = typer.Option("720p", "--video-size", help="720p (1280x720) or 1080p (1920x1080).")
VIDEO_FPS = typer.Option(30, "--video-fps", help="Frames per second of the video (30 or 60).")
# the listening hints: what the choreographer knows about the music, believed over the ear
METER = typer.Option(None, "--meter", help="The meter, e.g. 3/4, 2/4, 4/4, 6/8 (counted in 2).")
BPM = typer.Option(None, "--bpm", help="The counted tempo in beats per minute (e.g. 60 for a slow adagio).")
FIRST_DOWNBEAT = typer.Option(None, "--first-downbeat", help="Where the first \"1\" sounds, in seconds.")
TAPS = typer.Option(None, "--taps", help="A text file of tapped beat times (seconds, one a line; Audacity labels).")
CAMERA = typer.Option("audience", "--view", "--camera", help=(
    "audience (from the house), mirror (as in the studio mirror), side, three-quarter, split (audience and side), "
    "or follow (a slow orbit)."))
