"""Where the studio keeps its projects: one SQLite database plus a files folder.

Layout under the data folder::

    studio.sqlite3             projects and jobs (WAL journal)
    projects/<id>/music.<ext>  the uploaded music, under a name kanat chose
    projects/<id>/music.json   the MusicMap (listen's output)
    projects/<id>/envelope.json  a downsampled waveform for the page
    projects/<id>/alt-<k>/     one folder per alternative, as kanat choreograph writes it

Every file is written by the stages' own atomic writers (kanat.files); rows
are written in transactions. A job that was running when the server stopped
is marked ``interrupted`` when the store opens again.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    music_file TEXT NOT NULL,
    status TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}',
    alternatives INTEGER NOT NULL DEFAULT 0,
    chosen INTEGER NOT NULL DEFAULT 0,
    error TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    stage TEXT NOT NULL DEFAULT '',
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    finished REAL
);
CREATE INDEX IF NOT EXISTS jobs_by_project ON jobs(project_id, created);
"""

PROJECT_FIELDS = ("id", "name", "created", "music_file", "status", "settings", "alternatives", "chosen", "error",
                  "version")
#: Columns added since the first schema, with their definitions (added to an older database when it opens).
ADDED_COLUMNS = {"projects": {"version": "INTEGER NOT NULL DEFAULT 0"}}
JOB_FIELDS = ("id", "project_id", "kind", "state", "stage", "progress", "message", "error", "created", "finished")


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/kanat/studio`` (``~/.local/share/kanat/studio``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kanat" / "studio"


def new_id() -> str:
    """A random id safe in URLs and file names (hex only)."""
    return secrets.token_hex(8)


class Store:
    """Projects and jobs in SQLite; files under ``data_dir/projects``."""

    def __init__(self, data_dir: str | os.PathLike):
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "projects").mkdir(exist_ok=True)
        self.db_path = self.data_dir / "studio.sqlite3"
        self._lock = threading.Lock()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            _add_columns(db)
            db.execute(
                "UPDATE jobs SET state='interrupted', error='the studio stopped while this job ran; start it again', "
                "finished=? WHERE state IN ('queued', 'running')", (time.time(),))
            db.execute("UPDATE projects SET status='failed', error='analysis was interrupted by a restart; upload again' "
                       "WHERE status='analysing'")
            db.execute("UPDATE projects SET status=CASE WHEN alternatives > 0 THEN 'danced' ELSE 'ready' END "
                       "WHERE status='working'")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _run(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            db = self._connect()
            try:
                db.execute("BEGIN IMMEDIATE")
                rows = db.execute(sql, args).fetchall()
                db.execute("COMMIT")
                return rows
            except BaseException:
                db.execute("ROLLBACK")
                raise
            finally:
                db.close()

    # ------------------------------------------------------------- projects
    def project_dir(self, pid: str) -> Path:
        if not pid.isalnum():  # ids are hex; anything else never reaches the file system
            raise KeyError(pid)
        return self.data_dir / "projects" / pid

    def create_project(self, pid: str, name: str, music_file: str) -> dict:
        self._run("INSERT INTO projects (id, name, created, music_file, status) VALUES (?, ?, ?, ?, 'analysing')",
                  (pid, name, time.time(), music_file))
        return self.project(pid)

    def project(self, pid: str) -> dict | None:
        rows = self._run("SELECT * FROM projects WHERE id=?", (pid,))
        return _project(rows[0]) if rows else None

    def projects(self) -> list[dict]:
        return [_project(r) for r in self._run("SELECT * FROM projects ORDER BY created DESC")]

    def update_project(self, pid: str, **fields) -> None:
        bad = set(fields) - set(PROJECT_FIELDS)
        if bad:
            raise ValueError(f"unknown project fields {bad}")
        if "settings" in fields:
            fields["settings"] = json.dumps(fields["settings"])
        sets = ", ".join(f"{k}=?" for k in fields)
        self._run(f"UPDATE projects SET {sets} WHERE id=?", (*fields.values(), pid))

    def bump_version(self, pid: str) -> int:
        """Count one more change of project ``pid``'s dance; returns the new version."""
        rows = self._run("UPDATE projects SET version=version+1 WHERE id=? RETURNING version", (pid,))
        return int(rows[0][0]) if rows else 0

    # ----------------------------------------------------------------- jobs
    def create_job(self, jid: str, pid: str, kind: str) -> dict:
        self._run("INSERT INTO jobs (id, project_id, kind, state, created) VALUES (?, ?, ?, 'queued', ?)",
                  (jid, pid, kind, time.time()))
        return self.job(jid)

    def job(self, jid: str) -> dict | None:
        rows = self._run("SELECT * FROM jobs WHERE id=?", (jid,))
        return dict(rows[0]) if rows else None

    def last_job(self, pid: str) -> dict | None:
        rows = self._run("SELECT * FROM jobs WHERE project_id=? ORDER BY created DESC LIMIT 1", (pid,))
        return dict(rows[0]) if rows else None

    def update_job(self, jid: str, **fields) -> None:
        bad = set(fields) - set(JOB_FIELDS)
        if bad:
            raise ValueError(f"unknown job fields {bad}")
        sets = ", ".join(f"{k}=?" for k in fields)
        self._run(f"UPDATE jobs SET {sets} WHERE id=?", (*fields.values(), jid))


def _add_columns(db: sqlite3.Connection) -> None:
    for table, columns in ADDED_COLUMNS.items():
        have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
        for name, definition in columns.items():
            if name not in have:
                db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")


def _project(row: sqlite3.Row) -> dict:
    d = dict(row)
    d["settings"] = json.loads(d["settings"] or "{}")
    return d
