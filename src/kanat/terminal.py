"""The terminal under the command line: one-line messages, Ctrl+C and SIGTERM, libraries kept quiet.

Conventions
-----------
- kanat's own lines go to stderr, one per message, never wrapped.
- Ctrl+C and SIGTERM raise :class:`kanat.errors.Interrupted` in the main
  thread, so every ``finally`` and ``except BaseException`` cleans up on the
  way out; the old handlers come back afterwards.
- Unless ``--verbose``, Python warnings are ignored, log records below ERROR
  dropped, and file descriptor 2 (where C libraries such as mpg123 and child
  processes write) goes to a discarded file while kanat's lines still reach
  the terminal.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
import threading
import warnings
from contextlib import contextmanager

from kanat.errors import Interrupted


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def usage_line(exc) -> str:
    """A usage error (typer/click) as one line, with where to read more."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "kanat"
    return f"kanat: error: {one_line(exc.format_message())} (see '{where} --help')"


@contextmanager
def interrupts():
    """Ctrl+C and SIGTERM raise :class:`Interrupted` (so cleanup runs); the old handlers come back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Interrupted(signal.Signals(signum).name)

    old = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in old:
        signal.signal(s, stop)
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


@contextmanager
def quiet_libraries(verbose: bool):
    """Library warnings, log records and C libraries' notes (mpg123's) off the terminal unless ``--verbose``.

    Python warnings are ignored and log records below ERROR dropped; file
    descriptor 2, where C libraries and child processes write, goes to a
    discarded file while kanat's own lines go to the terminal's stderr.
    """
    if verbose:
        yield
        return
    with warnings.catch_warnings(), _fd2_discarded():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            yield
        finally:
            logging.disable(logging.NOTSET)


@contextmanager
def _fd2_discarded():
    try:
        own = sys.stderr.fileno() == 2  # kanat's lines use fd 2 itself: give them a copy of it
    except (AttributeError, OSError, ValueError):
        own = False
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):
        yield
        return
    old_stderr = sys.stderr
    with tempfile.TemporaryFile() as sink:
        if own:
            sys.stderr = open(os.dup(saved), "w", buffering=1, encoding=getattr(old_stderr, "encoding", None) or "utf-8",
                              errors="backslashreplace")
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            if own:
                sys.stderr.flush()
                sys.stderr.close()
                sys.stderr = old_stderr
            os.dup2(saved, 2)
            os.close(saved)
