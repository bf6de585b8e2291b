"""The dance video: a shaded mannequin on a stage, with the music and the counts.

Conventions
-----------
- Input is a :class:`kanat.body.Motion` (kanat's own dance or an imported BVH)
  and, optionally, the music file, its :class:`kanat.listen.MusicMap` and the
  step captions; nothing here knows how the motion was made.
- Video frame ``k`` shows time ``k / fps`` seconds. Joint positions are
  linearly interpolated from the motion's frames; past the motion's end the
  last pose is held.
- Length: with ``audio_path`` the music decides the length (its duration,
  read from the file's header by ffmpeg), else ``music_map.duration_s``, else
  the motion's duration.
- The floor drawn is the :class:`kanat.body.stage.Stage` given (the brief's
  stage, as composed; 10 x 8 m by default) and the camera frames that stage.
- Output: H.264 (yuv420p) MP4, the music as AAC, written to a temporary file
  and renamed (:func:`kanat.files.atomic_path`).
- Frames are drawn with skia-python in a pool of worker processes and
  streamed in order into ffmpeg's stdin as raw RGBA (:mod:`kanat.render.frames`).
"""

from __future__ import annotations

import multiprocessing  # noqa: F401 -- kanat.render.frames picks the start method; tests patch it here
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import skia

from kanat.body.motion import Motion
from kanat.body.stage import Stage
from kanat.errors import AudioError, KanatError, ParameterError
from kanat.files import atomic_path
from kanat.render.camera import CAMERA_MODES, camera_path
from kanat.render.frames import (  # noqa: F401 -- _close_listening_sockets: tests reach it here
    Pane, Scene, _close_listening_sockets, _encode_frames, _Painter, default_workers,
)
from kanat.render.overlay import Caption, Timeline

__all__ = ["Caption", "Clip", "RenderError", "render_frame", "render_stills", "render_video", "audio_duration_s"]

ProgressFn = Callable[[float, str], None]


class RenderError(KanatError, RuntimeError):
    """The video encoder failed (ffmpeg's own message is included)."""


# ---------------------------------------------------------------- the scene
@dataclass(frozen=True)
class Clip:
    """A part of the dance to export for learning: ``start_s`` to ``end_s`` of the music, ``loop`` times, at ``speed``.

    The video then lasts ``loop * (end_s - start_s) / speed`` seconds; its
    music is the same part, slowed (pitch kept) and looped the same way.
    """

    start_s: float
    end_s: float
    loop: int = 1
    speed: float = 1.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.start_s) and np.isfinite(self.end_s) and 0 <= self.start_s < self.end_s):
            raise ParameterError(f"a clip runs from a start to a later end in seconds, got {self.start_s}-{self.end_s}")
        if isinstance(self.loop, bool) or not isinstance(self.loop, (int, np.integer)) or not 1 <= self.loop <= 50:
            raise ParameterError(f"--loop must be a whole number 1-50, got {self.loop!r}")
        if isinstance(self.speed, bool) or not isinstance(self.speed, (int, float)) or not 0.25 <= self.speed <= 2.0:
            raise ParameterError(f"--speed must be 0.25-2 (0.5 is half speed), got {self.speed!r}")

    @property
    def duration_s(self) -> float:
        """Length of the video, seconds."""
        return self.loop * (self.end_s - self.start_s) / self.speed

    def music_times(self, n: int, fps: float) -> np.ndarray:
        """The music time shown by each of ``n`` video frames, seconds."""
        return self.start_s + (np.arange(n) / fps * self.speed) % (self.end_s - self.start_s)


def _check_options(width, height, fps, camera) -> None:
    if not (isinstance(width, (int, np.integer)) and isinstance(height, (int, np.integer))) or width < 64 or height < 64:
        raise ParameterError(f"width and height must be integers >= 64; got {width!r} x {height!r}")
    if width % 2 or height % 2:
        raise ParameterError(f"width and height must be even for H.264 (yuv420p); got {width} x {height}")
    if not fps or fps <= 0:
        raise ParameterError(f"fps must be > 0; got {fps!r}")
    if camera not in CAMERA_MODES:
        raise ParameterError(f"camera must be one of {', '.join(CAMERA_MODES)}; got {camera!r}")


def _sample_positions(motion: Motion, times_s: np.ndarray) -> np.ndarray:
    """Joint positions at ``times_s`` (linear between frames, held at the ends), (N, 24, 3)."""
    pos = motion.positions()
    f = np.clip(np.asarray(times_s, dtype=float) * motion.fps, 0.0, motion.n_frames - 1)
    i0 = np.floor(f).astype(int)
    i1 = np.minimum(i0 + 1, motion.n_frames - 1)
    w = (f - i0)[:, None, None]
    return pos[i0] * (1 - w) + pos[i1] * w


