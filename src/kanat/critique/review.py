"""critique(): watch a Motion against its MusicMap (and Score) and write notes.

Conventions
-----------
- Works on any :class:`~kanat.body.Motion` (kanat's own or an imported BVH)
  at its own frame rate; the metrics resample where their source says so.
- Three areas, each a module returning its figures and findings:
  :mod:`~kanat.critique.musicality`, :mod:`~kanat.critique.physics`,
  :mod:`~kanat.critique.craft`; places are named by
  :class:`~kanat.critique.watch.Watch` ("phrase 3 (B), counts 1-4").
- Without a score the craft notes (variety, structure, sides) and the
  accent-placement figure are skipped (their figures are None); stage use
  needs only the motion and the brief's stage.
- Thresholds for praise and fixes are our own heuristics, named in each area.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kanat.body.motion import Motion
from kanat.brief import Brief
from kanat.compose.score import Score
from kanat.critique.bailando import music_beats_bailando, music_beats_of_file
from kanat.critique.craft import craft
from kanat.critique.info import METRIC_INFO
from kanat.critique.musicality import musicality
from kanat.critique.physics import physics
from kanat.critique.presence import presence
from kanat.critique.technique import technique
from kanat.critique.report import AREAS, Critique, Finding
from kanat.critique.watch import Watch, gather
from kanat.errors import AudioError, ParameterError
from kanat.listen.audio import check_signal
from kanat.listen.musicmap import MusicMap
from kanat.vocabulary.step import Library, load_library

#: At most this many fixes and praises in a report.
MAX_FIXES, MAX_PRAISE = 8, 3
#: Above this mean fit error (metres) the report warns that it judges an approximation.
IMPORT_FIT_WARN_M = 0.03


def critique(motion: Motion, music_map: MusicMap, score: Score | None = None, *, brief: Brief | None = None,
             library: Library | None = None, audio="auto", music_beats: np.ndarray | None = None) -> Critique:
    """Watch the dance and write the ballet master's report.

    Parameters
    ----------
    motion : Motion
        The dance (any frame rate).
    music_map : MusicMap
        The music it is danced to (beats, counts, phrases, sections, energy).
    score : Score or None
        The choreography, when known: enables the craft notes and lets notes
        name the steps.
    brief : Brief or None
        What was asked for (its stage); the score's own brief by default, else
        kanat's defaults.
    library : Library or None
        The vocabulary the score's steps come from (what each step asks for:
        its turn, its flight); kanat's own by default.
    audio : "auto", None, path or (y, sr)
        The music's audio, for the beat-align score by Bailando's own protocol
        (librosa's beats of the audio, :mod:`kanat.critique.bailando`): a file,
        or mono samples and their rate; "auto" reads ``music_map.source`` when
        it is a file; None (or no file) leaves that figure None.
    music_beats : np.ndarray, optional
        Those music beats already heard (:func:`kanat.critique.bailando.music_beats_of_file`), in place of
        ``audio``: the pipeline hears them before the dance is performed, when memory is free.

    Returns
    -------
    Critique
        Figures, findings (most important first) and a verdict.
    """
    if not isinstance(motion, Motion):
        raise ParameterError(f"critique: motion must be a kanat Motion, got {type(motion).__name__}")
    if not isinstance(music_map, MusicMap):
        raise ParameterError(f"critique: music_map must be a kanat MusicMap, got {type(music_map).__name__}")
    if score is not None and not isinstance(score, Score):
        raise ParameterError(f"critique: score must be a kanat Score or None, got {type(score).__name__}")
    if library is not None and not isinstance(library, Library):
        raise ParameterError(f"critique: library must be a kanat Library or None, got {type(library).__name__}")
    if motion.n_frames < 3:
        raise ParameterError(
            f"critique: the motion has {motion.n_frames} frame(s); at least 3 are needed to measure movement")
    if music_map.n_beats < 2:
        raise ParameterError(
            f"critique: the music map has {music_map.n_beats} beat(s); at least 2 are needed to judge timing")
    if brief is None:
        brief = score.brief if score is not None else Brief()
    if score is not None and library is None:
        library = load_library()
    beats = np.asarray(music_beats, dtype=int) if music_beats is not None else music_beat_frames(audio, music_map)
    w = Watch(motion, music_map, score, brief, library, beats)
    pulse, space = presence(w)
    metrics, findings = gather(musicality(w), pulse, physics(w), technique(w), craft(w), space)
    if not w.moves:  # nothing a statue could earn is praise
        findings = [f for f in findings if f.kind != "praise"]
        findings.append(Finding("fix", "physics", "the body hardly moves: most beats pass with the joints almost "
                                "still, so there is no dance to praise yet.", metric="moving_beats",
                                suggestion="perform the score: every step moves the body.", importance=0.5))
    findings = _rank(findings)
    return Critique(
        metrics=metrics, findings=findings, summary=_verdict(metrics, findings),
        metric_info={k: METRIC_INFO[k] for k in metrics if k in METRIC_INFO},
    )


def music_beat_frames(audio, music_map: MusicMap):
    """Bailando's music beats (60-fps frames) of ``audio`` (see :func:`critique`), or None."""
    if audio is None:
        return None
    if isinstance(audio, tuple):
        if len(audio) != 2 or isinstance(audio[1], bool) or not isinstance(audio[1], (int, np.integer)) or audio[1] <= 0:
            raise ParameterError("critique: audio must be a file or (samples, sample rate in Hz), got a tuple of "
                                 f"{len(audio)} item(s); pass e.g. (y, 22050)")
        y, sr = audio
        return music_beats_bailando(check_signal(y, int(sr)), int(sr))
    if isinstance(audio, str) and audio == "auto":
        source = Path(music_map.source) if music_map.source else None
        if source is None or not source.is_file() or source.suffix.lower() in (".json", ".xml", ".musicxml", ".mxl"):
            return None
        try:
            return music_beats_of_file(source)
        except (AudioError, OSError):
            return None  # the map's music is gone or unreadable: the figure is None, the critique goes on
    path = Path(audio)
    if not path.is_file():
        raise ParameterError(f"critique: audio {str(path)!r} is not a file; give the song the dance is set to")
    return music_beats_of_file(path)


# ---------------------------------------------------------------- rank, verdict
def _rank(findings: list[Finding]) -> list[Finding]:
    """The most important fixes and praises, most important first."""
    fixes = sorted((f for f in findings if f.kind == "fix"), key=lambda f: -f.importance)[:MAX_FIXES]
    praise = sorted((f for f in findings if f.kind == "praise"), key=lambda f: -f.importance)[:MAX_PRAISE]
    return sorted(fixes + praise, key=lambda f: (-f.importance, f.kind != "fix"))


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _verdict(metrics: dict, findings: list[Finding]) -> str:
    """Two or three sentences: how each area stands, two headline figures, the first thing to fix."""
    good, fair, bad = [], [], []
    for area in AREAS:
        fixes = [f for f in findings if f.area == area and f.kind == "fix"]
        if any(f.importance >= 0.6 for f in fixes):
            bad.append(area)
        elif fixes:
            fair.append(area)
        elif any(f.area == area for f in findings):
            good.append(area)
    parts = []
    if good:
        parts.append(f"{_join(good)} {'is' if len(good) == 1 else 'are'} in good shape")
    if fair:
        parts.append(f"{_join(fair)} {'needs' if len(fair) == 1 else 'need'} polish")
    if bad:
        parts.append(f"{_join(bad)} {'needs' if len(bad) == 1 else 'need'} work")
    head = ("; ".join(parts) + ".") if parts else "Too little to judge."
    head = head[0].upper() + head[1:]
    figures = _headline(metrics)
    fixes = [f for f in findings if f.kind == "fix"]
    if not fixes:
        return f"{head} {figures} Nothing these measures can fault: keep it."
    top = fixes[0]
    if not top.where:
        return f"{head} {figures} First: {top.text[0].upper() + top.text[1:]}"
    steps = f" ({', '.join(top.steps)})" if top.steps else ""
    return f"{head} {figures} First, {top.where}{steps}: {top.text}"


def _headline(metrics: dict) -> str:
    """Two figures a statue cannot earn: turns completed (or the pulse) and pops a minute."""
    turns, pulse = metrics.get("turns_completed_share"), metrics.get("pulse")
    first = (f"Turns completed {turns:.0%}" if turns is not None
             else f"pulse {pulse:.2f}" if pulse is not None else "No turns or pulse to judge")
    return f"{first[0].upper() + first[1:]}, {metrics.get('pops_per_min', 0.0):.0f} pops a minute."


def add_import_figures(report: Critique, info: dict, *, source: str = "") -> Critique:
    """Add how an imported BVH was read to a report (in place; also returned).

    Parameters
    ----------
    report : Critique
    info : dict
        :meth:`kanat.formats.skeleton_map.RetargetInfo.to_dict`: ``convention``,
        ``unit``, ``up_axis``, ``height_m``, ``fit_error_mean_m``, ``fit_error_max_m``.
    source : str
        The file's name, for the summary.
    """
    for key, field_ in (("import_height_m", "height_m"), ("import_fit_error_mean_m", "fit_error_mean_m"),
                        ("import_fit_error_max_m", "fit_error_max_m")):
        report.metrics[key] = float(info[field_])
        report.metric_info[key] = METRIC_INFO[key]
    mean_cm = 100.0 * float(info["fit_error_mean_m"])
    sentence = (f"Read from {source or 'a BVH file'} ({info['convention']} skeleton, {info['unit']}, "
                f"{info['up_axis']} up, a {float(info['height_m']):.2f} m dancer; kanat's body follows its joints "
                f"within {mean_cm:.1f} cm on average).")
    if float(info["fit_error_mean_m"]) > IMPORT_FIT_WARN_M:
        sentence += " The fit is loose: read the physics figures as approximate."
    report.summary = f"{report.summary} {sentence}".strip()
    return report
