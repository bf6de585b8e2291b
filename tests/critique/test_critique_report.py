"""critique() on small hand-made dances, and the Critique's files."""

from __future__ import annotations

import json

import numpy as np
import pytest
from testkit.critique import FPS, arm_circles, make_motion, make_music_map, make_score, standing_root

from kanat.body import rotations, sole_points
from kanat.critique import Critique, Finding, critique
from kanat.errors import FormatError, ParameterError

PHRASE_1 = [(1, "glissade", 2, "R"), (3, "assemble", 1, "R"), (5, "pirouette en dehors", 4, "R")]
PHRASE_2 = [(1, "grand jete", 2, "R"), (3, "grand jete", 2, "R"), (5, "grand jete", 2, "R"),
            (7, "pas de bourree", 2, "R")]
PHRASE_4 = [(1, "sissonne", 2, "R"), (3, "changement", 2, "-"), (5, "port de bras", 4, "-")]


@pytest.fixture
def mm():
    return make_music_map(32, section_letters="ABAB")


@pytest.fixture
def score():
    # phrase 3 copies phrase 1 exactly; phrase 2 has three grand jetés in a row; everything to the right
    return make_score([PHRASE_1, PHRASE_2, PHRASE_1, PHRASE_4], sections="ABAB")


def _dance(mm, *, slide_phrase: int | None = None, slide_mps: float = 0.1):
    """Arms circling on the beat, feet planted; optionally the whole body glides
    through one phrase at slide_mps (so the feet slide while they bear weight)."""
    T = int(mm.duration_s * FPS)
    root = standing_root(T)
    if slide_phrase is not None:
        a, z = mm.phrases[slide_phrase]
        t = np.arange(T) / FPS
        t0, t1 = mm.beats_s[a], mm.beats_s[z] + 0.5
        root[:, 0] = slide_mps * np.clip(t - t0, 0.0, t1 - t0)
    return make_motion(root, rots=arm_circles(T, mm.beats_s))


def test_critique_names_counts_and_steps(mm, score):
    c = critique(_dance(mm, slide_phrase=1), mm, score)
    assert 3 <= len(c.findings) <= 11  # at most 8 fixes and 3 praises
    assert c.praise and c.fixes
    importance = [f.importance for f in c.findings]
    assert importance == sorted(importance, reverse=True)

    slide = next(f for f in c.fixes if f.metric == "foot_slide_worst_mps")
    assert slide.area == "physics"
    assert slide.where.startswith("phrase 2")
    assert "grand jete R" in slide.steps
    assert "10 cm/s" in slide.text
    assert slide.suggestion
    assert c.metrics["foot_slide_worst_mps"] == pytest.approx(0.1, abs=0.005)

    craft = [f for f in c.fixes if f.area == "craft"]
    run = next(f for f in craft if f.metric == "longest_same_step_run")
    assert "three times in a row" in run.text
    assert run.where == "phrase 2, counts 1-6" and run.steps == ["grand jete R"]
    copy = next(f for f in craft if f.metric == "exact_repeats")
    assert copy.where.startswith("phrase 3 (A)") and "phrase 1" in copy.text
    assert "other side" in copy.suggestion
    for f in c.fixes:
        assert f.suggestion, f
    assert c.fixes[0].where in c.summary  # the first thing to fix (the pirouette that does not turn)
    assert "pirouette en dehors" in c.fixes[0].text


def test_critique_figures(mm, score):
    c = critique(_dance(mm), mm, score)
    m = c.metrics
    assert m["beat_align_score"] > 0.95
    assert m["accents_on_strong_beats_share"] == 1.0
    assert m["longest_same_step_run"] == 3
    assert m["exact_repeats"] == 1
    assert m["right_side_share"] == 1.0
    assert m["foot_slide_mean_mps"] == pytest.approx(0.0, abs=1e-9)
    assert m["ground_penetration_max_m"] == 0.0
    assert m["air_phases_too_long"] == 0
    assert set(c.metric_info) == set(m)
    assert any(f.metric == "right_side_share" and f.kind == "fix" for f in c.fixes) or len(c.fixes) == 8


def test_critique_without_score_skips_craft(mm):
    c = critique(_dance(mm), mm)
    assert c.metrics["step_variety_share"] is None
    assert c.metrics["accents_on_strong_beats_share"] is None
    assert all(not f.steps for f in c.findings)
    assert c.metrics["beat_align_score"] > 0.95


def test_off_beat_dance_is_told_to_arrive_on_the_counts(mm):
    T = int(mm.duration_s * FPS)
    motion = make_motion(standing_root(T), rots=arm_circles(T, mm.beats_s, shift_s=0.25))
    c = critique(motion, mm)
    assert c.metrics["beat_align_score"] < 0.05
    f = next(f for f in c.fixes if f.metric == "beat_align_score")
    assert f.area == "musicality" and f.where.startswith("phrase ")


def test_a_float_is_flagged_and_a_real_jump_is_not(mm):
    T = int(mm.duration_s * FPS)
    t = np.arange(T) / FPS

    def jump(start_s, air_s, rise_m=None):
        u = t - start_s
        air = (u > 0) & (u < air_s)
        root = standing_root(T)
        root[air, 1] += (9.81 / 2 * u[air] * (air_s - u[air])) if rise_m is None else rise_m
        return make_motion(root, contacts=np.repeat(~air[:, None], 2, axis=1))

    real = critique(jump(mm.beats_s[9], 0.4), mm)
    assert not [f for f in real.fixes if f.metric.startswith("air_")]
    assert real.metrics["air_longest_s"] == pytest.approx(0.4, abs=0.03)
    floating = critique(jump(mm.beats_s[9], 1.2, rise_m=0.3), mm)
    f = next(f for f in floating.fixes if f.metric == "air_phases_too_long")
    assert f.where == "phrase 2, counts 2-4" and "1.2 s" in f.text
    assert floating.findings[0] is f  # the most important note


