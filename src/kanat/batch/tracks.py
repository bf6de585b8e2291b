"""The tracks of a batch: found, named, keyed, and marked done.

Conventions
-----------
- A batch's source is a folder (searched recursively for music files) or a
  text file listing one music file per line (relative paths are relative to
  the list's folder; blank lines and lines starting with ``#`` are skipped).
- Each track gets a folder ``OUT/tracks/NAME``: NAME is the track's path
  below the music folder (or its file name for a list) with ``/`` turned into
  ``__`` and its suffix dropped; a clash gets ``-2``, ``-3`` ...
- A track's *key* is the SHA-256 of its audio's bytes and of the options
  (the brief's settings, the video options, kanat's version): a rerun skips a
  track whose folder holds ``batch.json`` with the same key.
- ``batch.json`` is written last, so a folder without it is not finished.
- A track that failed on its input (a corrupt file: the same bytes fail the
  same way) is remembered in ``OUT/tracks/.failed/NAME.json`` with its key,
  so a rerun does not try it again until the file or the options change. A
  track whose worker died is not remembered: a rerun tries it again.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from kanat.errors import ParameterError
from kanat.files import read_json, write_json

MUSIC_SUFFIXES = (".wav", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff")
MARKER = "batch.json"
MARKER_VERSION = 1


@dataclass
class Track:
    """One music file of the batch.

    Attributes
    ----------
    name : str
        The track's folder name under ``OUT/tracks``.
    path : Path
        The music file (absolute).
    audio_sha256 : str
        The digest of its bytes; "" when it could not be read.
    key : str
        The resume key (audio and options); "" when it could not be read.
    problem : str
        Why the track cannot be danced before any work ("" when it can).
    """

    name: str
    path: Path
    audio_sha256: str = ""
    key: str = ""
    problem: str = ""


def find_tracks(source: str | Path, *, out_dir: Path | None = None) -> list[Path]:
    """The music files of ``source`` (a folder or a list file), in a stable order."""
    src = Path(source)
    if src.is_dir():
        out = out_dir.resolve() if out_dir is not None else None
        found = sorted(p for p in src.rglob("*") if p.suffix.lower() in MUSIC_SUFFIXES and p.is_file()
                       and not (out is not None and out in p.resolve().parents))
        if not found:
            raise ParameterError(f"{str(src)!r} holds no music files ({', '.join(MUSIC_SUFFIXES)}); "
                                 "give a folder of music or a text file listing one track per line")
        return [p.resolve() for p in found]
    if not src.exists():
        raise ParameterError(f"{str(src)!r} does not exist; give a folder of music or a text file listing tracks")
    if src.suffix.lower() in MUSIC_SUFFIXES:
        raise ParameterError(f"{str(src)!r} is one music file; for one track use 'kanat choreograph', "
                             "for a batch give a folder or a text file listing tracks")
    try:
        text = src.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as exc:
        raise ParameterError(f"{str(src)!r} is not a readable text list of tracks ({exc}); "
                             "give a folder of music or a UTF-8 text file with one path per line") from None
    paths = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            p = Path(line).expanduser()
            paths.append((p if p.is_absolute() else src.parent / p).resolve())
    if not paths:
        raise ParameterError(f"{str(src)!r} lists no tracks; write one music file per line")
    return paths


def name_tracks(paths: list[Path], root: Path | None) -> list[Track]:
    """A folder name for each path (unique, filesystem-safe)."""
    tracks, used = [], set()
    for p in paths:
        rel = p.relative_to(root.resolve()) if root is not None and root.resolve() in p.parents else Path(p.name)
        base = re.sub(r"[^\w.\-]+", "_", "__".join(rel.with_suffix("").parts)).strip("._") or "track"
        name, k = base, 2
        while name.lower() in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name.lower())
        tracks.append(Track(name=name, path=p))
    return tracks


def options_text(options: dict) -> str:
    """The options as the canonical text hashed into every key."""
    return json.dumps(options, sort_keys=True, ensure_ascii=False, default=str)


def key_tracks(tracks: list[Track], options: dict) -> None:
    """Fill each track's digest and key; a file that cannot be read gets a ``problem``."""
    opts = options_text(options).encode("utf-8")
    for t in tracks:
        try:
            h = hashlib.sha256()
            with open(t.path, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
        except FileNotFoundError:
            t.problem = f"music file {str(t.path)!r} does not exist; check the list or the folder"
            continue
        except OSError as exc:
            t.problem = f"music file {str(t.path)!r} cannot be read ({exc.strerror or exc})"
            continue
        t.audio_sha256 = h.hexdigest()
        t.key = hashlib.sha256(t.audio_sha256.encode("ascii") + b"\n" + opts).hexdigest()


def finished_row(track_dir: Path, key: str) -> dict | None:
    """The catalogue row saved with a finished track whose key is ``key``, else None."""
    data = _read_marker(track_dir / MARKER)
    if data is None or data.get("key") != key:
        return None
    row = data.get("row")
    return row if isinstance(row, dict) else None


def write_marker(track_dir: Path, track: Track, options: dict, row: dict) -> Path:
    """``batch.json``: the key, the options and the row: written last, it marks the track finished."""
    return write_json(track_dir / MARKER, {
        "format_version": MARKER_VERSION, "key": track.key, "audio_sha256": track.audio_sha256,
        "source": str(track.path), "options": options, "row": row,
    })


def failed_row(tracks_dir: Path, name: str, key: str) -> dict | None:
    """The row of a track that failed on its input in an earlier run with the same key, else None."""
    data = _read_marker(tracks_dir / ".failed" / f"{name}.json")
    return data["row"] if data is not None and data.get("key") == key and isinstance(data.get("row"), dict) else None


def write_failure(tracks_dir: Path, track: Track, row: dict) -> Path:
    """Remember that ``track`` failed on its input (its row says why)."""
    return write_json(tracks_dir / ".failed" / f"{track.name}.json",
                      {"format_version": MARKER_VERSION, "key": track.key, "row": row})


def forget_failure(tracks_dir: Path, name: str) -> None:
    (tracks_dir / ".failed" / f"{name}.json").unlink(missing_ok=True)


def _read_marker(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        data = read_json(path, kind="batch marker")
    except Exception:  # noqa: BLE001 - a damaged marker means: not known, do it again
        return None
    return data if data.get("format_version") == MARKER_VERSION else None
