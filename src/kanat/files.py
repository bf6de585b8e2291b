"""Small file helpers shared by every stage.

Every file kanat writes goes to a temporary name in the same folder first and
is renamed into place, so a failure never leaves half a file behind. The
temporary name, ``.STEM.kanat-tmp-PID-XXXX.SUFFIX``, carries the writer's
process id: one a killed run left behind is removed by the next run that
checks the folder (:func:`clean_stale_temps`). Any failure to write becomes
an :class:`~kanat.errors.OutputError` whose message names the path.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from kanat.errors import FormatError, OutputError, ParameterError

TEMP_MARK = ".kanat-tmp-"
_TEMP_RE = re.compile(r"^\..*\.kanat-tmp-(\d+)-")
STALE_AFTER_S = 24 * 3600.0  # a temporary file this old is stale whoever wrote it


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary file keeps ``path``'s suffix (or ``suffix``) so writers that
    choose a format from the name still work. On an exception the temporary
    file is removed and ``path`` is untouched.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}{TEMP_MARK}{os.getpid()}-", suffix=suffix or path.suffix,
                                   dir=path.parent)
    except OSError as exc:
        raise output_error(exc, path) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp_path, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, OSError) and not isinstance(exc, OutputError) and _is_write_error(exc):
            raise output_error(exc, path) from None
        raise


_WRITE_ERRNOS = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EISDIR, errno.ENOTDIR,
                 errno.EEXIST, errno.ENAMETOOLONG, errno.EFBIG, errno.ENOENT}


def _is_write_error(exc: OSError) -> bool:
    return exc.errno in _WRITE_ERRNOS


_REASONS = {
    errno.EACCES: "permission denied", errno.EPERM: "permission denied", errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up", errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a part of the path is a file, not a folder", errno.EEXIST: "a part of the path is a file",
    errno.ENAMETOOLONG: "the name is too long", errno.EFBIG: "the file is too large", errno.ENOENT: "no such folder",
}


def describe_os_error(exc: OSError) -> str:
    """A few plain words for an OS error ("permission denied", "the disk is full")."""
    return _REASONS.get(exc.errno, (exc.strerror or type(exc).__name__).lower())


def output_error(exc: OSError, path: str | os.PathLike, *, what: str = "write") -> OutputError:
    """``exc``, raised writing ``path``, as one line: what, where, what to do."""
    todo = "free some space or choose another place" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else \
        "choose another place"
    return OutputError(f"cannot {what} {str(path)!r}: {describe_os_error(exc)}; {todo}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process: alive
        return True
    return True


def clean_stale_temps(folder: str | os.PathLike) -> list[Path]:
    """Remove the temporary files a killed kanat left in ``folder``; return what was removed.

    A temporary file is stale when the process named in it is gone, or it is
    older than a day. Files of a run still going are left alone.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        m = _TEMP_RE.match(entry.name)
        if not m or entry.is_symlink():
            continue
        with contextlib.suppress(OSError):
            if not _alive(int(m.group(1))) or now - entry.stat().st_mtime > STALE_AFTER_S:
                if entry.is_dir():
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def staged_outputs(folder: str | os.PathLike) -> Iterator[Path]:
    """Yield a hidden folder inside ``folder`` to write a run's files into; move them all into ``folder`` at the end.

    On success every file written there replaces its namesake in ``folder``
    (one rename each, after all the work), so a failure or an interruption
    late in the run leaves ``folder`` as it was: all the new outputs, or none.
    The hidden folder is always removed (a killed run's is removed by the
    next run's :func:`clean_stale_temps`).
    """
    folder = Path(folder)
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".kanat-staging{TEMP_MARK}{os.getpid()}-", dir=folder))
    except OSError as exc:
        raise output_error(exc, folder) from None
    try:
        yield stage
        staged = sorted(stage.iterdir())
        for p in staged:  # everything that could stop the move is checked before the first file moves
            if (folder / p.name).is_dir() and not p.is_dir():
                raise OutputError(f"cannot write {str(folder / p.name)!r}: it is a folder; move it away or choose "
                                  "another place (-o)")
        for p in staged:
            try:
                os.replace(p, folder / p.name)
            except OSError as exc:
                raise output_error(exc, folder / p.name) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        for p in made:  # folders this run made, if still empty: the place is as it was
            with contextlib.suppress(OSError):
                p.rmdir()
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def moved_paths(files: dict[str, Path], stage: Path, folder: Path) -> dict[str, Path]:
    """``files`` written into ``stage`` as the paths they have in ``folder`` once moved."""
    return {name: (Path(folder) / Path(p).relative_to(stage)) if Path(p).is_relative_to(stage) else Path(p)
            for name, p in files.items()}


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
    if path.is_dir():
        raise FormatError(f"{kind} file {str(path)!r} is a folder; give the JSON file kanat wrote")
    if not path.is_file():
        raise FormatError(f"{kind} file {str(path)!r} does not exist; check the path")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FormatError(f"{path}: not a valid {kind} JSON file ({exc})") from None
    except OSError as exc:
        raise FormatError(f"cannot read {str(path)!r}: {describe_os_error(exc)}") from None
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


