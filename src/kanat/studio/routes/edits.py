"""The timeline of an alternative and the edits on it: candidates for a step, swap a step, lock a phrase.

Times in seconds, beats 0-based into the music map's beats, a step's ``at``
1-based within its phrase (the score's own conventions).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from kanat.studio import jobs as J
from kanat.studio.context import Studio, find_phrase, find_step, studio
from kanat.studio.messages import BrowserRoute

router = APIRouter(prefix="/api/projects", route_class=BrowserRoute)


class SwapIn(BaseModel):
    """Swap step ``index`` of ``phrase`` for ``step``; ``version``: the dance's version the page showed."""

    phrase: int
    index: int
    step: str
    version: int
    side: str | None = None
    alt: int | None = None


class LockIn(BaseModel):
    phrase: int
    version: int
    locked: bool = True
    alt: int | None = None


@router.get("/{pid}/timeline")
def timeline(pid: str, alt: int | None = None, s: Studio = Depends(studio)):
    """The chosen (or given) alternative's phrases with their steps, in beats, counts and seconds."""
    from kanat.listen import MusicMap

    p = s.project(pid)
    k = s.alt_of(p, alt)
    score = s.load_score(pid, k)
    mm = MusicMap.load(s.store.project_dir(pid) / "music.json")
    return {"alternative": k, "version": p["version"], "settings": score.settings,
            "phrases": [_phrase(ph, mm) for ph in score.phrases]}


def _phrase(ph, mm) -> dict:
    from kanat.perform import beats_to_time

    steps = []
    for i, st in enumerate(ph.steps):
        b = ph.first_beat + st.at - 1
        t0, t1 = (float(t) for t in beats_to_time([b, b + st.beats], mm.beats_s))
        steps.append({"index": i, "step": st.step, "side": st.side, "at": st.at, "beats": st.beats,
                      "first_beat": b, "start_s": round(t0, 4), "end_s": round(t1, 4),
                      "count": mm.count_labels[b] if b < mm.n_beats else "", "locked": st.locked or ph.locked})
    t0, t1 = (float(t) for t in beats_to_time([ph.first_beat, ph.first_beat + ph.n_beats], mm.beats_s))
    return {"phrase": ph.index, "first_beat": ph.first_beat, "beats": ph.n_beats, "section": ph.section,
            "locked": ph.locked, "start_s": round(t0, 4), "end_s": round(t1, 4), "steps": steps}


def _stance(library, name: str, side: str, end: bool):
    step = library.get(name)
    if side == "-":
        return step.end if end else step.start
    return step.end_stance(side) if end else step.start_stance(side)


@router.get("/{pid}/candidates")
def candidates(pid: str, phrase: int, index: int, alt: int | None = None, version: int | None = None,
               s: Studio = Depends(studio)):
    """Steps that could replace step ``index`` of ``phrase``: same beats in this meter, chaining stances.

    ``version``: the dance's version the page shows; a stale one gets 409 with the current state (so a stale
    tab never lists steps for a step it did not show).
    """
    from kanat.listen import MusicMap
    from kanat.vocabulary import load_library

    p = s.project(pid)
    if version is not None:
        s.check_version(p, version)
    score = s.load_score(pid, s.alt_of(p, alt))
    ph, i = find_step(score, phrase, index)
    mm = MusicMap.load(s.store.project_dir(pid) / "music.json")
    library = load_library()
    flat = [st for _x, st, _b in score.placed()]
    st = ph.steps[i]
    pos = next(n for n, x in enumerate(flat) if x is st)
    meter = int(mm.meter[min(ph.first_beat + st.at - 1, mm.n_beats - 1)])
    before = _stance(library, flat[pos - 1].step, flat[pos - 1].side, True) if pos > 0 else None
    after = _stance(library, flat[pos + 1].step, flat[pos + 1].side, False) if pos + 1 < len(flat) else None
    out = _fitting(library, st, meter, before, after)
    return {"phrase": phrase, "index": index, "current": st.step, "side": st.side, "beats": st.beats,
            "meter": meter, "after_stance_of_previous": before, "before_stance_of_next": after, "candidates": out}


def _fitting(library, st, meter: int, before, after) -> list[dict]:
    """The library's steps that last ``st.beats`` in ``meter`` and start in ``before`` (best: also end in ``after``)."""
    from kanat.compose.terms import durations

    out = []
    for step in library:
        if step.name == st.step or meter not in step.meters or st.beats not in durations(step, meter, 1.0):
            continue
        for side in (("R", "L") if step.sided else ("-",)):
            starts_ok = before is None or _stance(library, step.name, side, False) == before
            ends_ok = after is None or _stance(library, step.name, side, True) == after
            if starts_ok:
                out.append({"step": step.name, "side": side, "family": step.family, "beats": st.beats,
                            "fits": "both ends" if ends_ok else "start only", "description": step.description[:140]})
    out.sort(key=lambda c: (c["fits"] != "both ends", c["step"]))
    return out


@router.post("/{pid}/swap", status_code=202)
def swap(pid: str, body: SwapIn, s: Studio = Depends(studio)):
    from kanat.vocabulary import load_library

    with s.edit(pid, body.alt, body.version) as (k, score):
        ph, i = find_step(score, body.phrase, body.index)
        step = load_library().get(body.step)
        side = body.side or ph.steps[i].side
        if side not in ("R", "L", "-") or (side == "-") == step.sided:
            side = "R" if step.sided else "-"
        st = ph.steps[i]
        st.step, st.side, st.locked = step.name, side, True  # the choreographer's choice: kept on regenerate
        score.save(s.score_path(pid, k))
        what = f"phrase {body.phrase}: {step.name} {side} swapped in"
        return s.start(pid, "swap", J.reperform(s.store, pid, k, what))


@router.post("/{pid}/lock")
def lock(pid: str, body: LockIn, s: Studio = Depends(studio)):
    with s.edit(pid, body.alt, body.version) as (k, score):
        ph = find_phrase(score, body.phrase)
        ph.locked = body.locked
        score.save(s.score_path(pid, k))
    return {"phrase": ph.index, "locked": ph.locked, "version": s.store.project(pid)["version"]}
