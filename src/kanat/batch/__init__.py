"""Batch: a whole soundtrack in one command, on this machine or a Ray cluster (``kanat batch``).

A face, like the command line and the studio: it sequences
:func:`kanat.pipeline.choreograph` over many tracks and writes a catalogue;
it has no algorithm of its own. Ray is an optional extra (``kanat[batch]``)
imported only when a batch runs.

- :mod:`kanat.batch.tracks`: finding, naming and keying tracks; resume markers.
- :mod:`kanat.batch.worker`: one track, as a Ray task runs it.
- :mod:`kanat.batch.run`: the driver: Ray, bounded tasks, progress, Ctrl+C.
- :mod:`kanat.batch.catalogue`: ``index.html``, ``catalogue.csv``, ``catalogue.json``.
"""

from kanat.batch.run import BatchReport, run_batch

__all__ = ["BatchReport", "run_batch"]
