"""The text of a BVH file: its HIERARCHY and MOTION sections parsed, every fault named by file and line.

:mod:`kanat.formats.bvh` turns what is parsed here into kanat's Motion; this
module knows only the file's grammar (tokens, joints, channels, frames) and
the bounds on a take (frame time, frame count, duration) that keep a damaged
header from asking for hours of frames or gigabytes of memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from kanat.body.skeleton import JOINT_NAMES
from kanat.errors import FormatError


@dataclass
class Joint:
    name: str
    parent: int
    offset: np.ndarray
    channels: list[str] = field(default_factory=list)
    line: int = 0
    end: np.ndarray | None = None


_ALIASES = {"toe": "foot", "thorax": "collar", "palm": "hand"}


def canonical_name(name: str) -> str | None:
    """The SMPL name a BVH joint name stands for (``L_Hip`` -> ``left_hip``), or None."""
    n = re.sub(r"[\s\-.]+", "_", name.strip()).lower()
    m = re.match(r"^(left|right|l|r)_?(.+)$", n)
    if m:
        side = "left" if m.group(1) in ("l", "left") else "right"
        n = f"{side}_{_ALIASES.get(m.group(2), m.group(2))}"
    return n if n in JOINT_NAMES else None


class Tokens:
    def __init__(self, lines: list[str], where: str):
        self.items: list[tuple[str, int]] = []
        for no, line in enumerate(lines, start=1):
            self.items += [(t, no) for t in line.replace("{", " { ").replace("}", " } ").split()]
        self.pos = 0
        self.where = where

    def next(self, expected: str | None = None) -> tuple[str, int]:
        if self.pos >= len(self.items):
            last = self.items[-1][1] if self.items else 1
            raise FormatError(
                f"{self.where} line {last}: the HIERARCHY ends early"
                + (f" (expected {expected!r})" if expected else "")
                + "; the file is truncated or not a BVH file"
            )
        tok = self.items[self.pos]
        self.pos += 1
        if expected is not None and tok[0].upper() != expected.upper():
            raise FormatError(f"{self.where} line {tok[1]}: expected {expected!r}, got {tok[0]!r}; not a valid BVH hierarchy")
        return tok

    def numbers(self, n: int) -> np.ndarray:
        vals = []
        for _ in range(n):
            tok, no = self.next()
            try:
                vals.append(float(tok))
            except ValueError:
                raise FormatError(f"{self.where} line {no}: expected a number, got {tok!r}") from None
            if not np.isfinite(vals[-1]):
                raise FormatError(f"{self.where} line {no}: expected a finite number, got {tok!r}")
        return np.array(vals)


def parse_hierarchy(tokens: Tokens) -> list[Joint]:
    joints: list[Joint] = []
    tok, no = tokens.next()
    if tok.upper() != "ROOT":
        raise FormatError(f"{tokens.where} line {no}: expected 'ROOT' after HIERARCHY, got {tok!r}")

    def parse_joint(parent: int) -> None:
        name, no = tokens.next()
        # names may hold spaces (3ds Max's "Bip01 L Thigh"): the rest of the line up to "{"
        while tokens.pos < len(tokens.items) and tokens.items[tokens.pos][1] == no and tokens.items[tokens.pos][0] != "{":
            name += " " + tokens.items[tokens.pos][0]
            tokens.pos += 1
        joint = Joint(name=name, parent=parent, offset=np.zeros(3), line=no)
        joints.append(joint)
        me = len(joints) - 1
        tokens.next("{")
        tokens.next("OFFSET")
        joint.offset = tokens.numbers(3)
        tok, no = tokens.next()
        if tok.upper() == "CHANNELS":
            count_tok, no = tokens.next()
            if not count_tok.isdigit():
                raise FormatError(f"{tokens.where} line {no}: expected a channel count, got {count_tok!r}")
            for _ in range(int(count_tok)):
                ch, no = tokens.next()
                if ch.lower() not in {f"{a}{k}" for a in "xyz" for k in ("position", "rotation")}:
                    raise FormatError(f"{tokens.where} line {no}: unknown channel {ch!r} (expected e.g. 'Zrotation')")
                joint.channels.append(ch[0].upper() + ch[1:].lower())
            tok, no = tokens.next()
        while tok != "}":
            if tok.upper() == "JOINT":
                parse_joint(me)
            elif tok.upper() == "END":
                tokens.next("Site")
                tokens.next("{")
                tokens.next("OFFSET")
                joint.end = tokens.numbers(3)
                tokens.next("}")
            else:
                raise FormatError(f"{tokens.where} line {no}: expected 'JOINT', 'End Site' or '}}', got {tok!r}")
            tok, no = tokens.next()

    parse_joint(-1)
    return joints


def short_list(names: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return f"[{shown}{', ...' if len(names) > limit else ''}] ({len(names)})"


#: Bounds on a take, so a damaged header cannot ask for hours of frames or gigabytes (1-1000 fps, 2 hours).
MIN_FRAME_TIME_S = 0.001
MAX_FRAME_TIME_S = 1.0
MAX_FRAMES = 1_000_000
MAX_DURATION_S = 2 * 3600.0


def parse_motion(lines: list[str], motion_at: int, n_channels: int, where: str) -> tuple[float, np.ndarray]:
    i = motion_at + 1
    header: dict[str, str] = {}
    for key in ("frames:", "frame time:"):
        while i < len(lines) and not lines[i].strip():
            i += 1
        line = lines[i].strip() if i < len(lines) else ""
        if not line.lower().startswith(key):
            got = line[:40] if line else "the end of the file"
            raise FormatError(f"{where} line {i + 1}: expected {key.capitalize()!r} in the MOTION section, got {got!r}")
        header[key] = line[len(key):].strip()
        i += 1
    try:
        n_frames = int(header["frames:"])
        frame_time = float(header["frame time:"])
    except ValueError:
        raise FormatError(f"{where}: bad MOTION header: Frames {header['frames:']!r}, Frame Time {header['frame time:']!r}") from None
    if n_frames < 1 or not frame_time > 0:
        raise FormatError(f"{where}: MOTION declares {n_frames} frames of {frame_time} s; expected at least 1 frame and a time > 0")
    if not MIN_FRAME_TIME_S <= frame_time <= MAX_FRAME_TIME_S:
        raise FormatError(f"{where}: Frame Time {frame_time:g} s is not a motion capture's ({MIN_FRAME_TIME_S:g}-"
                          f"{MAX_FRAME_TIME_S:g} s, i.e. 1-1000 frames per second; 0.0333333 is 30 fps); fix the header")
    if n_frames > MAX_FRAMES or n_frames * frame_time > MAX_DURATION_S:
        raise FormatError(f"{where}: MOTION declares {n_frames} frames ({n_frames * frame_time / 60:.0f} min); kanat reads "
                          f"at most {MAX_FRAMES} frames and {MAX_DURATION_S / 60:.0f} min: cut the take into parts")
    rows = []
    for no in range(i, len(lines)):
        parts = lines[no].split()
        if not parts:
            continue
        if len(rows) == n_frames:
            raise FormatError(f"{where} line {no + 1}: data after the {n_frames} frames the MOTION header declares")
        if len(parts) != n_channels:
            raise FormatError(
                f"{where} line {no + 1}: frame {len(rows)} has {len(parts)} values, expected {n_channels} "
                "(one per channel); the file is truncated or malformed"
            )
        rows.append(parts)
    if len(rows) < n_frames:
        raise FormatError(
            f"{where}: the MOTION section declares {n_frames} frames but holds only {len(rows)}; the file is truncated"
        )
    try:
        data = np.array(rows, dtype=float)
    except ValueError as exc:
        raise FormatError(f"{where}: MOTION data is not all numbers ({exc})") from None
    bad = np.flatnonzero(~np.isfinite(data).all(axis=1))
    if bad.size:
        raise FormatError(f"{where}: frame {int(bad[0])} of the MOTION data holds NaN or infinite values "
                          f"({bad.size} frame(s) in all); the file is damaged: export it again")
    fps = 1.0 / frame_time
    if abs(fps - round(fps)) < 1e-3 * fps:
        fps = float(round(fps))
    return fps, data