def check_not_edited(path: str | os.PathLike, new_text: str | None = None) -> str | None:
    """Raise if ``path`` holds a file a person edited since kanat wrote it (see :func:`write_text_guarded`).

    Returns the digest of what ``path`` holds now, None when there is no file.
    """
    path = Path(path)
    if not path.exists():
        return None
    mark = path.with_name(f".{path.name}.kanat-sha256")
    current = path.read_text(encoding="utf-8", errors="replace")
    known = set(mark.read_text().split()) if mark.is_file() else set()
    now = _digest(current)
    if now not in known and current != new_text:
        raise ParameterError(
            f"{path} has been edited since kanat wrote it (or was not written by kanat); kanat will not "
            "overwrite it. Re-perform it with 'kanat render', or write to another folder with -o"
        )
    return now


def write_text_guarded(path: str | os.PathLike, text: str) -> Path:
    """Write a file a person may edit, never overwriting their edits.

    Beside ``path`` kanat keeps ``.NAME.kanat-sha256``, the digest of what it
    last wrote. If ``path`` exists and differs from that (someone edited it,
    or kanat did not write it), nothing is written and a
    :class:`~kanat.errors.ParameterError` says what to do.
    """
    path = Path(path)
    before = check_not_edited(path, text)
    mark = path.with_name(f".{path.name}.kanat-sha256")
    # the two files change together: while the file is replaced, the mark knows both its old and new text,
    # so a crash between the writes never leaves kanat's own file taken for a person's edit
    write_text(mark, _digest(text) + (f"\n{before}" if before else "") + "\n")
    write_text(path, text)
    write_text(mark, _digest(text) + "\n")
    return path


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file (the same inode when both exist, else the same resolved path)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False


def _check_name(p: Path, option: str) -> None:
    """The path can be looked at: not too long, not a loop of symbolic links."""
    try:
        os.stat(p)
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ParameterError(f"{option} {str(p)!r} is a loop of symbolic links; give a real path") from None
        if exc.errno in (errno.ENAMETOOLONG, errno.EACCES):  # ENOTDIR: said better below, naming the file
            raise ParameterError(f"cannot write {option} {str(p)!r}: {describe_os_error(exc)}; "
                                 "choose another place") from None


def _check_not_input(p: Path, inputs: Iterable, option: str) -> None:
    for given in inputs:
        if given is not None and same_file(p, Path(given)):
            raise ParameterError(f"{option} {str(p)!r} is the input file itself; kanat never writes over its input: "
                                 "give a new name")


def _check_writable_ancestor(p: Path, option: str) -> None:
    """The nearest folder that exists above ``p`` is a folder and can be written (tried for real)."""
    for parent in p.parents:
        if not (parent.exists() or parent.is_symlink()):
            continue
        if not parent.is_dir():
            raise ParameterError(f"cannot write {option} {str(p)!r}: {str(parent)!r} is a file, not a folder; "
                                 "choose another place")
        try:
            fd, probe = tempfile.mkstemp(prefix=f".kanat-probe{TEMP_MARK}{os.getpid()}-", dir=parent)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise ParameterError(f"cannot write {option} {str(p)!r}: the folder {str(parent)!r} is not writable "
                                 f"({describe_os_error(exc)}); choose another place") from None
        return


def check_output_file(path: str | os.PathLike, *, suffixes: tuple[str, ...], what: str, option: str = "-o",
                      inputs: Iterable = (), example: str = "kanat") -> Path:
    """Check, before any work, that a file named ``path`` can be written.

    The right suffix, not one of ``inputs``, not a folder, not below a file,
    in a folder that can be written. ``what`` names the file in messages
    ("the gallery"), ``option`` the option that gave it. A missing folder is
    created when the file is written, as for every file kanat writes.
    """
    p = Path(path)
    _check_name(p, option)
    if p.parent.is_dir():
        clean_stale_temps(p.parent)
    _check_not_input(p, inputs, option)
    if p.is_dir():
        raise ParameterError(f"{option} {str(p)!r} is a folder; give a file name for {what}, "
                             f"such as {str(p / (example + suffixes[0]))!r}")
    if p.suffix.lower() not in suffixes:
        raise ParameterError(f"{option}: {what} must be a {' or '.join(suffixes)} file, got {str(p)!r}")
    _check_writable_ancestor(p, option)
    return p


def check_output_dir(path: str | os.PathLike, *, option: str = "-o", inputs: Iterable = ()) -> Path:
    """Check, before any work, that the folder ``path`` can hold kanat's files; clean what a killed run left there.

    Not one of ``inputs``, not a file, not below a file, and the nearest
    existing folder can be written. Nothing is created.
    """
    p = Path(path)
    _check_name(p, option)
    if p.is_dir():
        clean_stale_temps(p)
    _check_not_input(p, inputs, option)
    if p.exists() and not p.is_dir():
        raise ParameterError(f"{option} {str(p)!r} is a file; give a folder name (kanat writes several files into it)")
    if p.is_dir():
        _check_writable_ancestor(p / "x", option)
    else:
        _check_writable_ancestor(p, option)
    return p
