"""Run inside Blender: import kanat's dance.bvh and dance.glb, report joint positions.

Invocation (what tests/formats/test_blender.py runs)::

    blender -b --factory-startup --python-exit-code 1 \
        --python tests/formats/blender_check.py -- '<json arguments>'

The JSON arguments: ``bvh``, ``glb`` (paths or null), ``out`` (the JSON file
this script writes), ``fps``, ``frames`` (0-based motion frames to sample),
``names`` (bone names), ``site_packages`` and ``python`` ("3.11"): a folder
holding numpy, appended to ``sys.path`` only when Blender's Python lacks
numpy and its version matches (Blender's glTF importer needs numpy).

The result holds, per file, the bones' head positions in world space,
converted from Blender's Z-up frame to kanat's Y-up frame ((x, y, z) ->
(x, z, -y)), shape (frames, names, 3), in metres.
"""

import builtins
import json
import sys
import traceback

import bpy

ARGS = json.loads(sys.argv[sys.argv.index("--") + 1])
RESULT = {"blender": bpy.app.version_string, "python": "%d.%d" % sys.version_info[:2]}
_OPEN = builtins.open


def _open_without_u(file, mode="r", *args, **kwargs):
    # Blender 3.4's BVH importer opens with mode 'rU', which Python 3.11 rejects.
    if isinstance(mode, str) and "U" in mode:
        mode = mode.replace("U", "") or "r"
    return _OPEN(file, mode, *args, **kwargs)


def _reset():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.fps = int(round(ARGS["fps"]))
    scene.render.fps_base = 1.0


def _armature():
    arms = [ob for ob in bpy.context.scene.objects if ob.type == "ARMATURE"]
    if len(arms) != 1:
        raise RuntimeError("expected one armature, found %d" % len(arms))
    return arms[0]


def _sample(arm, blender_frames):
    scene = bpy.context.scene
    out = []
    for f in blender_frames:
        scene.frame_set(f)
        depsgraph = bpy.context.evaluated_depsgraph_get()
        ev = arm.evaluated_get(depsgraph)
        row = []
        for name in ARGS["names"]:
            h = ev.matrix_world @ ev.pose.bones[name].head
            row.append([h.x, h.z, -h.y])
        out.append(row)
    return out


def check_bvh():
    _reset()
    builtins.open = _open_without_u
    try:
        bpy.ops.import_anim.bvh(
            filepath=ARGS["bvh"], global_scale=0.01, frame_start=1, use_fps_scale=False,
            update_scene_fps=True, update_scene_duration=True, rotate_mode="NATIVE",
            axis_forward="-Z", axis_up="Y",
        )
    finally:
        builtins.open = _OPEN
    arm = _armature()
    # The importer keys BVH frame t at Blender frame frame_start + t.
    return {"positions": _sample(arm, [1 + f for f in ARGS["frames"]]),
            "scene_fps": bpy.context.scene.render.fps, "frame_end": bpy.context.scene.frame_end}


def check_glb():
    try:
        import numpy  # noqa: F401
        RESULT["numpy"] = "blender's own"
    except ImportError:
        site = ARGS.get("site_packages")
        if not site or ARGS.get("python") != RESULT["python"]:
            return {"skipped": "Blender's Python %s has no numpy (its glTF importer needs it) and no numpy "
                               "for that Python was offered; install python3-numpy" % RESULT["python"]}
        sys.path.append(site)
        import numpy  # noqa: F401
        RESULT["numpy"] = "borrowed from " + site
    _reset()
    bpy.ops.import_scene.gltf(filepath=ARGS["glb"])
    arm = _armature()
    fps = bpy.context.scene.render.fps / bpy.context.scene.render.fps_base
    action = arm.animation_data.action if arm.animation_data else None
    frame_range = list(action.frame_range) if action else None
    # glTF time t lands at Blender frame t * fps + offset; the offset is read from the action.
    offset = round(frame_range[0]) if frame_range else 0
    return {"positions": _sample(arm, [offset + f for f in ARGS["frames"]]),
            "frame_range": frame_range, "scene_fps": fps}


for key, fn in (("bvh", check_bvh), ("glb", check_glb)):
    if ARGS.get(key):
        try:
            RESULT[key] = fn()
        except Exception:  # report, then carry on with the other file
            RESULT[key] = {"error": traceback.format_exc()}

with _OPEN(ARGS["out"], "w") as fh:
    json.dump(RESULT, fh)
