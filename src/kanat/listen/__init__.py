"""The listen stage: music in, a :class:`MusicMap` out.

``listen(path)`` finds the beats, the bars and their meter, the dancer's
counts, the phrases, the sections (with repeat letters) and the energy and
accent of every beat. This package never imports anything about bodies or
dance steps.
"""

from kanat.listen.analyze import listen
from kanat.listen.audio import load_audio
from kanat.listen.musicmap import MusicMap

__all__ = ["MusicMap", "listen", "load_audio"]
