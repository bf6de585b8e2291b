"""critique: the ballet master's report on a dance, and the figures behind it.

``critique(motion, music_map, score=None)`` watches a :class:`~kanat.body.Motion`
against its :class:`~kanat.listen.MusicMap` (and, when known, the
:class:`~kanat.compose.score.Score`) and returns a :class:`Critique`: figures
for musicality, physics and craft, ranked notes that name counts and steps,
and a verdict; saved as ``critique.json`` and ``critique.md``.

Needs only ``Motion`` from the body stage (never ``kanat.perform``), so an
imported BVH is critiqued like kanat's own dance. Never imports rendering.
"""

from kanat.critique.metrics import (
    beat_align_per_beat, beat_align_score, fact_beat_alignment, kinematic_beats_bailando, kinematic_beats_fact,
    mean_joint_speed, pearson, phrase_end_holds, resample_positions, right_side_share, sequence_similarity, stage_use,
    step_variety, strong_beat_share, strong_beats,
)
from kanat.critique.physics_metrics import (
    air_phases, foot_slide_speeds, ground_penetration, physical_foot_contact, physical_foot_contact_frames,
    support_distance,
)
from kanat.critique.bailando import bailando_bas, dance_beats_bailando, music_beats_bailando
from kanat.critique.dance_metrics import flights, pelvis_yaw, pops, pulse_per_beat, stage_reach
from kanat.critique.report import Critique, Finding
from kanat.critique.info import METRIC_INFO
from kanat.critique.review import add_import_figures, critique

__all__ = [
    "critique", "add_import_figures", "Critique", "Finding", "METRIC_INFO", "air_phases", "beat_align_per_beat", "beat_align_score",
    "fact_beat_alignment", "foot_slide_speeds", "ground_penetration", "kinematic_beats_bailando",
    "kinematic_beats_fact", "mean_joint_speed", "pearson", "phrase_end_holds", "physical_foot_contact",
    "physical_foot_contact_frames", "resample_positions", "right_side_share", "sequence_similarity", "stage_use",
    "step_variety", "strong_beat_share", "strong_beats", "support_distance", "bailando_bas", "dance_beats_bailando",
    "music_beats_bailando", "flights", "pelvis_yaw", "pops", "pulse_per_beat", "stage_reach",
]
