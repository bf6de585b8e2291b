"""Rendering a Motion for people: the dance video (and the counts sheet).

Needs only :class:`kanat.body.Motion` and, optionally, the
:class:`kanat.listen.MusicMap` and step captions; never imports
``kanat.perform`` or ``kanat.compose``.
"""

from kanat.render.camera import CAMERA_MODES, VIEWS, Camera, CameraPath, camera_path
from kanat.render.overlay import Caption
from kanat.render.video import Clip, RenderError, audio_duration_s, render_frame, render_stills, render_video

# from kanat.render.counts import write_counts_sheet  (added by the counts sheet's author)

__all__ = [
    "CAMERA_MODES", "VIEWS", "Camera", "CameraPath", "Caption", "Clip", "RenderError", "audio_duration_s", "camera_path",
    "render_frame", "render_stills", "render_video",
]
