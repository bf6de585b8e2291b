"""Helpers of the bad-input tests: run the command line in-process, demand one clear line, see that nothing changed."""

from __future__ import annotations

import hashlib
from pathlib import Path

from kanat.cli import main


def run(capfd, args) -> tuple[int, str]:
    """Exit status and stderr of ``kanat ARGS``."""
    code = main([str(a) for a in args])
    captured = capfd.readouterr()
    return code, captured.err


def one_line(err: str) -> str:
    """The one non-empty line of ``err`` (fails on none, several, or a traceback)."""
    assert "Traceback" not in err, err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("kanat: "), err
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (hidden ones too) with its digest, and every folder."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        key = str(p.relative_to(folder))
        out[key] = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "<dir>"
    return out


def refused(capfd, args, folder: Path, *words: str) -> str:
    """``kanat ARGS`` exits 2 with one line holding ``words``, and leaves ``folder`` exactly as it was."""
    before = snapshot(folder)
    code, err = run(capfd, args)
    line = one_line(err)
    assert code == 2, err
    for w in words:
        assert w.lower() in line.lower(), (w, line)
    assert snapshot(folder) == before, "a user file changed or a file was left behind"
    return line


def write_song(path: Path, seconds: float = 6.0, bpm: float = 120.0) -> Path:
    """A click track of known tempo (the shared conftest's) written as a wav file."""
    import importlib.util

    import soundfile as sf

    spec = importlib.util.spec_from_file_location("_kanat_root_conftest", Path(__file__).parent / "conftest.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    y, sr = mod.click_track(bpm, 4, seconds)
    sf.write(path, y, sr)
    return path


def substitution(old: str, new: str):
    """An edit of a file's text: the first ``old`` becomes ``new`` (and ``old`` must be there)."""
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return edit
