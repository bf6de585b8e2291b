"""Receiving a music upload: multipart streamed to disk, refused past the size limit, checked as audio.

The user's file name is kept for display only; the stored file is named by
kanat (``music.<format>``). Refusals: 400 a bad name or request, or an upload
cut short (the multipart body ends before its closing boundary, or before the
length its Content-Length announced), 413 too big, 415 not audio
(kanat.listen.audio's own check and message). A refused upload leaves nothing
on disk.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import Request

from kanat.errors import AudioError
from kanat.studio.context import no

DEFAULT_MAX_UPLOAD = 200 * 1024 * 1024

#: What a cut-short upload is told (400).
CUT_SHORT = ("the upload of {name} was cut short ({why}); nothing was kept: check the connection and upload the "
             "file again")


def check_file_name(name: str) -> str:
    """The user's file name, for display only; names with folders or control characters are refused."""
    if not name:
        no(400, "the upload has no file name; choose a music file (wav, flac, ogg or mp3)")
    if "/" in name or "\\" in name or ".." in name or any(ord(c) < 32 for c in name) or len(name) > 255:
        no(400, f"file name {name!r} is refused: it names a folder or climbs out of one ('/', '\\' or '..'); "
                "rename the file to a plain name like song.wav and upload it again")
    return name


def too_big(size: int | None, limit: int) -> str:
    got = f" ({size / 2**20:.0f} MB)" if size else ""
    return (f"the music file is too big{got}: the studio takes at most {limit / 2**20:.0f} MB; "
            "export a shorter piece or a compressed format (ogg or mp3)")


def check_request(request: Request, max_bytes: int) -> bytes:
    """The multipart boundary of ``request``; 400 when it is not multipart, 413 when its length is over the limit."""
    from python_multipart.multipart import parse_options_header

    ctype, opts = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in opts:
        no(400, "send the music as multipart/form-data with one file field named 'music'")
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes + 64 * 1024:
        no(413, too_big(int(length), max_bytes))
    return opts[b"boundary"]


class _FirstFile:
    """Multipart callbacks that write the first file part to ``fh``, counting its bytes against ``max_bytes``."""

    def __init__(self, fh, max_bytes: int):
        self.fh, self.max_bytes = fh, max_bytes
        self.name: str | None = None
        self.headers: dict = {}
        self.field = self.value = b""
        self.in_file = False
        self.size = self.files = 0
        self.too_big = False
        self.file_ended = self.ended = False  # the file part's closing boundary, the body's closing boundary

    def callbacks(self) -> dict:
        return {"on_header_field": self.on_header_field, "on_header_value": self.on_header_value,
                "on_header_end": self.on_header_end, "on_headers_finished": self.on_headers_finished,
                "on_part_data": self.on_part_data, "on_part_end": self.on_part_end, "on_end": self.on_end}

    def on_header_field(self, data, start, end):
        self.field += data[start:end]

    def on_header_value(self, data, start, end):
        self.value += data[start:end]

    def on_header_end(self):
        self.headers[self.field.lower()] = self.value
        self.field = self.value = b""

    def on_headers_finished(self):
        from python_multipart.multipart import parse_options_header

        _disp, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        fname = params.get(b"filename")
        self.in_file = fname is not None and self.files == 0
        if self.in_file:
            self.files += 1
            self.name = fname.decode("utf-8", "replace")

    def on_part_data(self, data, start, end):
        if self.in_file and not self.too_big:
            self.size += end - start
            if self.size > self.max_bytes:
                self.too_big = True
            else:
                self.fh.write(data[start:end])

    def on_part_end(self):
        if self.in_file:
            self.file_ended = True
        self.in_file = False
        self.headers = {}

    def on_end(self):
        self.ended = True


def check_complete(part: _FirstFile, received: int, length: str | None, disconnected: bool) -> None:
    """400 unless the whole upload arrived: its Content-Length in full, the file part and the body closed."""
    name = repr(part.name) if part.name else "the music"
    if disconnected:
        no(400, CUT_SHORT.format(name=name, why="the connection closed before the end"))
    if length and length.isdigit() and received < int(length):
        no(400, CUT_SHORT.format(name=name, why=f"{received} of the {int(length)} bytes announced arrived"))
    if not (part.file_ended and part.ended):
        no(400, CUT_SHORT.format(name=name, why="the request ends before the file's closing boundary"))


