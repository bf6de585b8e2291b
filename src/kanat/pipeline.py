"""The whole job, stage by stage: what ``kanat choreograph`` and ``kanat render`` run.

This module only sequences the stages and writes their outputs; every
algorithm lives in a stage package. Each stage's output is saved and
reloaded before the next stage uses it, so a later ``kanat render`` of the
saved score gives exactly the same motion.

Files written into the output folder (see ARCHITECTURE.md): music.json,
score.yaml, counts.md, counts.html, motion.npz, joints.npz, dance.bvh,
dance.glb, critique.json, critique.md and dance.mp4.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Callable

from kanat.body import Motion
from kanat.brief import MAX_SEED, Brief
from kanat.compose import Score, compose
from kanat.critique import Critique, critique
from kanat.errors import AudioError, ParameterError, ScoreError
from kanat.files import check_not_edited, check_output_dir, moved_paths, same_file, staged_outputs
from kanat.formats import write_bvh, write_glb, write_joints_npz
from kanat.listen import MusicMap, listen
from kanat.perform import perform
from kanat.render import Caption, Clip, render_video
from kanat.render.counts import write_counts_sheet
from kanat.vocabulary import Library, load_library

Progress = Callable[[str, float, str], None]  # (stage, fraction, message)


@dataclass
class Result:
    """What one run made, in memory and on disk."""

    out_dir: Path
    music_map: MusicMap
    score: Score
    motion: Motion
    critique: Critique
    files: dict[str, Path] = field(default_factory=dict)


def demo_music_path() -> Path:
    """The demo music shipped with kanat."""
    return Path(str(resources.files("kanat") / "data" / "demo.ogg"))


def _tell(progress: Progress | None, stage: str):
    return (lambda f, m="": progress(stage, f, m)) if progress else None


OUTPUT_NAMES = ("music.json", "score.yaml", "counts.md", "counts.html", "motion.npz", "joints.npz", "dance.bvh",
                "dance.glb", "critique.json", "critique.md", "dance.mp4")


def _check_outputs_are_files(out: Path) -> None:
    """None of the files a run writes is a folder in ``out`` (said before the work, not after it)."""
    for name in OUTPUT_NAMES:
        if (out / name).is_dir():
            raise ParameterError(f"-o {str(out)!r} holds a folder named {name}, where kanat writes a file; "
                                 "move it away or choose another folder")


#: A sheet that fits its recording aligns below this mean chroma distance (kanat's demo 0.15, a synthesised waltz
#: 0.07; sheets of other pieces measured 0.22-0.53) and gives a tempo a dancer can count (BPM).
SHEET_MAX_ALIGN_COST = 0.25
SHEET_TEMPO_BPM = (30.0, 300.0)


def check_sheet_fits(mm: MusicMap, sheet, audio) -> None:
    """Refuse a map counted from a sheet that does not match the recording (the alignment cost, the tempo it gives)."""
    cost = (mm.extras or {}).get("score_align_cost")
    lo, hi = SHEET_TEMPO_BPM
    name, song = Path(sheet).name, Path(audio).name
    if cost is not None and cost > SHEET_MAX_ALIGN_COST:
        raise ParameterError(f"the sheet {name} does not match the recording {song} (alignment cost {cost:.2f}; a "
                             f"matching sheet is below {SHEET_MAX_ALIGN_COST}); check it is this piece's score, "
                             "or leave the sheet out")
    if not lo <= mm.tempo_bpm <= hi:
        raise ParameterError(f"the sheet {name} does not fit the recording {song}: following it gives "
                             f"{mm.tempo_bpm:.0f} BPM ({lo:.0f}-{hi:.0f} is danceable); check it is this piece's "
                             "score, or leave the sheet out")


def _music_input(music: Path) -> tuple[MusicMap | None, Path]:
    """The music as given: an audio file to listen to, or a saved music.json (no listening).

    Returns the saved map (or None) and the audio file the dance is set to.
    """
    if music.is_dir():
        raise AudioError(f"{str(music)!r} is a folder; give the music file (wav, flac, ogg or mp3) or a music.json")
    if not music.exists():
        raise AudioError(f"music file {str(music)!r} does not exist; check the path (wav, flac, ogg, mp3 or music.json)")
    if music.suffix.lower() != ".json":
        return None, music
    mm = MusicMap.load(music)
    audio = Path(mm.source) if mm.source else music
    if mm.source and not audio.is_absolute():
        audio = (music.parent / audio).resolve()
    return mm, audio


def choreograph(
    music: str | os.PathLike,
    out_dir: str | os.PathLike,
    brief: Brief | None = None,
    *,
    video: bool = True,
    video_options: dict | None = None,
    progress: Progress | None = None,
    partial: str | os.PathLike | None = None,
    alternatives: int = 1,
    sheet: str | os.PathLike | None = None,
) -> list[Result] | Result:
    """Listen, compose, perform, critique and hand over: every file into ``out_dir``.

    ``music`` is an audio file, or a ``music.json`` that ``kanat listen`` saved
    (then nothing is listened to again; the audio it names is used for the
    video when it is there). ``brief`` holds the choreographer's settings
    (kanat's defaults when omitted). ``partial``: a score.yaml the
    choreographer wrote in part (locked phrases and steps are kept, the rest
    composed). ``alternatives`` > 1 composes that many dances with seeds
    ``brief.seed``, ``brief.seed + 1`` ...: the first goes into ``out_dir``, the
    others into ``out_dir/alt-2``, ``out_dir/alt-3`` ...; a list of results is
    returned then.
    """
    brief = brief or Brief()
    out = Path(out_dir)
    check_output_dir(out, inputs=(music, partial, sheet))
    _check_outputs_are_files(out)
    saved, audio = _music_input(Path(music))
    # check the cheap things before the expensive ones
    if saved is not None and not brief.hints.empty:
        raise ParameterError(f"{music} is a saved music map: the listening hints (--meter, --bpm, --first-downbeat, "
                             "--taps) change how the music is heard; give the audio file instead")
    if not 1 <= alternatives <= 10:
        raise ParameterError(f"--alternatives must be 1-10, got {alternatives}")
    if brief.seed + alternatives - 1 > MAX_SEED:
        raise ParameterError(f"--seed {brief.seed} with {alternatives} alternatives passes the largest seed {MAX_SEED}")
    for k in range(alternatives):  # a score the choreographer edited is never overwritten: say so before working
        if k:
            check_output_dir(out / f"alt-{k + 1}")
            _check_outputs_are_files(out / f"alt-{k + 1}")
        check_not_edited((out if k == 0 else out / f"alt-{k + 1}") / "score.yaml")
    if sheet is not None:
        if saved is not None:
            raise ParameterError("--sheet counts the music from its score while listening; "
                                 "a music.json was already counted: give the audio file instead")
        from kanat.listen.score import check_score_path

        check_score_path(sheet)
    library = load_library()
    constraints = Score.load(partial) if partial is not None else None
    if constraints is not None:  # unknown steps are reported before the music is analysed
        for _ph, st, _b in constraints.placed():
            if st.locked or _ph.locked:
                library.get(st.step, where=f"{partial} line {st.line}")
    mm = saved if saved is not None else listen(audio, score=sheet, progress=_tell(progress, "listen"),
                                                hints=brief.hints)
    if sheet is not None:
        check_sheet_fits(mm, sheet, audio)

    from kanat.critique.review import music_beat_frames

    heard = music_beat_frames("auto", mm)  # once for every alternative (an hour's file is hashed or heard once)
    results = []
    for k in range(alternatives):
        where = out if k == 0 else out / f"alt-{k + 1}"
        this = brief.replace(seed=brief.seed + k)
        with staged_outputs(where) as stage:  # every new file, or none, lands in the folder
            if saved is not None and same_file(where / "music.json", Path(music)):
                these, here = {"music.json": where / "music.json"}, saved  # the input itself: left as it is
            else:
                these = {"music.json": mm.save(stage / "music.json")}
                here = MusicMap.load(stage / "music.json")  # perform from exactly what was saved
            score = compose(here, this, library=library, music=str(audio.resolve()), constraints=constraints)
            if progress:
                progress("compose", (k + 1) / alternatives, f"{sum(len(p.steps) for p in score.phrases)} steps")
            these["score.yaml"] = score.save(stage / "score.yaml")
            score = Score.load(stage / "score.yaml")
            result = _hand_over(score, here, library, stage, these, brief=this, video=video, music_beats=heard,
                                video_options=video_options, progress=progress)
        results.append(_moved(result, stage, where))
    return results[0] if alternatives == 1 else results


def _moved(result: Result, stage: Path, where: Path) -> Result:
    """The result of a run staged in ``stage``, as its files lie in ``where`` now."""
    result.out_dir = where
    result.files = moved_paths(result.files, stage, where)
    if result.score.path is not None:
        result.score.path = str(where / Path(result.score.path).name)
    return result


def render_score(
    score_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    video: bool = True,
    video_options: dict | None = None,
    progress: Progress | None = None,
) -> Result:
    """Re-perform a (possibly hand-edited) score: no new composition, no new listening if music.json is beside it.

    The brief is the one the score keeps in its settings.
    """
    score_path = Path(score_path)
    out = Path(out_dir)
    check_output_dir(out, inputs=(score_path,))
    _check_outputs_are_files(out)
    score = Score.load(score_path)
    brief = score.brief
    library = load_library()
    for _ph, st, _b in score.placed():  # unknown steps are reported before any work
        library.get(st.step, where=f"{score_path} line {st.line}")
    beside = score_path.parent / "music.json"
    music = Path(score.music)
    if not music.is_absolute():
        music = (score_path.parent / music).resolve()
    if beside.is_file():
        mm = MusicMap.load(beside)
    else:
        if not music.is_file():
            raise ScoreError(f"{score_path}: its music file {score.music!r} is missing and no music.json is beside it")
        mm = listen(music, progress=_tell(progress, "listen"))
    last = max((b + st.beats - 1 for _p, st, b in score.placed()), default=0)
    if last >= mm.n_beats + 64:
        raise ScoreError(f"{score_path}: the score runs to beat {last + 1} but the music has only {mm.n_beats} beats")
    if score.music != str(music):
        score.music = str(music)
    if video:
        video_clip(score, mm, video_options)  # a bad --phrase is refused before any work
    target = out / "score.yaml"
    rewrite = target.resolve() != score_path.resolve()
    if rewrite:
        check_not_edited(target, score.to_yaml())  # before any work, as the final write would refuse
    with staged_outputs(out) as stage:  # every new file, or none, lands in the folder
        if beside.is_file() and same_file(out / "music.json", beside):
            files = {"music.json": beside}  # the map beside the score is an input: left as it is
        else:
            files = {"music.json": mm.save(stage / "music.json")}
        if rewrite:
            files["score.yaml"] = score.save(stage / "score.yaml")
        result = _hand_over(score, mm, library, stage, files, brief=brief, video=video, video_options=video_options,
                            progress=progress)
    return _moved(result, stage, out)


def captions_for(score: Score, music_map: MusicMap) -> list[Caption]:
    """One caption per placed step: its name and side, from its first beat to its last."""
    from kanat.perform import beats_to_time

    caps = []
    for _ph, st, b in score.placed():
        t0, t1 = beats_to_time([b, b + st.beats], music_map.beats_s)
        side = f" {st.side}" if st.side in ("R", "L") else ""
        caps.append(Caption(start_s=float(t0), end_s=float(t1), text=f"{st.step}{side}"))
    return caps


_HEAR = object()  # _hand_over's music_beats: hear them there


def _hand_over(score, mm, library: Library, out: Path, files: dict, *, brief: Brief, video: bool, progress,
               video_options: dict | None = None, music_beats=_HEAR) -> Result:
    """Perform, export and critique ``score``; ``music_beats``: Bailando's beats of the music, when the caller
    heard them once for several dances (:func:`kanat.critique.review.music_beat_frames`; None: no audio)."""
    if music_beats is _HEAR:
        from kanat.critique.review import music_beat_frames

        music_beats = music_beat_frames("auto", mm)  # heard before the dance exists: memory is free
    motion = perform(score, mm, library=library, progress=_tell(progress, "perform"))
    files["motion.npz"] = motion.save(out / "motion.npz")
    files["joints.npz"] = write_joints_npz(motion, out / "joints.npz")
    files["dance.bvh"] = write_bvh(motion, out / "dance.bvh")
    files["dance.glb"] = write_glb(motion, out / "dance.glb")
    files["counts.md"], files["counts.html"] = write_counts_sheet(score, mm, out, title=Path(score.music).name)
    report = critique(motion, mm, score, brief=brief, music_beats=music_beats)
    files["critique.json"] = report.save_json(out / "critique.json")
    files["critique.md"] = report.save_markdown(out / "critique.md")
    if progress:
        progress("critique", 1.0, f"{len(report.findings)} notes")
    if video:
        files["dance.mp4"] = make_video(score, mm, motion, out, brief=brief, video_options=video_options,
                                        progress=progress)
    return Result(out_dir=out, music_map=mm, score=score, motion=motion, critique=report, files=files)


def video_clip(score: Score, mm: MusicMap, options: dict | None) -> tuple[Clip | None, str]:
    """The part of the dance a video shows, from ``options`` (``phrase``, ``loop``, ``speed``), and its file name.

    No phrase, loop 1 and speed 1 is the whole dance, ``dance.mp4``; ``phrase`` N is the score's phrase N
    (from its first beat to the next phrase's), ``loop`` times at ``speed``: ``phrase3.mp4``, ``phrase3_x0.5.mp4``.
    """
    from kanat.perform import beats_to_time

    options = options or {}
    phrase, loop, speed = options.get("phrase"), options.get("loop", 1), options.get("speed", 1.0)
    if phrase is None and loop == 1 and speed == 1.0:
        return None, "dance.mp4"
    if phrase is None:
        start, end, name = 0.0, float(mm.duration_s), "dance"
    else:
        numbers = [ph.index for ph in score.phrases]
        if phrase not in numbers:
            raise ParameterError(f"--phrase {phrase}: the score has phrases {min(numbers)}-{max(numbers)}; pick one of those")
        ph = score.phrases[numbers.index(phrase)]
        t0, t1 = beats_to_time([ph.first_beat, ph.first_beat + ph.n_beats], mm.beats_s)
        start, end, name = float(t0), float(min(t1, mm.duration_s)), f"phrase{phrase}"
    clip = Clip(start_s=start, end_s=end, loop=loop, speed=speed)
    return clip, f"{name}{'' if speed == 1.0 else f'_x{speed:g}'}.mp4"


def make_video(score: Score, mm: MusicMap, motion: Motion, out: Path, *, brief: Brief,
               video_options: dict | None = None, progress: Progress | None = None) -> Path:
    """``out/dance.mp4``: the dance with its music and the counts on screen (the command line and the studio).

    The video draws and frames ``brief.stage``, the stage the dance was composed on. ``video_options`` are
    :func:`kanat.render.render_video`'s keywords (size, fps, camera: the view) and ``phrase``, ``loop``,
    ``speed`` (:func:`video_clip`).
    """
    options = dict(video_options or {})
    clip, name = video_clip(score, mm, options)
    for key in ("phrase", "loop", "speed"):
        options.pop(key, None)
    audio = Path(score.music)
    return render_video(
        motion, Path(out) / name, audio_path=audio if audio.is_file() else None, music_map=mm,
        captions=captions_for(score, mm), stage=brief.stage, clip=clip, progress=_tell(progress, "render"),
        **options,
    )
