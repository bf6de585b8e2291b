"""The web studio (``kanat studio``): a FastAPI app and a single page over kanat's stages.

``create_app(data_dir)`` builds the app (see :mod:`kanat.studio.app`); projects
live in SQLite plus a files folder (:mod:`kanat.studio.store`); long work runs
in background jobs (:mod:`kanat.studio.jobs`). A face: no algorithms of its own.
"""

from kanat.studio.app import create_app, serve

__all__ = ["create_app", "serve"]
