"""Short synthetic music files for tests that need whole tracks (batch): the listen tests' click tracks, on disk."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_LISTEN_KIT = Path(__file__).resolve().parents[1] / "listen" / "conftest.py"


def _listen_kit():
    spec = importlib.util.spec_from_file_location("kanat_tests_listen_kit", _LISTEN_KIT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_click_track(path: Path, *, bpm: float, meter: int, bars: int = 4, seed: int = 0) -> Path:
    """A metronome in ``meter`` at ``bpm`` (accented downbeats), ``bars`` bars, as a 22.05 kHz wav file."""
    import soundfile as sf

    kit = _listen_kit()
    y, _beats, _downs = kit.accented_click_track(bpm, meter, bars=bars, seed=seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(str(path), y, kit.SR)
    return path


def write_corrupt_wav(path: Path) -> Path:
    """A file named .wav that starts like one and then is not audio."""
    path = Path(path)
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00\x01" * 40)
    return path
