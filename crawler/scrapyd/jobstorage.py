"""Finished jobs with their outcome, in SQLite.

``jobstorage = crawler.scrapyd.jobstorage.OutcomeJobStorage`` in scrapyd.conf.

Like Scrapyd's ``SqliteJobStorage`` (same ``dbs_dir/jobs.db`` file, a table of its own,
kept across restarts, trimmed to ``finished_to_keep``), plus each job's close reason,
cause, exit status and egg version.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from typing import Any

from scrapyd.interfaces import IJobStorage
from zope.interface import implementer

from crawler.scrapyd.launcher import ProcessProtocol

TABLE = "govreports_finished_jobs"
_COLUMNS = (
    "project", "spider", "job", "start_time", "end_time",
    "close_reason", "cause", "exit_status", "version",
)  # fmt: skip
_TIME = "%Y-%m-%d %H:%M:%S.%f"


@implementer(IJobStorage)
class OutcomeJobStorage:
    def __init__(self, config: Any) -> None:
        dbs_dir = config.get("dbs_dir", "dbs")
        if dbs_dir == ":memory:":
            database = dbs_dir
        else:
            os.makedirs(dbs_dir, exist_ok=True)
            database = os.path.join(dbs_dir, "jobs.db")
        self.finished_to_keep = config.getint("finished_to_keep", 100)
        self.conn = sqlite3.connect(database, check_same_thread=False)
        self.conn.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id INTEGER PRIMARY KEY, project TEXT, "
            "spider TEXT, job TEXT, start_time TEXT, end_time TEXT, close_reason TEXT, "
            "cause TEXT, exit_status INTEGER, version TEXT)"
        )
        self.conn.commit()

    def add(self, job: Any) -> None:
        values = (
            job.project,
            job.spider,
            job.job,
            job.start_time.strftime(_TIME),
            job.end_time.strftime(_TIME),
            getattr(job, "close_reason", None),
            getattr(job, "cause", None),
            getattr(job, "exit_status", None),
            getattr(job, "version", None),
        )
        self.conn.execute(
            f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(values))})",
            values,
        )
        self.conn.execute(
            f"DELETE FROM {TABLE} WHERE id NOT IN "
            f"(SELECT id FROM {TABLE} ORDER BY end_time DESC, id DESC LIMIT ?)",
            (self.finished_to_keep,),
        )
        self.conn.commit()

    def list(self) -> list[ProcessProtocol]:
        return list(self)

    def __len__(self) -> int:
        return int(self.conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])

    def __iter__(self) -> Iterator[ProcessProtocol]:
        rows = self.conn.execute(
            f"SELECT {', '.join(_COLUMNS)} FROM {TABLE} ORDER BY end_time DESC, id DESC"
        ).fetchall()
        for project, spider, jobid, start, end, reason, cause, status, version in rows:
            job = ProcessProtocol(project, spider, jobid, env={}, args=[])
            job.start_time = dt.datetime.strptime(start, _TIME)
            job.end_time = dt.datetime.strptime(end, _TIME)
            job.close_reason, job.cause, job.exit_status = reason, cause, status
            job.version = version
            yield job
