"""One phrase, looped and slowed, for learning: ``kanat render --phrase N --loop K --speed 0.5``."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from kanat.cli import main
from kanat.compose import Score
from kanat.errors import ParameterError
from kanat.listen import MusicMap
from kanat.pipeline import video_clip
from kanat.render import Clip, render_video
from kanat.render import video as V

from testkit.video import click_track, moving_motion, music_map, probe

DATA = Path(__file__).parents[1] / "data"


def test_a_clip_maps_video_time_to_music_time():
    clip = Clip(start_s=2.0, end_s=4.0, loop=3, speed=0.5)
    assert clip.duration_s == pytest.approx(12.0)
    t = clip.music_times(int(12 * 10), 10)
    assert t[0] == pytest.approx(2.0) and t.max() < 4.0 and t.min() >= 2.0
    assert t[10] == pytest.approx(2.5)  # one video second is half a second of music
    assert t[40] == pytest.approx(2.0)  # the second time round
    for bad in ({"loop": 0}, {"speed": 0.1}, {"speed": True}, {"end_s": 1.0}):
        with pytest.raises(ParameterError):
            Clip(**{"start_s": 2.0, "end_s": 4.0, **bad})


def test_a_slowed_looped_clip_has_the_video_and_music_of_that_length(tmp_path):
    seconds = 4.0
    wav = click_track(tmp_path / "clicks.wav", seconds)
    clip = Clip(start_s=1.0, end_s=2.0, loop=2, speed=0.5)
    out = render_video(moving_motion(seconds), tmp_path / "clip.mp4", audio_path=wav, music_map=music_map(seconds),
                       width=320, height=180, fps=10, workers=1, clip=clip)
    info = probe(out)
    assert info["audio"] == ["aac"] and info["video"][0][0] == "h264"
    assert info["frames"] == 40
    assert abs(info["duration_s"] - 4.0) < 0.15, info["duration_s"]
    decoded = subprocess.run([V.ffmpeg_exe(), "-hide_banner", "-i", str(out), "-map", "0:a:0", "-f", "null", "-"],
                             capture_output=True, text=True).stderr
    h, m, s = re.findall(r"time=(\d+):(\d+):([\d.]+)", decoded)[-1]
    assert abs(int(h) * 3600 + int(m) * 60 + float(s) - 4.0) < 0.15  # the music: 1 s, slowed to 2 s, twice
    scene = V.build_scene(moving_motion(seconds), music_map=music_map(seconds), width=320, height=180, fps=10,
                          clip=clip)
    np.testing.assert_allclose(scene.positions[20], scene.positions[0])  # the loop starts again at frame 20


def test_video_clip_is_the_scores_phrase(demo_score, demo_music_map):
    clip, name = video_clip(demo_score, demo_music_map, {"phrase": 2, "loop": 3, "speed": 0.5})
    ph = demo_score.phrases[1]
    assert clip.start_s == pytest.approx(demo_music_map.beats_s[ph.first_beat])
    assert clip.end_s == pytest.approx(demo_music_map.beats_s[ph.first_beat + ph.n_beats])
    assert (clip.loop, clip.speed, name) == (3, 0.5, "phrase2_x0.5.mp4")
    assert video_clip(demo_score, demo_music_map, {}) == (None, "dance.mp4")


def test_a_phrase_that_is_not_in_the_score_is_one_clear_line(tmp_path, capfd):
    shutil.copy(DATA / "compose" / "demo_score.yaml", tmp_path / "score.yaml")
    shutil.copy(DATA / "listen" / "demo_music.json", tmp_path / "music.json")
    n = len(Score.load(tmp_path / "score.yaml").phrases)
    assert MusicMap.load(tmp_path / "music.json").n_beats > 0
    assert main(["render", str(tmp_path / "score.yaml"), "-o", str(tmp_path / "new"), "--phrase", "99"]) == 2
    err = capfd.readouterr().err
    assert f"--phrase 99: the score has phrases 1-{n}" in err and "Traceback" not in err
    assert not (tmp_path / "new" / "motion.npz").exists()  # refused before any work
    assert main(["render", str(tmp_path / "score.yaml"), "-o", str(tmp_path / "new"), "--speed", "5"]) == 2
    assert "--speed must be 0.25-2" in capfd.readouterr().err
    assert main(["render", str(tmp_path / "score.yaml"), "-o", str(tmp_path / "new"), "--view", "drone"]) == 2
    assert "--view (or --camera) must be one of audience, mirror, side, three-quarter, split" in capfd.readouterr().err