def test_leaning_out_of_balance_is_flagged(mm):
    T = int(mm.duration_s * FPS)
    root = standing_root(T)
    lean = rotations.from_euler(np.array([np.radians(20), 0.0, 0.0]))
    pos = make_motion(root, rot=lean).positions()
    root[:, 1] -= sole_points(pos)[..., 1].min(axis=-1)
    c = critique(make_motion(root, rot=lean), mm)
    assert c.metrics["balance_outside_share"] == 1.0
    f = next(f for f in c.fixes if f.metric == "balance_outside_share")
    assert "outside the feet" in f.text


def test_sinking_into_the_floor_is_flagged(mm):
    T = int(mm.duration_s * FPS)
    root = standing_root(T)
    root[:, 1] -= 0.05
    c = critique(make_motion(root), mm)
    assert c.metrics["ground_penetration_max_m"] == pytest.approx(0.05, abs=1e-6)
    f = next(f for f in c.fixes if f.metric == "ground_penetration_max_m")
    assert "5 cm" in f.text


def test_a_skating_body_gets_a_high_pfc_note(mm):
    T = int(mm.duration_s * FPS)
    root = standing_root(T)
    root[:, 0] = 0.4 * np.sin(2 * np.pi * np.arange(T) / FPS)  # the whole body skates to and fro
    c = critique(make_motion(root), mm)
    assert c.metrics["pfc"] > 3.0
    f = next(f for f in c.fixes if f.metric == "pfc")
    assert f.area == "physics" and f.where.startswith("phrase ")
    assert c.metrics["foot_slide_worst_mps"] > 1.0


def test_big_movement_on_soft_music_is_flagged():
    energy = np.r_[np.full(8, 0.8), np.full(8, 0.1), np.full(16, 0.8)]
    mm = make_music_map(32, energy=energy, section_letters="ABAA")
    c = critique(_dance(mm), mm)
    f = next(f for f in c.fixes if f.metric == "energy_mismatched_phrases")
    assert f.where == "phrase 2 (B), counts 1-8" and "soft" in f.text
    assert "port de bras" in f.suggestion


def test_json_round_trip(tmp_path, mm, score):
    c = critique(_dance(mm, slide_phrase=1), mm, score)
    path = c.save_json(tmp_path / "critique.json")
    raw = json.loads(path.read_text(encoding="utf-8"))  # strict JSON: no NaN
    assert raw["format_version"] == 1
    assert set(raw["metrics"]) == set(c.metrics)
    back = Critique.load_json(path)
    assert back.to_dict() == c.to_dict()
    assert [f.where for f in back.findings] == [f.where for f in c.findings]


def test_load_json_rejects_other_versions_and_bad_findings(tmp_path, mm):
    c = critique(_dance(mm), mm)
    data = c.to_dict()
    data["format_version"] = 99
    (tmp_path / "v.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FormatError, match="critique format_version 99 is not supported"):
        Critique.load_json(tmp_path / "v.json")
    data = c.to_dict()
    data["findings"][0]["kind"] = "scold"
    (tmp_path / "k.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(FormatError, match="kind must be one of praise, fix, got 'scold'"):
        Critique.load_json(tmp_path / "k.json")


def test_markdown_reads_like_notes(tmp_path, mm, score):
    c = critique(_dance(mm, slide_phrase=1), mm, score)
    md = c.to_markdown()
    for head in ("# The ballet master's notes", "## What works", "## What to fix", "## The figures"):
        assert head in md
    assert md.index("## What works") < md.index("## What to fix") < md.index("## The figures")
    assert c.summary in md
    assert "phrase 2, counts 1-8 (grand jete R, pas de bourree R)" in md
    assert "*Try:*" in md
    for key in c.metrics:
        assert f"| `{key}` |" in md
    assert "Bailando" in md and "EDGE" in md
    path = c.save_markdown(tmp_path / "critique.md")
    assert path.read_text(encoding="utf-8") == md


def test_bad_input_is_named(mm):
    with pytest.raises(ParameterError, match="motion must be a kanat Motion, got str"):
        critique("dance.bvh", mm)
    with pytest.raises(ParameterError, match="music_map must be a kanat MusicMap, got dict"):
        critique(_dance(mm), {})
    with pytest.raises(ParameterError, match="score must be a kanat Score or None, got list"):
        critique(_dance(mm), mm, [])
    with pytest.raises(ParameterError, match="has 2 frame"):
        critique(make_motion(standing_root(2)), mm)
    with pytest.raises(FormatError, match="area must be one of"):
        Finding("fix", "costume", "too many sequins")


def test_stage_size_comes_from_the_score(mm, score):
    T = int(mm.duration_s * FPS)
    root = standing_root(T)
    root[:, 0] = 3.0  # inside the default 10 m stage, outside a 4 m one
    motion = make_motion(root)
    assert critique(motion, mm, score).metrics["off_stage_s"] == 0.0
    score.settings["stage"] = {"width_m": 4.0, "depth_m": 4.0}
    c = critique(motion, mm, score)
    assert c.metrics["off_stage_s"] == pytest.approx(motion.duration_s)
    f = next(f for f in c.fixes if f.metric == "off_stage_s")
    assert "the stage is 4 x 4 m" in f.text