def build_scene(motion: Motion, *, duration_s: float | None = None, music_map=None, captions: Sequence[Caption] = (),
                width: int = 1280, height: int = 720, fps: float = 30, camera: str = "audience",
                stage: Stage | None = None, clip: Clip | None = None) -> Scene:
    """Precompute poses, cameras and the overlay timeline for a whole video (or a ``clip``) on ``stage``."""
    _check_options(width, height, fps, camera)
    stage = Stage() if stage is None else stage
    if not isinstance(stage, Stage):
        raise ParameterError(f"stage must be a kanat.body.stage.Stage, got {stage!r}")
    if motion.n_frames < 1:
        raise ParameterError("motion has no frames; nothing to render")
    if duration_s is None:
        duration_s = music_map.duration_s if music_map is not None else motion.duration_s
    n = max(1, int(round((clip.duration_s if clip else duration_s) * fps)))
    times = clip.music_times(n, fps) if clip else np.arange(n) / fps
    positions = _sample_positions(motion, times)
    if camera == "split":
        half = width // 2
        panes = [Pane(camera_path(positions, fps, mode=m, width=half, height=height, stage=stage, x0=x0),
                      (x0, 0, x0 + half, height)) for m, x0 in (("audience", 0), ("side", half))]
    else:
        panes = [Pane(camera_path(positions, fps, mode=camera, width=width, height=height, stage=stage),
                      (0, 0, width, height))]
    return Scene(width=int(width), height=int(height), fps=float(fps), positions=positions, panes=panes,
                 timeline=Timeline.build(duration_s, music_map, captions), stage=stage, times_s=times)



# --------------------------------------------------------------- public API
def render_frame(motion: Motion, frame_index: int, *, audio_path=None, music_map=None, captions: Sequence[Caption] = (),
                 width: int = 1280, height: int = 720, fps: float = 30, camera: str = "audience",
                 stage: Stage | None = None) -> np.ndarray:
    """Draw one video frame.

    Parameters
    ----------
    motion : Motion
    frame_index : int
        Video frame, at ``fps``; frame k shows time k / fps seconds.
    audio_path, music_map, captions, width, height, fps, camera, stage
        As in :func:`render_video` (the audio only sets the video's length,
        which the progress bar and the camera framing depend on).

    Returns
    -------
    frame : np.ndarray, shape (height, width, 3), uint8
        RGB.
    """
    duration = audio_duration_s(audio_path) if audio_path is not None else None
    scene = build_scene(motion, duration_s=duration, music_map=music_map, captions=captions,
                        width=width, height=height, fps=fps, camera=camera, stage=stage)
    if not 0 <= frame_index < scene.n_frames:
        raise ParameterError(f"frame_index must be in 0..{scene.n_frames - 1}; got {frame_index}")
    return _Painter(width, height).draw(scene, int(frame_index))[..., :3].copy()


def render_stills(motion: Motion, out_dir, times_s: Sequence[float], *, audio_path=None, music_map=None,
                  captions: Sequence[Caption] = (), width: int = 1280, height: int = 720, fps: float = 30,
                  camera: str = "audience", stage: Stage | None = None) -> list[Path]:
    """Write PNG stills of the video at ``times_s`` (seconds) into ``out_dir``.

    Returns the written paths, named ``frame_<time in ms>.png``.
    """
    duration = audio_duration_s(audio_path) if audio_path is not None else None
    scene = build_scene(motion, duration_s=duration, music_map=music_map, captions=captions,
                        width=width, height=height, fps=fps, camera=camera, stage=stage)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    painter = _Painter(width, height)
    paths = []
    for t in times_s:
        k = int(np.clip(round(float(t) * scene.fps), 0, scene.n_frames - 1))
        painter.draw(scene, k)
        img = painter.surface.makeImageSnapshot()
        path = out_dir / f"frame_{int(round(float(t) * 1000)):07d}.png"
        with atomic_path(path) as tmp:
            img.save(str(tmp), skia.kPNG)
        paths.append(path)
    return paths


def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary that imageio-ffmpeg ships."""
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def audio_duration_s(audio_path) -> float:
    """Duration of an audio file in seconds, from ffmpeg's reading of its header."""
    path = Path(audio_path)
    if not path.is_file():
        raise AudioError(f"audio file {str(path)!r} does not exist; check the path")
    proc = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, errors="replace")
    m = re.search(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)", proc.stderr)
    if not m or "Audio:" not in proc.stderr:
        raise AudioError(f"{path}: ffmpeg finds no audio stream with a duration in this file; is it audio?")
    h, mi, s = m.groups()
    duration = int(h) * 3600 + int(mi) * 60 + float(s)
    if duration <= 0:
        raise AudioError(f"{path}: the audio is empty (duration {duration} s)")
    return duration


_CLIP_RATE = 48000


