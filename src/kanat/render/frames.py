"""The video's frames: the scene each worker draws from, the painter, and the pool of drawing processes.

It holds the :class:`Scene` (plain data, sent once to each worker), the
skia painter that draws frame ``k`` of it into an RGBA buffer, the worker
processes and their housekeeping (dying with the parent, letting go of a
server's listening sockets), and :func:`_encode_frames`, which draws every
frame in order and writes it to the encoder's stdin. :mod:`kanat.render.video`
builds the scene and runs ffmpeg.
"""

from __future__ import annotations

import collections
import contextlib
import mmap
import multiprocessing
import os
from dataclasses import dataclass

import numpy as np
import skia

from kanat.body.stage import Stage
from kanat.render.camera import CameraPath
from kanat.render.draw import draw_body, draw_shadow
from kanat.render.floor import backdrop, draw_stage
from kanat.render.overlay import Timeline, draw_overlays
from kanat.render.plan import TRAIL_S, draw_plan


@dataclass
class Pane:
    """One view in the frame: its cameras and its rectangle ``(x0, y0, x1, y1)`` in pixels."""

    cameras: CameraPath
    rect: tuple


@dataclass
class Scene:
    """Everything needed to draw any frame; plain data, sent once to each worker.

    positions : np.ndarray, shape (N, 24, 3)
        World joint positions at the video frame rate, metres.
    panes : list of Pane
        The views drawn (one; two side by side for "split"), one camera per frame each.
    timeline : Timeline
        Beats, phrases, sections, captions for the overlays.
    stage : Stage
        The floor drawn (the one the dance was composed on).
    times_s : np.ndarray, shape (N,)
        The music time each frame shows (``k / fps`` unless a clip is exported).
    """

    width: int
    height: int
    fps: float
    positions: np.ndarray
    panes: list
    timeline: Timeline
    stage: Stage
    times_s: np.ndarray

    @property
    def cameras(self) -> CameraPath:
        """The first pane's cameras."""
        return self.panes[0].cameras

    @property
    def n_frames(self) -> int:
        return int(self.positions.shape[0])



class _Painter:
    """A skia surface over an RGBA buffer (its own, or a slot of a shared ring)."""

    def __init__(self, width: int, height: int, buf: np.ndarray | None = None):
        self.buf = np.zeros((height, width, 4), dtype=np.uint8) if buf is None else buf
        self.surface = skia.Surface(self.buf, colorType=skia.kRGBA_8888_ColorType, alphaType=skia.kPremul_AlphaType)
        self.backdrop = backdrop(width, height)

    def draw(self, scene: Scene, k: int) -> np.ndarray:
        """Draw frame ``k`` into the buffer and return it, shape (H, W, 4)."""
        canvas = self.surface.getCanvas()
        pose = scene.positions[k]
        np.copyto(self.buf, self.backdrop)
        split = len(scene.panes) > 1
        for pane in scene.panes:
            cam = pane.cameras[k]
            if split:
                canvas.save()
                canvas.clipRect(skia.Rect.MakeLTRB(*pane.rect))
            draw_stage(canvas, cam, scene.stage)
            draw_shadow(canvas, cam, pose)
            draw_body(canvas, cam, pose)
            if split:
                canvas.restore()
        if split:
            x = float(scene.panes[1].rect[0])
            canvas.drawRect(skia.Rect.MakeLTRB(x - 1.5, 0, x + 1.5, scene.height), skia.Paint(Color=0xFFF4F5F7))
        draw_overlays(canvas, scene.timeline, float(scene.times_s[k]), scene.width, scene.height)
        trail = scene.positions[max(0, k - int(TRAIL_S * scene.fps)):k + 1:2, 0][:, [0, 2]]
        draw_plan(canvas, scene.stage, trail, pose, scene.width, scene.height)
        return self.buf


