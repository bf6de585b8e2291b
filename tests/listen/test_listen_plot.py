"""The music picture (kanat.listen.plot): written whole, readable, sized to the music."""

from __future__ import annotations

import numpy as np
import pytest

from kanat.errors import ParameterError
from kanat.listen import MusicMap
from kanat.listen.plot import DPI, MAX_ROWS, check_plot_path, meter_summary, plot_music

HEIGHT_CAP_PX = 4000


def synthetic_map(duration_s: float, *, bpm: float = 120.0, change_s: float | None = None, warning: str = "",
                  source: str = "") -> MusicMap:
    """A hand-made map: 3/4 at ``bpm``, then 2/4 from ``change_s``; phrases of 8 counts, sections of 4 phrases."""
    period = 60.0 / bpm
    beats = np.arange(0.3, duration_s - 0.2, period)
    meter = np.where(beats < (change_s if change_s is not None else np.inf), 3, 2)
    beat_in_bar, counts, labels, phrases, downs = [], [], [], [], []
    pos, bar, start = 0, 0, 0
    for i, m in enumerate(meter):
        if i and m != meter[i - 1]:
            pos, bar = 0, 0
            phrases.append((start, i - 1))
            start = i
        if pos == 0:
            bar += 1
            downs.append(beats[i])
        beat_in_bar.append(pos + 1)
        if m == 3:
            count = (bar - 1) % 8 + 1
            labels.append(str(count) if pos == 0 else str(pos + 1))
        else:
            count = ((bar - 1) * 2 + pos) % 8 + 1
            labels.append(str(count))
        counts.append(count)
        if i > start and count == 1 and pos == 0:
            phrases.append((start, i - 1))
            start = i
        pos = (pos + 1) % m
    phrases.append((start, len(beats) - 1))
    sections = []
    for k in range(0, len(phrases), 4):
        a, z = phrases[k][0], phrases[min(k + 3, len(phrases) - 1)][1]
        end = beats[z + 1] if z + 1 < len(beats) else duration_s
        sections.append({"start_s": float(beats[a]), "end_s": float(end), "label": "ABAC"[(k // 4) % 4]})
    rng = np.random.default_rng(7)
    extras = {"meter_changes_s": [float(change_s)]} if change_s is not None else {}
    if warning:
        extras["warning"] = warning
    return MusicMap(duration_s=duration_s, tempo_bpm=bpm, beats_s=beats, downbeats_s=downs, beats_per_bar=3,
                    meter=meter, beat_in_bar=beat_in_bar, counts=counts, count_labels=labels, phrases=phrases,
                    sections=sections, energy=rng.uniform(0.3, 0.9, beats.size),
                    accent=rng.uniform(0, 1, beats.size), source=source, extras=extras)


def read_png(path) -> np.ndarray:
    import matplotlib.image

    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return matplotlib.image.imread(str(path))


def test_demo_map_picture(demo_music_map, tmp_path):
    out = plot_music(demo_music_map, tmp_path / "music.png")
    assert out == tmp_path / "music.png"
    img = read_png(out)
    h, w = img.shape[:2]
    assert w == 16 * DPI and 600 < h < HEIGHT_CAP_PX  # 88 s: three rows of 30 s
    assert img[..., :3].std() > 0.05  # not blank
    assert [p.name for p in tmp_path.iterdir()] == ["music.png"]  # no temporary file left behind


def test_waveform_from_samples(tmp_path, make_click_track):
    y, beats, downs = make_click_track(120, 3, bars=8)
    mm = synthetic_map(len(y) / 22050, bpm=120)
    with_wave = read_png(plot_music(mm, tmp_path / "wave.png", audio=y, sr=22050))
    without = read_png(plot_music(mm, tmp_path / "plain.png"))
    assert with_wave.shape == without.shape
    assert np.abs(with_wave - without).mean() > 1e-3  # the waveform is drawn


def test_meter_change_and_warning(tmp_path):
    mm = synthetic_map(50.0, change_s=24.3, warning="no clear beat; the counts are a guess")
    assert meter_summary(mm) == "3/4 -> 2/4 at 24.3 s"
    img = read_png(plot_music(mm, tmp_path / "m.png"))
    plain = read_png(plot_music(synthetic_map(50.0, change_s=24.3), tmp_path / "p.png"))
    assert img.shape[0] > plain.shape[0]  # the warning line takes room
    red = (img[..., 0] > 0.6) & (img[..., 1] < 0.3) & (img[..., 2] < 0.3)
    assert red.sum() > 100  # the warning is written in red


def test_meter_summary_without_change(demo_music_map):
    assert meter_summary(synthetic_map(20.0)) == "3/4"
    assert meter_summary(demo_music_map) == "3/4 -> 2/4 at 48.1 s"


def test_long_music_is_taller_but_capped(tmp_path):
    import time

    short = read_png(plot_music(synthetic_map(20.0), tmp_path / "short.png"))
    t = time.perf_counter()
    long = read_png(plot_music(synthetic_map(600.0, change_s=300.0), tmp_path / "long.png"))
    assert time.perf_counter() - t < 10.0
    very_long = read_png(plot_music(synthetic_map(3600.0), tmp_path / "hour.png"))
    assert short.shape[0] < long.shape[0] < HEIGHT_CAP_PX
    assert very_long.shape[0] < HEIGHT_CAP_PX and very_long.shape[1] == short.shape[1]
    assert very_long[..., :3].std() > 0.05
    assert MAX_ROWS * 30 < 600  # ten minutes already needs the longer rows


def test_missing_folder_is_created(tmp_path):
    out = plot_music(synthetic_map(12.0), tmp_path / "new" / "deeper" / "music.png")
    assert out.is_file()


def test_source_file_is_read_or_skipped(tmp_path, click_wav):
    a = read_png(plot_music(synthetic_map(12.0, source=str(click_wav)), tmp_path / "src.png"))
    b = read_png(plot_music(synthetic_map(12.0, source=str(tmp_path / "gone.ogg")), tmp_path / "gone.png"))
    assert a.shape == b.shape and np.abs(a - b).mean() > 1e-3


def test_bad_arguments(tmp_path):
    mm = synthetic_map(12.0)
    with pytest.raises(ParameterError, match=r"must be a \.png file, got .*music\.jpg"):
        plot_music(mm, tmp_path / "music.jpg")
    (tmp_path / "pic.png").mkdir()
    with pytest.raises(ParameterError, match="is a folder; give a file name"):
        check_plot_path(tmp_path / "pic.png")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ParameterError, match="is a file, not a folder"):
        plot_music(mm, tmp_path / "file" / "music.png")
    with pytest.raises(ParameterError, match=r"audio must be mono samples of shape \(N,\), got shape \(2, 10\)"):
        plot_music(mm, tmp_path / "a.png", audio=np.zeros((2, 10)), sr=22050)
    with pytest.raises(ParameterError, match="sr must be the sample rate of audio in Hz"):
        plot_music(mm, tmp_path / "a.png", audio=np.zeros(10))
    with pytest.raises(ParameterError, match="plot_music needs a MusicMap, got dict"):
        plot_music(mm.to_dict(), tmp_path / "a.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "pic.png"]  # nothing written


# ------------------------------------------------------------------ the command line
@pytest.fixture(scope="module")
def click_wav(tmp_path_factory, make_click_track):
    import soundfile

    y, _, _ = make_click_track(120, 3, bars=8)
    path = tmp_path_factory.mktemp("music") / "clicks.wav"
    soundfile.write(str(path), y, 22050)
    return path


def test_cli_listen_plot(click_wav, tmp_path, capsys):
    from kanat.cli import main

    out, png = tmp_path / "music.json", tmp_path / "pics" / "music.png"
    assert main(["listen", str(click_wav), "-o", str(out), "--plot", str(png)]) == 0
    assert out.is_file() and "the picture of the map" in capsys.readouterr().out
    img = read_png(png)
    assert img.shape[1] == 16 * DPI and img[..., :3].std() > 0.05


def test_cli_listen_bad_plot_name_fails_before_listening(click_wav, tmp_path, capsys, monkeypatch):
    import kanat.listen
    from kanat.cli import main

    monkeypatch.setattr(kanat.listen, "listen", lambda *a, **k: pytest.fail("listened before checking --plot"))
    assert main(["listen", str(click_wav), "-o", str(tmp_path / "m.json"), "--plot", str(tmp_path / "m.jpg")]) == 2
    assert "kanat: error: the music picture must be a .png file" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_cli_listen_passes_the_score(click_wav, tmp_path, monkeypatch):
    import kanat.listen
    from kanat.cli import main

    seen = {}

    def fake_listen(music, *, progress=None, score=None, hints=None):
        seen.update(music=music, score=score)
        return synthetic_map(12.0)

    monkeypatch.setattr(kanat.listen, "listen", fake_listen)
    score = tmp_path / "piece.musicxml"
    assert main(["listen", str(click_wav), "-o", str(tmp_path / "m.json"), "--score", str(score)]) == 0
    assert seen == {"music": click_wav, "score": score}
