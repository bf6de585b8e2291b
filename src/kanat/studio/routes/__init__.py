"""The studio's routes, one router per thing a reader looks for.

- :mod:`.pages`: the single page;  :mod:`.projects`: upload, list, open, music, music map, choose;
- :mod:`.jobs`: the long work (generate, regenerate, video) and a job's state;
- :mod:`.edits`: the timeline and the edits on it (candidates, swap, lock);  :mod:`.files`: the exports.
"""

from kanat.studio.routes import edits, files, jobs, pages, projects

ROUTERS = (pages.router, projects.router, jobs.router, edits.router, files.router)

__all__ = ["ROUTERS"]
