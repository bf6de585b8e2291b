"""Errors the user can cause.

One base class, :class:`KanatError`; each subclass also derives from the
matching builtin so callers may catch either. Messages name what was received,
what was expected and what to do. Only the faces (``kanat.cli``, later the
studio) catch ``KanatError``: the command line prints the message and exits 2.
"""

from __future__ import annotations


class KanatError(Exception):
    """Base class of every error a user can cause."""


class ParameterError(KanatError, ValueError):
    """An argument has the wrong value or type."""


class AudioError(KanatError, OSError):
    """An audio file is missing, empty, unreadable or not audio."""


class FormatError(KanatError, ValueError):
    """A saved file (music.json, score.yaml, motion, steps) is malformed or of an unknown version."""


class ScoreError(FormatError):
    """A score cannot be composed or performed as written."""


class VocabularyError(FormatError):
    """A step file is malformed or names something unknown."""


class OutputError(KanatError, OSError):
    """A file or folder cannot be written (not writable, a file where a folder is needed, the disk full, ...)."""


class Interrupted(BaseException):
    """The user pressed Ctrl+C (or the run was sent SIGTERM); the faces print one line and exit 130.

    A ``BaseException``, like ``KeyboardInterrupt``, so cleanup (``finally``,
    ``except BaseException``) runs on the way out but no ``except Exception``
    swallows it.
    """
