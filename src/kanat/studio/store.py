"""Where the studio keeps its projects: one SQLite database plus a files folder.

Layout under the data folder::

    studio.sqlite3             projects and jobs (WAL journal)
    projects/<id>/music.<ext>  the uploaded music, under a name kanat chose
    projects/<id>/music.json   the MusicMap (listen's output)
    projects/<id>/envelope.json  a downsampled waveform for the page
    projects/<id>/alt-<k>/     one folder per alternative, as kanat choreograph writes it

Every file is written by the stages' own atomic writers (kanat.files); rows
are written in transactions. A job that was running when the server stopped
is marked ``interrupted`` when the store opens again, and what a crash left
half-written under ``projects/`` is removed then (:meth:`Store.clean_partial_files`).

The project list reads one ``summaries`` row per project (duration, tempo,
meter, counts of beats and phrases, last change), never the files: the row is
filled from music.json when the project's status changes, and triggers stamp
its ``updated`` time on every change of the project or of a job's state.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from kanat.files import TEMP_MARK

#: The time now in seconds since 1970 (as time.time()), in SQL: the summary triggers stamp ``updated`` with it.
NOW_SQL = "((julianday('now') - 2440587.5) * 86400.0)"

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
CREATE INDEX IF NOT EXISTS projects_by_created ON projects(created DESC, id DESC);
CREATE TABLE IF NOT EXISTS summaries (
    project_id TEXT PRIMARY KEY,
    duration_s REAL,
    tempo_bpm REAL,
    meter TEXT NOT NULL DEFAULT '',
    beats INTEGER NOT NULL DEFAULT 0,
    phrases INTEGER NOT NULL DEFAULT 0,
    updated REAL NOT NULL DEFAULT 0
);
CREATE TRIGGER IF NOT EXISTS summary_made AFTER INSERT ON projects BEGIN
    INSERT OR REPLACE INTO summaries (project_id, updated) VALUES (NEW.id, NEW.created);
END;
CREATE TRIGGER IF NOT EXISTS summary_touched_by_project AFTER UPDATE ON projects BEGIN
    UPDATE summaries SET updated=""" + NOW_SQL + """ WHERE project_id=NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS summary_touched_by_job AFTER UPDATE OF state ON jobs WHEN NEW.state != OLD.state BEGIN
    UPDATE summaries SET updated=""" + NOW_SQL + """ WHERE project_id=NEW.project_id;
END;
CREATE TRIGGER IF NOT EXISTS summary_dropped AFTER DELETE ON projects BEGIN
    DELETE FROM summaries WHERE project_id=OLD.id;
    DELETE FROM jobs WHERE project_id=OLD.id;
END;
"""

PROJECT_FIELDS = ("id", "name", "created", "music_file", "status", "settings", "alternatives", "chosen", "error",
                  "version")
