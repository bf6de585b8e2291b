"""The listen stage: music in, a :class:`MusicMap` out.

``listen(path)`` finds the beats, the bars and their meter, the dancer's
counts, the phrases, the sections (with repeat letters) and the energy and
accent of every beat. This package never imports anything about bodies or
dance steps.

The names below are loaded on first use, so that reading a saved map
(``kanat.listen.musicmap``) or a hint (``kanat.listen.hints``) does not load
the analysis and librosa.
"""

from kanat.lazy import lazy_names

_LAZY = {"listen": "kanat.listen.analyze", "load_audio": "kanat.listen.audio", "MusicMap": "kanat.listen.musicmap"}

__all__ = ["MusicMap", "listen", "load_audio"]

__getattr__, __dir__ = lazy_names("kanat.listen", _LAZY, globals())
