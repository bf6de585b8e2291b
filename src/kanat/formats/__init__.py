"""File formats for a Motion: BVH, binary glTF and joints.npz.

Readers and writers need only :class:`kanat.body.Motion`, never the stages
that made it, so an imported BVH is rendered and exported like kanat's own
dance. Every writer goes through :func:`kanat.files.atomic_path`; every
reader raises :class:`kanat.errors.FormatError` with the reason.

- :func:`write_bvh`, :func:`read_bvh`: ``dance.bvh``, SMPL joint names,
  centimetres, ZXY Euler channels (see :mod:`kanat.formats.bvh`);
  :func:`read_bvh` and :func:`import_bvh` also read Mixamo, CMU, Biovision
  and other humanoid skeletons, retargeted onto SMPL's 24 joints (see
  :mod:`kanat.formats.skeleton_map`).
- :func:`write_glb`, :func:`read_glb_joints`, :func:`validate_glb`:
  ``dance.glb``, a skinned mannequin with the animation (see
  :mod:`kanat.formats.gltf`).
- :func:`write_joints_npz`, :func:`read_joints_npz`: ``joints.npz``, world
  joint positions (T, 24, 3) in metres (see :mod:`kanat.formats.joints`).
"""

from kanat.body.contacts import estimate_contacts
from kanat.formats.bvh import BvhImport, import_bvh, read_bvh, write_bvh
from kanat.formats.skeleton_map import RetargetInfo
from kanat.formats.gltf import read_glb_joints, validate_glb, write_glb
from kanat.formats.joints import Joints, read_joints_npz, write_joints_npz

__all__ = [
    "BvhImport", "RetargetInfo", "estimate_contacts", "import_bvh", "read_bvh", "write_bvh", "read_glb_joints", "validate_glb", "write_glb",
    "Joints", "read_joints_npz", "write_joints_npz",
]