def _clip_filter(clip: Clip) -> str:
    """ffmpeg audio filter: the clip's part of the music, slowed with its pitch kept (atempo), looped."""
    tempo = []
    left = clip.speed
    while left < 0.5 - 1e-9:  # atempo takes 0.5-2 at a time
        tempo.append("atempo=0.5")
        left /= 0.5
    tempo.append(f"atempo={left:.6g}")
    size = int(round((clip.end_s - clip.start_s) / clip.speed * _CLIP_RATE))
    return (f"[1:a]atrim=start={clip.start_s:.4f}:end={clip.end_s:.4f},asetpts=PTS-STARTPTS,{','.join(tempo)},"
            f"aresample={_CLIP_RATE},aloop=loop={clip.loop - 1}:size={size},asetpts=N/SR/TB[a]")


def _ffmpeg_command(out: Path, width: int, height: int, fps: float, duration_s: float, audio_path,
                    clip: Clip | None = None) -> list[str]:
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
           "-f", "rawvideo", "-pix_fmt", "rgb0", "-s", f"{width}x{height}", "-r", f"{fps:g}", "-i", "pipe:0"]
    if audio_path is not None:
        cmd += ["-i", str(audio_path)]
    cmd += ["-map", "0:v:0"]
    if audio_path is not None and clip is not None:
        cmd += ["-filter_complex", _clip_filter(clip), "-map", "[a]", "-c:a", "aac", "-b:a", "192k"]
    elif audio_path is not None:
        cmd += ["-map", "1:a:0", "-c:a", "aac", "-b:a", "192k"]
    cmd += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "22", "-pix_fmt", "yuv420p",
            "-movflags", "+faststart", "-t", f"{duration_s:.3f}", str(out)]
    return cmd


def render_video(motion: Motion, out_path, *, audio_path=None, music_map=None, captions: Sequence[Caption] = (),
                 width: int = 1280, height: int = 720, fps: float = 30, camera: str = "audience",
                 stage: Stage | None = None, clip: Clip | None = None, workers: int | None = None,
                 progress: ProgressFn | None = None) -> Path:
    """Render the dance as an MP4 with the music and the counts on screen.

    Parameters
    ----------
    motion : Motion
        The dance (any frame rate; sampled at ``fps``).
    out_path : str or PathLike
        The ``.mp4`` to write (atomically).
    audio_path : str or PathLike, optional
        The music; muxed as AAC, and it decides the video's length.
    music_map : MusicMap, optional
        Beats, counts, phrases and sections for the overlays.
    captions : sequence of Caption
        The steps, shown on screen while danced and in the phrase strip.
    width, height : int
        Frame size in pixels, even (1280 x 720 by default).
    fps : float
        Video frame rate.
    camera : {"audience", "mirror", "side", "three-quarter", "split", "follow"}
        The view (:data:`kanat.render.camera.CAMERA_MODES`); see :func:`kanat.render.camera.camera_path`.
    stage : Stage, optional
        The floor to draw and frame: the brief's stage (default 10 x 8 m).
    clip : Clip, optional
        Only this part of the dance (and of the music), looped and slowed for learning.
    workers : int, optional
        Drawing processes (default :func:`default_workers`; 1 draws in this process).
    progress : callable(fraction, message), optional
        Called as frames reach the encoder, fraction in [0, 1].

    Returns
    -------
    Path
        ``out_path``.
    """
    _check_options(width, height, fps, camera)
    out_path = Path(out_path)
    duration = audio_duration_s(audio_path) if audio_path is not None else None
    scene = build_scene(motion, duration_s=duration, music_map=music_map, captions=captions,
                        width=width, height=height, fps=fps, camera=camera, stage=stage, clip=clip)
    duration = scene.n_frames / scene.fps if duration is None or clip is not None else duration
    workers = max(1, int(workers or default_workers()))
    n = scene.n_frames
    report = progress or (lambda f, m: None)
    report(0.0, f"rendering {n} frames on {workers} worker(s)")

    with atomic_path(out_path, suffix=".mp4") as tmp, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(_ffmpeg_command(tmp, width, height, fps, duration, audio_path, clip),
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=err)
        _grow_pipe(proc.stdin)
        try:
            for k in _encode_frames(scene, proc.stdin, workers):
                if k % 10 == 9 or k == n - 1:
                    report((k + 1) / n, f"frame {k + 1}/{n}")
            proc.stdin.close()
            rc = proc.wait()
        except BrokenPipeError:
            rc = proc.wait() or -1  # ffmpeg stopped reading: never a complete video
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if rc != 0:
            err.seek(0)
            msg = err.read().decode("utf-8", "replace").strip()[-1500:]
            raise RenderError(f"ffmpeg failed writing {out_path} (exit {rc}): {msg or 'no message'}")
    report(1.0, f"wrote {out_path}")
    return out_path


def _grow_pipe(stream) -> None:
    """Ask Linux for a 1 MiB pipe to ffmpeg (fewer wake-ups per 3.7 MB frame)."""
    try:
        import fcntl

        fcntl.fcntl(stream.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):
        pass
