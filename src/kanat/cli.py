"""The command line: a thin face over the stages.

Every error a user can cause is a :class:`~kanat.errors.KanatError`; the
command line prints its message on one line to stderr and exits with status
2, as it does for usage errors (a wrong option, a missing argument). Ctrl+C
(or SIGTERM) prints one "interrupted" line and exits 130; every temporary file
is removed on the way out. The libraries' own warnings stay off the terminal
unless ``kanat --verbose``. ``main(argv)`` runs in-process and returns the
exit status (for tests).
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kanat.brief import DEFAULT_DIFFICULTY, DEFAULT_INNOVATION, DEFAULT_STYLE
from kanat.cli_options import (
    DEFAULT_STAGE, BPM, CAMERA, DIFFICULTY, FIRST_DOWNBEAT, INNOVATION, METER, SEED, STAGE, STYLE, TAPS, VIDEO_FPS, VIDEO_SIZE,
    make_brief, make_hints, video_options,
)
from kanat.errors import Interrupted, KanatError
from kanat.terminal import interrupts, one_line, quiet_libraries, usage_line

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="kanat: a choreography studio. Music in, a dance out: counts, score, video, BVH, glTF and a critique.",
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console(width=max(120, Console().width))

@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Show the libraries' own warnings and notes."),
) -> None:
    """kanat: a choreography studio. Music in, a dance out: counts, score, video, BVH, glTF and a critique."""
    # --verbose is read by main() before the command runs (kanat.terminal.quiet_libraries)


@contextmanager
def _progress(enabled: bool = True):
    """A progress bar per stage; yields the pipeline's progress callback."""
    if not enabled:
        yield None
        return
    with Progress(
        TextColumn("[bold]{task.description:<9}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TextColumn("{task.fields[msg]}"), TimeElapsedColumn(), console=err, transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def cb(stage: str, fraction: float, message: str = "") -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=1.0, msg="")
            bar.update(tasks[stage], completed=max(0.0, min(1.0, fraction)), msg=message)

        yield cb


def _warn_music(mm) -> None:
    """What listen doubted about the music (no steady beat, a faint pulse), on the terminal as in music.json."""
    warning = (getattr(mm, "extras", None) or {}).get("warning")
    if warning:
        _say(f"kanat: warning: {one_line(warning)}")


def _summary(result) -> None:
    _warn_music(result.music_map)
    table = Table(title=f"kanat wrote {result.out_dir}", show_header=True)
    table.add_column("file")
    table.add_column("what")
    what = {
        "music.json": "the music as counted: beats, bars, phrases, sections",
        "score.yaml": "the choreography; edit it, then: kanat render score.yaml -o OUT",
        "counts.md": "the counts sheet for the dancers (also counts.html)",
        "counts.html": "the counts sheet, printable",
        "motion.npz": "the motion (root, joint rotations, contacts) for kanat",
        "joints.npz": "world joint positions (T, 24, 3), metres",
        "dance.bvh": "the motion for Blender and other animation tools",
        "dance.glb": "the mannequin and its animation (Blender, three.js, game engines)",
        "critique.json": "every figure of the ballet master's report",
        "critique.md": "the ballet master's notes",
        "dance.mp4": "the dance with the music and the counts on screen",
    }
    for name, path in result.files.items():
        table.add_row(str(path), what.get(name, ""))
    out.print(table)
    c = result.critique
    if getattr(c, "summary", ""):
        out.print(f"[bold]Ballet master:[/bold] {c.summary}")


@app.command()
def demo(
    out_dir: Path = typer.Option(Path("out/demo"), "--out", "-o", help="Folder for every file kanat makes."),
    seed: int = SEED,
    no_video: bool = typer.Option(False, "--no-video", help="Skip the video (the slowest part)."),
    video_size: str = VIDEO_SIZE,
    video_fps: int = VIDEO_FPS,
    camera: str = CAMERA,
) -> None:
    """Choreograph the built-in demo music (a minuet in 3, then a rag in 2) end to end."""
    from kanat.pipeline import choreograph, demo_music_path

    opts = video_options(video_size, video_fps, camera)
    brief = make_brief(style=DEFAULT_STYLE, innovation=DEFAULT_INNOVATION, difficulty=DEFAULT_DIFFICULTY, seed=seed,
                   stage=DEFAULT_STAGE)
    with _progress() as cb:
        result = choreograph(demo_music_path(), out_dir, brief, video=not no_video, video_options=opts, progress=cb)
    _summary(result)


@app.command("choreograph")
def choreograph_cmd(
    music: Path = typer.Argument(..., help="The music: wav, flac, ogg or mp3, or a music.json from 'kanat listen'."),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder for every file kanat makes."),
    seed: int = SEED,
    style: str = STYLE,
    innovation: float = INNOVATION,
    difficulty: int = DIFFICULTY,
    no_video: bool = typer.Option(False, "--no-video", help="Skip the video."),
    video_size: str = VIDEO_SIZE,
    video_fps: int = VIDEO_FPS,
    camera: str = CAMERA,
    score: Optional[Path] = typer.Option(
        None, "--score", help="A score.yaml you wrote in part: 'locked' phrases and steps are kept, the rest composed."
    ),
    alternatives: int = typer.Option(1, "--alternatives", help="Compose K dances (seeds N, N+1, ...): OUT, OUT/alt-2, ..."),
    stage: str = STAGE,
    sheet: Optional[Path] = typer.Option(
        None, "--sheet", help="The piece's sheet music (MIDI or MusicXML): the counts follow its bars, aligned to MUSIC."
    ),
    meter: Optional[str] = METER, bpm: Optional[float] = BPM, first_downbeat: Optional[float] = FIRST_DOWNBEAT,
    taps: Optional[Path] = TAPS,
) -> None:
    """Listen to MUSIC (or read its music.json), compose a dance, perform it and write every file into OUT."""
    from kanat.pipeline import choreograph

    opts = video_options(video_size, video_fps, camera)
    brief = make_brief(style=style, innovation=innovation, difficulty=difficulty, seed=seed, stage=stage,
                   hints=make_hints(meter, bpm, first_downbeat, taps))
    with _progress() as cb:
        result = choreograph(music, out_dir, brief, video=not no_video, video_options=opts, progress=cb,
                             partial=score, alternatives=alternatives, sheet=sheet)
    for r in result if isinstance(result, list) else [result]:
        _summary(r)


@app.command("batch")
def batch_cmd(
    music: Path = typer.Argument(..., help="A folder of music (searched recursively) or a text file with one track a line."),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder for the catalogue (index.html) and every track's files."),
    workers: Optional[int] = typer.Option(None, "--workers", help="Tracks at a time (default: every CPU of Ray)."),
    address: Optional[str] = typer.Option(None, "--address", help="A Ray cluster: HOST:PORT or ray://HOST:PORT."),
    retries: int = typer.Option(1, "--retries", help="Tries again for a track whose Ray worker died."),
    seed: int = SEED,
    style: str = STYLE,
    innovation: float = INNOVATION,
    difficulty: int = DIFFICULTY,
    no_video: bool = typer.Option(False, "--no-video", help="Skip the videos."),
    video_size: str = VIDEO_SIZE,
    video_fps: int = VIDEO_FPS,
    camera: str = CAMERA,
    stage: str = STAGE,
) -> None:
    """Choreograph every track of MUSIC on Ray into OUT/tracks/NAME, with a catalogue OUT/index.html (resumable)."""
    from kanat.batch import run_batch

    opts = video_options(video_size, video_fps, camera)
    brief = make_brief(style=style, innovation=innovation, difficulty=difficulty, seed=seed, stage=stage)
    with _progress() as cb:
        report = run_batch(music, out_dir, brief, workers=workers, address=address, video=not no_video,
                           video_options=opts, retries=retries,
                           progress=(lambda n, total, msg: cb("tracks", n / total, f"{n}/{total} {msg}")) if cb else None)
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("done", "kept", "failed", "not run") if report.count(s))
    out.print(f"{report.files['index.html']}: {len(report.rows)} tracks ({counts})")
    for row in report.rows:
        if row["status"] == "failed":
            err.print(f"kanat: {row['track']}: {row['error']}", markup=False, highlight=False, soft_wrap=True)
    if report.count("failed"):
        raise typer.Exit(1)  # the batch ran; some of its tracks did not (their rows say why)


@app.command("listen")
def listen_cmd(
    music: Path = typer.Argument(..., help="The music: wav, flac, ogg or mp3."),
    output: Path = typer.Option(Path("music.json"), "--out", "-o", help="Where to write the music map."),
    plot: Optional[Path] = typer.Option(
        None, "--plot", help="Also draw the map as a PNG (waveform, beats and counts, phrases, sections) to check it."),
    score: Optional[Path] = typer.Option(
        None, "--score", help="The piece's score (MIDI or MusicXML): the meter, bars and pickup come from it."),
    meter: Optional[str] = METER, bpm: Optional[float] = BPM, first_downbeat: Optional[float] = FIRST_DOWNBEAT,
    taps: Optional[Path] = TAPS,
) -> None:
    """Hear MUSIC as a dancer counts it and write music.json (and, with --plot, a picture of it)."""
    from kanat.files import check_output_file
    from kanat.listen import listen

    hints = make_hints(meter, bpm, first_downbeat, taps)

    # before the analysis, not after: never over the music, never where nothing can be written
    check_output_file(output, suffixes=(".json",), what="the music map", inputs=(music, score, taps), example="music")
    if plot is not None:
        from kanat.listen.plot import check_plot_path

        check_plot_path(plot)
        check_output_file(plot, suffixes=(".png",), what="the music picture", option="--plot", inputs=(music, score),
                          example="music")
    with _progress() as cb:
        mm = listen(music, progress=(lambda f, m="": cb("listen", f, m)) if cb else None, score=score, hints=hints)
    if score is not None:
        from kanat.pipeline import check_sheet_fits

        check_sheet_fits(mm, score, music)
    mm.save(output)
    _warn_music(mm)
    meters = sorted({int(m) for m in mm.meter})
    out.print(
        f"{output}: {mm.n_beats} beats at about {mm.tempo_bpm:.0f} BPM, meter {'/'.join(str(m) for m in meters)}, "
        f"{len(mm.phrases)} phrases, sections {' '.join(s['label'] for s in mm.sections)}"
    )
    if plot is not None:
        from kanat.listen.plot import plot_music

        out.print(f"{plot_music(mm, plot)}: the picture of the map; check the counts and the sections")


@app.command("render")
def render_cmd(
    score: Path = typer.Argument(..., help="A score.yaml written by kanat (and perhaps edited by you)."),
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder for the files."),
    no_video: bool = typer.Option(False, "--no-video", help="Skip the video."),
    video_size: str = VIDEO_SIZE,
    video_fps: int = VIDEO_FPS,
    camera: str = CAMERA,
    phrase: Optional[int] = typer.Option(None, "--phrase", help="Only phrase N of the score in the video (for learning)."),
    loop: int = typer.Option(1, "--loop", help="Play the video's part K times over."),
    speed: float = typer.Option(1.0, "--speed", help="Video speed, 0.25-2 (0.5: half speed, the music slowed too)."),
) -> None:
    """Re-perform SCORE (no new composition) and write motion, exports, critique and video."""
    from kanat.pipeline import render_score

    opts = video_options(video_size, video_fps, camera)
    opts.update({"phrase": phrase, "loop": loop, "speed": speed} if (phrase, loop, speed) != (None, 1, 1.0) else {})
    with _progress() as cb:
        result = render_score(score, out_dir, video=not no_video, video_options=opts, progress=cb)
    _summary(result)


@app.command("critique")
def critique_cmd(
    target: Path = typer.Argument(..., help="A folder kanat wrote (music.json, motion.npz), or any BVH file (with --music)."),
    music: Optional[Path] = typer.Option(
        None, "--music", "-m", help="For a BVH: the music it is danced to (wav, flac, ogg, mp3) or its music.json."),
    out_dir: Optional[Path] = typer.Option(
        None, "--out", "-o", help="Folder for critique.md and critique.json (default: beside the dance)."),
) -> None:
    """Write the ballet master's report (critique.md, critique.json) for a folder kanat wrote or a BVH file.

    kanat critique OUT, or kanat critique dance.bvh --music song.wav (Mixamo, CMU, SMPL and other skeletons).
    """
    from kanat.body import Motion
    from kanat.compose import Score
    from kanat.critique import add_import_figures, critique
    from kanat.errors import ParameterError
    from kanat.files import check_output_dir
    from kanat.formats.bvh import import_bvh
    from kanat.listen import MusicMap, listen

    if target.is_dir():
        for name in ("music.json", "motion.npz"):
            if name == "music.json" and music is not None:
                continue
            if not (target / name).is_file():
                raise ParameterError(f"{target} has no {name}; run 'kanat choreograph MUSIC -o {target}' first")
        dest = check_output_dir(out_dir or target, inputs=(music,))
        motion = Motion.load(target / "motion.npz")
        score = Score.load(target / "score.yaml") if (target / "score.yaml").is_file() else None
        imported = None
    elif target.is_file() and target.suffix.lower() == ".bvh":
        if music is None:
            raise ParameterError(
                f"kanat critique {target.name} needs the music it is danced to: add --music song.wav "
                "(or --music music.json from 'kanat listen')")
        if not music.is_file():
            raise ParameterError(f"--music {str(music)!r} does not exist; give the song (wav, flac, ogg, mp3) or a music.json")
        dest = check_output_dir(out_dir or target.parent, inputs=(target, music))
        imported = import_bvh(target)
        motion, score = imported.motion, None
    elif target.exists():
        raise ParameterError(
            f"{str(target)!r} is neither a folder kanat wrote nor a .bvh file; "
            "give 'kanat critique OUT' or 'kanat critique dance.bvh --music song.wav'")
    else:
        raise ParameterError(
            f"{str(target)!r} does not exist; give a folder kanat wrote (-o of kanat choreograph) or a .bvh file")
    if music is None:
        mm = MusicMap.load(target / "music.json")
    elif music.suffix.lower() == ".json":
        mm = MusicMap.load(music)
    else:
        with _progress() as cb:
            mm = listen(music, progress=(lambda f, m="": cb("listen", f, m)) if cb else None)
    _warn_music(mm)
    report = critique(motion, mm, score)
    if imported is not None:
        add_import_figures(report, imported.info.to_dict(), source=target.name)
    from kanat.files import staged_outputs

    with staged_outputs(dest) as stage:  # both files or neither
        report.save_json(stage / "critique.json")
        report.save_markdown(stage / "critique.md")
    out.print(report.to_markdown(), markup=False, highlight=False)


@app.command("steps")
def steps_cmd(
    family: Optional[str] = typer.Option(None, help="Only this family: classical, modern, contemporary, linking."),
    as_json: bool = typer.Option(False, "--json", help="Print every step as JSON, with the physical checks it passes."),
    gallery: Optional[Path] = typer.Option(
        None, "--gallery", help="Draw every step's keyframes into this PNG (placed as perform dances them)."),
) -> None:
    """List the vocabulary: every step with its counts, stances and character."""
    from kanat.vocabulary import FAMILIES, load_library

    if family is not None and family not in FAMILIES:
        from kanat.errors import ParameterError

        raise ParameterError(f"--family {family!r} is not a family of steps; valid: {', '.join(FAMILIES)}")
    if gallery is not None:
        from kanat.files import check_output_file

        check_output_file(gallery, suffixes=(".png",), what="the gallery", option="--gallery", example="steps")
    lib = load_library()
    steps = [s for s in lib if family is None or s.family == family]
    if as_json:
        import json

        from kanat.vocabulary.checks import check_step

        rows = [_step_row(s, check_step(s)) for s in steps]
        print(json.dumps({"format_version": 1, "steps": rows}, indent=1, ensure_ascii=False))
    elif gallery is None:
        table = Table(title=f"kanat vocabulary ({len(steps)} steps, each also on the left side)")
        for col in ("step", "family", "beats", "start -> end", "level", "energy", "meters", "character"):
            table.add_column(col)
        for s in steps:
            table.add_row(s.name, s.family, str(s.beats), f"{s.start} -> {s.end}", s.level, f"{s.energy:.1f}",
                          "/".join(str(m) for m in s.meters), ", ".join(s.character))
        out.print(table)
    if gallery is not None:
        from kanat.render.gallery import draw_gallery

        path = draw_gallery(steps, gallery, title=f"kanat vocabulary{f' ({family})' if family else ''}: "
                            f"{len(steps)} steps, keyframes placed as perform places them (orange = right)")
        err.print(f"{path}: {len(steps)} steps drawn", markup=False)


def _step_row(s, checks: dict) -> dict:
    """One step for ``kanat steps --json``."""
    return {
        "name": s.name, "family": s.family, "counts": s.beats, "accent": s.accent, "level": s.level,
        "start": s.start, "end": s.end, "support": s.supports("R"), "energy": s.energy, "meters": list(s.meters),
        "character": list(s.character), "travel_m": list(s.travel), "turn_deg": s.turn_deg,
        "difficulty": s.difficulty, "sided": s.sided, "prepared_by": list(s.prepared_by),
        "air_beats": s.air_beats, "description": s.description,
        "checks": {name: ("passed" if not problems else problems) for name, problems in checks.items()},
        "checks_passed": not any(checks.values()),
    }


@app.command("studio")
def studio_cmd(
    port: int = typer.Option(8000, "--port", help="Port on 127.0.0.1 to serve the studio on."),
    data: Optional[Path] = typer.Option(
        None, "--data", help="Folder for the projects (default ~/.local/share/kanat/studio)."),
    max_upload_mb: float = typer.Option(200.0, "--max-upload-mb", help="Largest music file accepted, in MB."),
    allow_host: Optional[list[str]] = typer.Option(
        None, "--allow-host", help="A host name the studio also answers to (besides 127.0.0.1 and localhost)."),
) -> None:
    """Open the web studio: upload music, generate, watch, swap steps, lock phrases, export."""
    from kanat.errors import ParameterError
    from kanat.files import check_output_dir
    from kanat.studio import serve
    from kanat.studio.store import default_data_dir

    if not 1 <= port <= 65535:
        raise ParameterError(f"--port must be 1-65535, got {port}")
    if not 0 < max_upload_mb <= 100_000:
        raise ParameterError(f"--max-upload-mb must be above 0 and at most 100000, got {max_upload_mb}")
    folder = data or default_data_dir()
    check_output_dir(folder, option="--data")
    _check_port_free(port)
    err.print(f"kanat studio: http://127.0.0.1:{port}/  (projects in {folder}; Ctrl+C to stop)", markup=False)
    serve(folder, port=port, max_upload_mb=max_upload_mb, allow_hosts=tuple(allow_host or ()))


def _check_port_free(port: int) -> None:
    """The studio's port can be listened on (said now, not as a server's traceback)."""
    import socket

    from kanat.errors import ParameterError

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            raise ParameterError(f"--port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror or exc}); "
                                 "another program uses it: choose another port with --port") from None


def _say(message: str) -> None:
    err.print(message, markup=False, highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Run the command line in-process; return the exit status."""
    from kanat.files import describe_os_error

    try:
        verbose = any(a in ("--verbose", "-v") for a in (sys.argv[1:] if argv is None else argv)[:1])
        with interrupts(), quiet_libraries(verbose):
            try:
                rv = app(args=argv, prog_name="kanat", standalone_mode=False)
            except (KeyboardInterrupt, typer.Abort):
                raise Interrupted() from None
            code = rv if isinstance(rv, int) else 0  # typer returns the exit status of --help and Exit
            if code == 130:  # typer's own word for a KeyboardInterrupt it caught
                raise Interrupted()
    except typer.Exit as exc:
        return exc.exit_code
    except typer.TyperException as exc:  # usage errors: one line
        from typer._click.exceptions import NoArgsIsHelpError

        if isinstance(exc, NoArgsIsHelpError):
            print(exc.format_message())
        else:
            _say(usage_line(exc))
        return getattr(exc, "exit_code", 2)
    except KanatError as exc:
        _say(f"kanat: error: {one_line(exc)}")
        return 2
    except Interrupted:
        _say("kanat: interrupted; nothing half-written was left behind")
        return 130
    except OSError as exc:  # an I/O failure no stage turned into a KanatError
        where = f" {exc.filename!r}" if exc.filename else ""
        _say(f"kanat: error: input/output failed{where}: {describe_os_error(exc)}; check the path and the disk")
        return 2
    except MemoryError:
        _say("kanat: error: out of memory; try a shorter piece, --no-video or a smaller --video-size")
        return 2
    return code


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
