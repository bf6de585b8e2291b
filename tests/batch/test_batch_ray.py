"""Batch on real Ray: a two-node local cluster, a corrupt file among good ones, a worker killed mid-run, Ctrl+C.

Tracks are a few bars of click track (seconds each); only the Ctrl+C test makes
videos (it needs a track that takes a while). Ray is the optional extra
kanat[batch]; ``make test`` installs it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from testkit.music import write_click_track, write_corrupt_wav

from kanat.batch import run_batch
from kanat.cli import main
from kanat.compose import Score

ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'kanat[batch]'; make test installs it)")
ROOT = Path(__file__).resolve().parents[2]
TRACKS = {"waltz": (108, 3), "march": (120, 4), "sub/polka": (132, 2)}


def _music(folder: Path, tracks: dict) -> Path:
    for i, (rel, (bpm, meter)) in enumerate(tracks.items()):
        write_click_track(folder / f"{rel}.wav", bpm=bpm, meter=meter, seed=i)
    return folder


def _catalogue(out: Path) -> dict:
    data = json.loads((out / "catalogue.json").read_text())
    return {r["track"]: r for r in data["tracks"]}


def _markers(out: Path) -> dict[str, int]:
    """Each finished track's batch.json and when it was written (ns): a redone track changes it."""
    return {p.parent.name: p.stat().st_mtime_ns for p in (out / "tracks").glob("*/batch.json")}


@pytest.fixture(scope="module")
def cluster():
    """A local Ray cluster of two nodes, one CPU (one worker) each, as ``ray start`` would make on two machines."""
    from ray.cluster_utils import Cluster

    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    c.add_node(num_cpus=1)
    c.wait_for_nodes()
    yield c
    c.shutdown()


def test_a_cluster_dances_the_good_tracks_and_fails_the_corrupt_one(cluster, tmp_path, capfd):
    music = _music(tmp_path / "music", TRACKS)
    write_corrupt_wav(music / "broken.wav")
    out = tmp_path / "out"
    assert main(["batch", str(music), "-o", str(out), "--no-video", "--address", cluster.address]) == 1
    err = capfd.readouterr().err
    assert "broken: audio file" in err and "could not be decoded" in err and "Traceback" not in err
    rows = _catalogue(out)
    assert {n: r["status"] for n, r in rows.items()} == {
        "broken": "failed", "march": "done", "sub__polka": "done", "waltz": "done"}
    for rel, (bpm, meter) in TRACKS.items():
        row = rows[rel.replace("/", "__")]
        assert abs(row["tempo_bpm"] - bpm) / bpm < 0.03, (rel, row["tempo_bpm"])
        assert row["meter"] == str(meter) and row["steps"] > 0 and 0 <= row["metrics"]["beat_align_score"] <= 1
        folder = out / row["folder"]
        for name in ("music.json", "score.yaml", "dance.bvh", "dance.glb", "counts.html", "critique.json"):
            assert (folder / name).is_file(), (rel, name)
        assert all((folder / f).is_file() for f in row["links"].values()) and "video" not in row["links"]
        # the worker was sent the bytes; the score still names the user's file
        assert Score.load(folder / "score.yaml").music == str((music / f"{rel}.wav").resolve())
    assert rows["broken"]["error"].startswith("audio file") and not (out / "tracks" / "broken").exists()
    page = (out / "index.html").read_text()
    assert 'href="tracks/waltz/counts.html"' in page and "could not be decoded" in page

    # the rerun redoes nothing: finished tracks are kept, the corrupt file is not decoded again
    before = _markers(out)
    assert main(["batch", str(music), "-o", str(out), "--no-video", "--address", cluster.address]) == 1
    assert _markers(out) == before
    assert {n: r["status"] for n, r in _catalogue(out).items()} == {
        "broken": "failed", "march": "kept", "sub__polka": "kept", "waltz": "kept"}
    capfd.readouterr()


def _parent(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _dancing_workers() -> list[int]:
    """Pids of this test's Ray workers now running kanat's task (Ray titles them ray::_dance).

    Only the grandchildren of this process (its Ray's raylet starts them), never another run's workers.
    """
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and (proc / "cmdline").read_bytes().startswith(b"ray::_dance") \
                    and _parent(_parent(int(proc.name))) == os.getpid():
                pids.append(int(proc.name))
        except (OSError, ValueError, IndexError):
            pass
    return pids


def test_a_worker_killed_mid_run_and_the_rerun_finishes_without_redoing(tmp_path, capfd):
    tracks = {f"t{i}": (96 + 12 * i, 3 + i % 2) for i in range(4)}
    music = _music(tmp_path / "music", tracks)
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_one():  # as soon as a worker is dancing, before it finishes its first track
        t0 = time.monotonic()
        while not killed and time.monotonic() - t0 < 300:
            pids = _dancing_workers()
            if pids:
                time.sleep(1.0)
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
            time.sleep(0.05)

    th = threading.Thread(target=kill_one, daemon=True)
    th.start()
    rc = main(["batch", str(music), "-o", str(out), "--no-video", "--workers", "2", "--retries", "0"])
    th.join(5)
    assert killed, "no Ray worker was seen dancing"
    rows = _catalogue(out)
    failed = [n for n, r in rows.items() if r["status"] == "failed"]
    assert rc == 1 and len(failed) == 1 and "worker dancing it died" in rows[failed[0]]["error"]
    assert not (out / "tracks" / failed[0]).exists()
    finished = _markers(out)
    assert set(finished) == set(tracks) - set(failed)
    capfd.readouterr()

    seen = []  # the progress over tracks, as the command line's bar shows it
    report = run_batch(music, out, workers=2, video=False, progress=lambda n, total, msg: seen.append((n, total, msg)))
    assert report.count("done") == 1 and report.count("kept") == 3
    assert seen[0] == (3, 4, "3 kept from an earlier run") and seen[-1] == (4, 4, f"{failed[0]}: done")
    rows = _catalogue(out)
    assert {n: r["status"] for n, r in rows.items()} == {n: ("done" if n in failed else "kept") for n in tracks}
    after = _markers(out)
    assert {n: after[n] for n in finished} == finished  # the finished tracks were not redone
    assert set(after) == set(tracks)



def test_ctrl_c_leaves_the_finished_tracks_intact(tmp_path):
    music = _music(tmp_path / "music", {f"t{i}": (100 + 10 * i, 4) for i in range(3)})
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "kanat", "batch", str(music), "-o", str(out), "--workers", "1"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        t0 = time.monotonic()
        while not _markers(out) and proc.poll() is None and time.monotonic() - t0 < 400:
            time.sleep(0.2)
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "Traceback" not in stderr
    rows = _catalogue(out)
    done = [n for n, r in rows.items() if r["status"] == "done"]
    assert done and all(r["status"] in ("done", "not run") for r in rows.values())
    assert set(_markers(out)) == set(done)
    for name in done:  # whole, with its video
        folder = out / "tracks" / name
        assert json.loads((folder / "batch.json").read_text())["row"]["links"]["video"] == "dance.mp4"
        assert (folder / "dance.mp4").stat().st_size > 10_000 and Score.load(folder / "score.yaml").phrases
    assert not [p for p in (out / "tracks").iterdir() if p.name not in done and not p.name.startswith(".")]
