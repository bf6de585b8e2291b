"""What every figure of the critique means: its label, units and source.

Conventions
-----------
- ``METRIC_INFO[name]`` is ``{"label", "units", "source"}``; a report carries
  the entries of the figures it holds (``Critique.metric_info``).
- Sources name the paper and the file of its published code where the
  protocol comes from; "kanat heuristic" marks our own measures.
"""

from __future__ import annotations

_OURS = "kanat heuristic (kanat.critique)"


def _info(label: str, units: str, source: str) -> dict:
    return {"label": label, "units": units, "source": source}


#: label, units and source of every figure.
METRIC_INFO: dict[str, dict] = {
    "beat_align_score": _info(
        "Beat-align score (BAS): a settle of the body on every music beat", "",
        "Li et al., Bailando (CVPR 2022), utils/beat_align_score.py; 60 fps, sigma 3 frames"),
    "fact_beat_align_score": _info(
        "FACT beat alignment: every settle of the body on a beat", "",
        "Li et al., AI Choreographer / FACT (ICCV 2021), tools/calculate_beat_scores.py; 60 fps, sigma 3 frames"),
    "accents_on_strong_beats_share": _info(
        "Steps whose first or last beat is a strong beat", "", _OURS + "; DANCE.md timing"),
    "energy_correlation": _info(
        "Pearson r of movement energy (mean joint speed per beat) and musical energy per beat", "", _OURS),
    "energy_mismatched_phrases": _info(
        "Phrases moving big (>= 75% of the biggest) on soft music (energy <= 0.35) "
        "or small (<= 35%) on loud music (>= 0.7)", "", _OURS),
    "phrase_endings_held_share": _info(
        "Phrases that end still on one of their last two counts", "", _OURS + "; DANCE.md grammar"),
    "pfc": _info(
        "Physical foot contact score (lower is better; AIST++ 1.33)", "",
        "Tseng et al., EDGE (CVPR 2023), eval/eval_pfc.py; 30 fps, Y up"),
    "foot_slide_mean_mps": _info("Mean horizontal speed of weight-bearing feet", "m/s", _OURS + " (foot skating)"),
    "foot_slide_worst_mps": _info("Worst beat's mean horizontal speed of a weight-bearing foot", "m/s", _OURS),
    "ground_penetration_max_m": _info("Deepest sole point or joint below the floor", "m", _OURS),
    "ground_penetration_share": _info("Frames with the body more than 1 cm below the floor", "", _OURS),
    "balance_outside_share": _info(
        "Supported frames with the centre of mass over 8 cm outside the base of support", "",
        _OURS + "; centre of mass after de Leva (1996)"),
    "balance_longest_off_s": _info("Longest stretch off balance", "s", _OURS),
    "air_longest_s": _info("Longest time with no foot on the floor", "s", "contact flags"),
    "air_phases_too_long": _info("Flights longer than 0.7 s", "", "DANCE.md physics"),
    "air_rise_error_max_m": _info("Largest gap between a jump's rise and g t^2 / 8", "m", "ballistics; DANCE.md"),
    "step_variety_share": _info("Distinct steps / all steps", "", _OURS),
    "longest_same_step_run": _info("Longest run of one step (steps in a row)", "", _OURS),
    "repeat_similarity": _info(
        "Step-sequence similarity of phrases whose music repeats (1 - Levenshtein / length)", "", _OURS),
    "exact_repeats": _info("Phrases copying an earlier phrase exactly (steps, sides, directions)", "", _OURS),
    "right_side_share": _info("Share of sided steps done to the right", "", _OURS),
    "stage_hull_area_m2": _info("Area of the convex hull of the pelvis's floor path", "m^2", _OURS),
    "downstage_share": _info("Time spent downstage (z > 1 m)", "", _OURS),
    "max_from_centre_m": _info("Farthest distance from centre stage", "m", _OURS),
    "off_stage_s": _info("Time outside the stage", "s", _OURS),
    "import_height_m": _info("Height of the imported dancer (BVH skeleton, in metres as read)", "m",
                             "kanat.formats.skeleton_map"),
    "import_fit_error_mean_m": _info(
        "Imported BVH: mean distance between kanat's joints and the file's mapped joints", "m",
        "kanat.formats.skeleton_map"),
    "import_fit_error_max_m": _info(
        "Imported BVH: worst distance between a kanat joint and the file's mapped joint", "m",
        "kanat.formats.skeleton_map"),
}