# ------------------------------------------------------------ worker side
# With the fork start method the frames travel through a ring of slots in an
# anonymous shared mapping made before the pool starts: a worker draws frame k
# straight into slot k % n_slots and returns only k; the parent writes the
# slot to ffmpeg. Elsewhere (spawn) a worker returns the frame's bytes.
_WORKER: dict = {}


def _slot_views(ring, n_slots: int, width: int, height: int) -> list[np.ndarray]:
    frame = width * height * 4
    return [np.frombuffer(ring, dtype=np.uint8, count=frame, offset=i * frame).reshape(height, width, 4)
            for i in range(n_slots)]


def _die_with_parent() -> None:
    """A worker ends quietly with the run: Ctrl+C is the parent's to handle, SIGTERM ends it, so does the parent's death.

    A forked worker also lets go of any listening socket it inherited (a server's), so it can never keep a port.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _close_listening_sockets()
    with contextlib.suppress(Exception):  # Linux only: SIGKILL when the parent dies, even by SIGKILL
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(0)


def _close_listening_sockets() -> None:
    """Close the listening sockets this process holds (Linux: from /proc/self/fd); the pool's own pipes stay."""
    import socket
    import stat

    with contextlib.suppress(OSError):
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            with contextlib.suppress(OSError):
                if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                    continue
                with socket.socket(fileno=os.dup(fd)) as s:
                    listening = s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                if listening:
                    os.close(fd)


def _worker_init(scene: Scene, ring=None, n_slots: int = 0) -> None:
    _die_with_parent()
    _WORKER["scene"] = scene
    if ring is not None:
        views = _slot_views(ring, n_slots, scene.width, scene.height)
        _WORKER["slots"] = [_Painter(scene.width, scene.height, v) for v in views]
    else:
        _WORKER["painter"] = _Painter(scene.width, scene.height)


def _worker_draw(k: int) -> int | bytes:
    scene = _WORKER["scene"]
    if "slots" in _WORKER:
        slots = _WORKER["slots"]
        slots[k % len(slots)].draw(scene, k)
        return k
    return _WORKER["painter"].draw(scene, k).tobytes()



def default_workers() -> int:
    """Drawing processes: one per CPU this process may use, less one for the encoder (so 1 on 2 cores).

    On two cores one process drawing while ffmpeg encodes beats two drawing
    processes fighting ffmpeg for the cores (``benchmarks/render.py``).
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, cpus - 1)



def _encode_frames(scene: Scene, sink, workers: int):
    """Draw every frame in order and write it to ``sink``; yields each frame index as written."""
    n = scene.n_frames
    if workers == 1 or n < 4:
        painter = _Painter(scene.width, scene.height)
        for k in range(n):
            sink.write(painter.draw(scene, k).data)
            yield k
        return
    if "fork" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("fork")
        n_slots = 3 * workers
        ring = mmap.mmap(-1, n_slots * scene.width * scene.height * 4)
        views = _slot_views(ring, n_slots, scene.width, scene.height)
        try:
            with ctx.Pool(workers, initializer=_worker_init, initargs=(scene, ring, n_slots)) as pool:
                pending = collections.deque(pool.apply_async(_worker_draw, (k,)) for k in range(min(n_slots, n)))
                for k in range(n):
                    pending.popleft().get()
                    sink.write(views[k % n_slots].data)  # the slot is free once written
                    if k + n_slots < n:
                        pending.append(pool.apply_async(_worker_draw, (k + n_slots,)))
                    yield k
        finally:
            del views
            with contextlib.suppress(BufferError):
                ring.close()
        return
    window = 3 * workers  # frames in flight, so memory stays bounded
    with multiprocessing.get_context().Pool(workers, initializer=_worker_init, initargs=(scene,)) as pool:
        pending = collections.deque(pool.apply_async(_worker_draw, (k,)) for k in range(min(window, n)))
        for k in range(n):
            sink.write(pending.popleft().get())
            if k + window < n:
                pending.append(pool.apply_async(_worker_draw, (k + window,)))
            yield k