#: Columns added since the first schema, with their definitions (added to an older database when it opens).
ADDED_COLUMNS = {"projects": {"version": "INTEGER NOT NULL DEFAULT 0"}}
#: What a row of the project list holds (:meth:`Store.project_page`).
LIST_COLUMNS = ("p.id, p.name, p.created, p.status, p.alternatives, p.chosen, p.error, p.version, s.duration_s, "
                "s.tempo_bpm, COALESCE(s.meter, '') AS meter, COALESCE(s.beats, 0) AS beats, "
                "COALESCE(s.phrases, 0) AS phrases, COALESCE(s.updated, p.created) AS updated")
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
            db.execute("UPDATE projects SET status='failed', error='analysis was interrupted by a restart; retry it' "
                       "WHERE status='analysing'")
            db.execute("UPDATE projects SET status=CASE WHEN alternatives > 0 THEN 'danced' ELSE 'ready' END "
                       "WHERE status='working'")
            missing = [r[0] for r in db.execute(
                "SELECT id FROM projects WHERE id NOT IN (SELECT project_id FROM summaries)")]
        for pid in missing:  # a database from before the summaries
            self.refresh_summary(pid)
        self.clean_partial_files()

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

    def project_page(self, *, limit: int, offset: int = 0) -> tuple[list[dict], int]:
        """One page of the project list from the summaries (no file is read), newest first, and the total.

        Each row: the project's record (no settings) with its summary: ``duration_s``, ``tempo_bpm``, ``meter``
        ("3/4" or "2/4 and 3/4"), ``beats``, ``phrases`` (None or 0 until analysed) and ``updated`` (seconds
        since 1970: the last change of the project or of a job's state on it).
        """
        with self._lock:
            db = self._connect()
            try:  # one read transaction: the page and the total agree
                db.execute("BEGIN")
                total = db.execute("SELECT COUNT(*) FROM projects").fetchone()[0]
                rows = db.execute(f"SELECT {LIST_COLUMNS} FROM projects p LEFT JOIN summaries s ON s.project_id=p.id "
                                  "ORDER BY p.created DESC, p.id DESC LIMIT ? OFFSET ?", (limit, offset)).fetchall()
                db.execute("COMMIT")
            finally:
                db.close()
        return [dict(r) for r in rows], int(total)

    def refresh_summary(self, pid: str) -> None:
        """Read project ``pid``'s music map into its summary row (duration, tempo, meter, beats, phrases).

        Called when the project's status changes (the analysis finished) and when the store opens for projects
        that have none; the ``updated`` time is kept by triggers on every change of the project or its jobs.
        """
        facts = _music_facts(self.project_dir(pid) / "music.json")
        self._run("INSERT INTO summaries (project_id, duration_s, tempo_bpm, meter, beats, phrases, updated) "
                  f"SELECT ?, ?, ?, ?, ?, ?, {NOW_SQL} WHERE EXISTS (SELECT 1 FROM projects WHERE id=?) "
                  "ON CONFLICT(project_id) DO UPDATE SET duration_s=excluded.duration_s, tempo_bpm=excluded.tempo_bpm, "
                  "meter=excluded.meter, beats=excluded.beats, phrases=excluded.phrases, updated=excluded.updated",
                  (pid, facts["duration_s"], facts["tempo_bpm"], facts["meter"], facts["beats"], facts["phrases"], pid))

    def delete_project(self, pid: str) -> bool:
        """Remove project ``pid``: its rows (project, summary, jobs) then its folder; False when there was none.

        The folder is first renamed to a temporary name (:data:`kanat.files.TEMP_MARK`), so a crash while it is
        being removed leaves only what :meth:`clean_partial_files` removes at the next start.
        """
        folder = self.project_dir(pid)
        gone = self._run("DELETE FROM projects WHERE id=? RETURNING id", (pid,))
        if folder.is_dir():
            doomed = folder.with_name(f".{pid}{TEMP_MARK}{os.getpid()}-deleted")
            os.replace(folder, doomed)
            shutil.rmtree(doomed, ignore_errors=True)
        return bool(gone)

    def clean_partial_files(self) -> list[Path]:
        """Remove what a crash left under ``projects/``; returns what was removed. Run when the store opens.

        That is: temporary files and staging folders of writers that are gone (:func:`kanat.files.clean_stale_temps`)
        in every project folder and alternative folder, a half-received upload (``.upload.part``), project folders
        without a project row (an upload cut off before its row was made) and alternative folders past the
        project's count of alternatives (a generate cut off part way). Only when no request or job is running:
        the store opens as the studio starts.
        """
        from kanat.files import clean_stale_temps

        root = self.data_dir / "projects"
        counts = {r["id"]: r["alternatives"] for r in self._run("SELECT id, alternatives FROM projects")}
        removed = clean_stale_temps(root)
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if folder.name not in counts:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
                continue
            removed += clean_stale_temps(folder)
            part = folder / ".upload.part"
            if part.is_file():
                part.unlink()
                removed.append(part)
            for alt in sorted(folder.glob("alt-*")):
                k = alt.name.removeprefix("alt-")
                if alt.is_dir() and k.isdigit() and int(k) > counts[folder.name]:
                    shutil.rmtree(alt, ignore_errors=True)
                    removed.append(alt)
                elif alt.is_dir():
                    removed += clean_stale_temps(alt)
        return removed

    def update_project(self, pid: str, **fields) -> None:
        bad = set(fields) - set(PROJECT_FIELDS)
        if bad:
            raise ValueError(f"unknown project fields {bad}")
        if "settings" in fields:
            fields["settings"] = json.dumps(fields["settings"])
        sets = ", ".join(f"{k}=?" for k in fields)
        self._run(f"UPDATE projects SET {sets} WHERE id=?", (*fields.values(), pid))
        if "status" in fields:  # the analysis finished (or failed): the list's summary reads the music map once
            self.refresh_summary(pid)

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


def _music_facts(path: Path) -> dict:
    """Duration, tempo, meter ("3/4", "2/4 and 3/4"), beats and phrases of the music map at ``path``.

    None and zeros when there is none (not analysed yet) or it cannot be read.
    """
    facts = {"duration_s": None, "tempo_bpm": None, "meter": "", "beats": 0, "phrases": 0}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        meters = sorted({int(m) for m in data.get("meter") or []})
        facts.update(duration_s=float(data["duration_s"]), tempo_bpm=float(data["tempo_bpm"]),
                     meter=" and ".join(f"{m}/4" for m in meters), beats=len(data.get("beats_s") or []),
                     phrases=len(data.get("phrases") or []))
    except (OSError, ValueError, KeyError, TypeError):  # not analysed (yet): the list shows no facts
        pass
    return facts


def _project(row: sqlite3.Row) -> dict:
    d = dict(row)
    d["settings"] = json.loads(d["settings"] or "{}")
    return d
