"""Small file helpers shared by every stage.

Every file kanat writes goes to a temporary name in the same folder first and
is renamed into place, so a failure never leaves half a file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

from kanat.errors import FormatError


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary file keeps ``path``'s suffix (or ``suffix``) so writers that
    choose a format from the name still work. On an exception the temporary
    file is removed and ``path`` is untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=suffix or path.suffix, dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(path: str | os.PathLike, data: Any) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    return write_text(path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")


def read_json(path: str | os.PathLike, *, kind: str) -> dict:
    """Read a JSON object from ``path``; ``kind`` names the file in error messages."""
    path = Path(path)
    if not path.is_file():
        raise FormatError(f"{kind} file {str(path)!r} does not exist; check the path")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path}: not a valid {kind} JSON file ({exc})") from None
    if not isinstance(data, dict):
        raise FormatError(f"{path}: a {kind} file must hold a JSON object, got {type(data).__name__}")
    return data


def check_version(data: dict, *, expected: int, kind: str, where: str) -> None:
    """Reject a saved file whose ``format_version`` this kanat does not understand."""
    version = data.get("format_version")
    if version != expected:
        raise FormatError(
            f"{where}: {kind} format_version {version!r} is not supported "
            f"(this kanat reads version {expected}); re-create the file with this kanat"
        )


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_not_edited(path: str | os.PathLike, new_text: str | None = None) -> None:
    """Raise if ``path`` holds a file a person edited since kanat wrote it (see :func:`write_text_guarded`)."""
    from kanat.errors import ParameterError

    path = Path(path)
    if not path.exists():
        return
    mark = path.with_name(f".{path.name}.kanat-sha256")
    current = path.read_text(encoding="utf-8", errors="replace")
    known = mark.read_text().strip() if mark.is_file() else None
    if _digest(current) != known and current != new_text:
        raise ParameterError(
            f"{path} has been edited since kanat wrote it (or was not written by kanat); kanat will not "
            "overwrite it. Re-perform it with 'kanat render', or write to another folder with -o"
        )


def write_text_guarded(path: str | os.PathLike, text: str) -> Path:
    """Write a file a person may edit, never overwriting their edits.

    Beside ``path`` kanat keeps ``.NAME.kanat-sha256``, the digest of what it
    last wrote. If ``path`` exists and differs from that (someone edited it,
    or kanat did not write it), nothing is written and a
    :class:`~kanat.errors.ParameterError` says what to do.
    """
    path = Path(path)
    check_not_edited(path, text)
    write_text(path, text)
    write_text(path.with_name(f".{path.name}.kanat-sha256"), _digest(text) + "\n")
    return path


def check_output_file(path: str | os.PathLike, *, suffixes: tuple[str, ...], what: str) -> Path:
    """Check, before any work, that a file named ``path`` can be written: the right suffix, not a folder, not below a file.

    ``what`` names the file in messages ("the gallery"). A missing folder is
    created when the file is written, as for every file kanat writes.
    """
    from kanat.errors import ParameterError

    p = Path(path)
    if p.suffix.lower() not in suffixes:
        raise ParameterError(f"{what} must be a {' or '.join(suffixes)} file, got {str(p)!r}")
    if p.is_dir():
        raise ParameterError(f"{str(p)!r} is a folder; give a file name for {what}, such as {str(p / ('x' + suffixes[0]))!r}")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ParameterError(f"cannot write {str(p)!r}: {str(parent)!r} is a file, not a folder")
            if not os.access(parent, os.W_OK):
                raise ParameterError(f"cannot write {str(p)!r}: the folder {str(parent)!r} is not writable")
            break
    return p
