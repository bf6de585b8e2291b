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
        "Beat-align score (BAS) on kanat's counted beats (the music map): a settle of the body on every counted "
        "beat; recorded dancers 0.17-0.24, far above is a warning", "",
        "Li et al., Bailando (CVPR 2022), utils/beat_align_score.py; 60 fps, sigma 3 frames"),
    "bailando_beat_align_score": _info(
        "Beat-align score by Bailando's own protocol: music beats by librosa from the audio (HPSS, median onset "
        "strength, beat_track at 30720 Hz = 60 fps), dance beats by calc_db; recorded dancers 0.17-0.24, far above "
        "is a warning", "", "Li et al., Bailando (CVPR 2022), extractor.py, _prepro_aistpp_music.py, "
        "utils/beat_align_score.py; sigma 3 frames"),
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
    "moving_beats": _info("Beats on which the joints move (mean speed >= 0.1 m/s)", "", _OURS),
    "pulse": _info("Limbs' speed on the beat / their mean speed through the beat (median; 1 flows, 0 stops: "
                   "tick-tock)", "", _OURS + "; issue 15"),
    "beats_stopped_share": _info("Beats on which the limbs keep under 35% of their speed", "", _OURS),
    "adagio_pulse": _info("Pulse inside adagio steps (sustained movement keeps >= 0.6)", "", _OURS),
    "turns_completed_share": _info(
        "Turning steps whose pelvis yaw reaches the step's turn (within 30 degrees or 10%)", "", _OURS),
    "turns_judged": _info("Turning steps judged (turn >= 90 degrees in the vocabulary)", "", _OURS),
    "jumps_judged": _info("Jumping steps judged (or flights, without a score)", "", _OURS),
    "jumps_good_share": _info(
        "Jumps flying long enough for their kind (petit allegro 0.28 s, batterie 0.35 s, grand allegro 0.45 s "
        "and 20 cm of rise, split 160 degrees), toes clear of the floor by 3 cm", "", _OURS + "; issue 15"),
    **{f"air_{k.replace(' ', '_')}_median_s": _info(f"Median flight of the {k} jumps (0 for a jump that never "
                                                      "leaves the floor)", "s", _OURS)
       for k in ("petit allegro", "batterie", "grand allegro")},
    **{f"rise_{k.replace(' ', '_')}_median_m": _info(f"Median rise of the pelvis above standing in the {k} jumps",
                                                      "m", _OURS)
       for k in ("petit allegro", "batterie", "grand allegro")},
    "jumps_floor_level": _info("Jumps that never leave the floor or keep a toe within 3 cm of it", "", _OURS),
    "pops_per_min": _info(
        "Pops a minute: a hand or foot moving > 6 cm in one 60-fps frame and > 3x its slower neighbouring frame",
        "1/min", _OURS + "; issue 15"),
    "pop_worst_m": _info("Largest one-frame jump of a hand or foot in a pop", "m", _OURS),
    "upstage_reach_m": _info("Farthest the pelvis goes upstage of centre", "m", _OURS),
    "downstage_reach_m": _info("Farthest the pelvis goes downstage of centre", "m", _OURS),
    "stage_hull_target_m2": _info(
        "Floor this piece should cover (15 m^2 for 2 minutes on 10 x 8 m, scaled by length and stage)", "m^2", _OURS),
    "lines_en_face_share": _info(
        "Arabesques and attitudes whose raised leg points within 30 degrees of the audience axis (hidden)", "", _OURS),
    "adagio_on_quick_music_share": _info("Steps of adagio character on music at 110 BPM or more", "", _OURS),
    "meter_fit_share": _info("Steps made for the meter of the music they are danced to", "", _OURS),
    "movement_phrase_spread": _info(
        "Spread of movement energy over phrases (std / mean of mean joint speed)", "", _OURS),
    "import_height_m": _info("Height of the imported dancer (BVH skeleton, in metres as read)", "m",
                             "kanat.formats.skeleton_map"),
    "import_fit_error_mean_m": _info(
        "Imported BVH: mean distance between kanat's joints and the file's mapped joints", "m",
        "kanat.formats.skeleton_map"),
    "import_fit_error_max_m": _info(
        "Imported BVH: worst distance between a kanat joint and the file's mapped joint", "m",
        "kanat.formats.skeleton_map"),
}