async def receive(request: Request, folder: Path, max_bytes: int) -> tuple[str, str]:
    """Store the upload's first file in ``folder`` (made here, removed on any refusal).

    Returns
    -------
    name : str
        The user's file name, checked, for display.
    stored : str
        The stored file's name in ``folder``: ``music.<format>``.
    """
    boundary = check_request(request, max_bytes)
    folder.mkdir(parents=True)
    try:
        return await _receive(request, folder, boundary, max_bytes)
    except BaseException:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        raise


async def _receive_file(request: Request, tmp: Path, boundary: bytes, max_bytes: int) -> str:
    """Stream the upload's first file into ``tmp``; the user's file name, checked."""
    from python_multipart import MultipartParser
    from python_multipart.exceptions import MultipartParseError
    from starlette.requests import ClientDisconnect

    received, disconnected = 0, False
    with open(tmp, "wb") as fh:
        part = _FirstFile(fh, max_bytes)
        parser = MultipartParser(boundary, part.callbacks())
        checked = False
        try:
            async for chunk in request.stream():
                received += len(chunk)
                parser.write(chunk)
                if part.too_big:
                    break
                if part.name is not None and not checked:
                    checked = True
                    check_file_name(part.name)  # refuse a bad name before storing the rest
        except ClientDisconnect:
            disconnected = True
        except MultipartParseError as exc:
            no(400, f"the upload is not valid multipart/form-data ({exc}); upload the file again from the page")
    if part.too_big:
        no(413, too_big(None, max_bytes))
    if part.name is None and not disconnected:
        no(400, "the upload holds no file; send the music in a file field named 'music'")
    check_complete(part, received, request.headers.get("content-length"), disconnected)
    return check_file_name(part.name)


async def _receive(request: Request, folder: Path, boundary: bytes, max_bytes: int) -> tuple[str, str]:
    tmp = folder / ".upload.part"
    name = await _receive_file(request, tmp, boundary, max_bytes)
    from kanat.listen.audio import check_file, sniff_format

    try:
        check_file(tmp)
    except AudioError as exc:
        no(415, str(exc).replace(str(tmp), name))
    kind = sniff_format(tmp.open("rb").read(16)) or "audio"
    stored = f"music.{kind}"  # the name is kanat's, never the user's
    os.replace(tmp, folder / stored)
    return name, stored


#: The sheet music the studio takes, by extension: what its first bytes must look like.
SHEET_KINDS = {".mid": b"MThd", ".midi": b"MThd", ".mxl": b"PK", ".musicxml": b"<", ".xml": b"<"}
MAX_SHEET_BYTES = 8 * 2**20


async def receive_sheet(request: Request, folder: Path) -> tuple[str, str]:
    """Store an uploaded MIDI or MusicXML score in the project's ``folder`` as ``sheet.<ext>``; (name, stored)."""
    boundary = check_request(request, MAX_SHEET_BYTES)
    tmp = folder / ".sheet.part"
    try:
        name = await _receive_file(request, tmp, boundary, MAX_SHEET_BYTES)
        ext = Path(name).suffix.lower()
        if ext not in SHEET_KINDS:
            no(415, f"{name!r} is not sheet music kanat reads: upload the piece's MIDI (.mid) or MusicXML "
                    "(.musicxml, .xml, .mxl)")
        head = tmp.open("rb").read(256).lstrip(b"\xef\xbb\xbf \t\r\n")
        if not head.startswith(SHEET_KINDS[ext]):
            no(415, f"{name!r} is named {ext} but is not a {'MIDI' if 'mid' in ext else 'MusicXML'} file; "
                    "export the score again from your notation program")
        for old in folder.glob("sheet.*"):
            old.unlink()
        stored = f"sheet{ext}"
        os.replace(tmp, folder / stored)
        return name, stored
    finally:
        tmp.unlink(missing_ok=True)
