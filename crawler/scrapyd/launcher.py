"""A Scrapyd launcher that learns how each job ended.

``launcher = crawler.scrapyd.launcher.Launcher`` in scrapyd.conf.

Scrapyd 1.6 records only start and end times. This launcher gives every job an
outcome file (``GOVREPORTS_OUTCOME_FILE``, under ``dbs_dir/outcomes``), which the
job's ``crawl`` command fills with its close reason and one-line cause, and keeps the
process's exit status. When a job leaves no outcome (it crashed, or was deployed from
an egg that predates this), the reason is ``finished`` for exit status 0, else
``failed`` with the last line of the job's log as the cause.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from scrapyd import launcher
from scrapyd.interfaces import IEggStorage, IEnvironment
from twisted.internet import error, reactor
from twisted.python.failure import Failure

MAX_CAUSE = 400


def last_line(path: str | None) -> str:
    """The last non-empty line of a text file (reads only its end)."""
    if not path:
        return ""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 8192))
            tail = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in tail.splitlines() if line.strip()]
    return lines[-1] if lines else ""


class ProcessProtocol(launcher.ScrapyProcessProtocol):  # type: ignore[misc]
    """Scrapyd's process protocol, plus exit status, outcome and the job's last stderr line."""

    def __init__(self, *args: Any, outcome_file: str = "", log_file: str = "", **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.outcome_file = outcome_file
        self.log_file = log_file
        self.exit_status: int | None = None
        self.close_reason: str | None = None
        self.cause: str | None = None
        self.version: str | None = self.env.get("SCRAPYD_EGG_VERSION")
        self.last_stderr = ""

    def errReceived(self, data: bytes) -> None:
        lines = [line for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
        if lines:
            self.last_stderr = lines[-1].strip()
        super().errReceived(data)

    def processEnded(self, status: Failure) -> None:
        value = status.value
        if isinstance(value, error.ProcessDone):
            self.exit_status = 0
        elif isinstance(value, error.ProcessTerminated):
            self.exit_status = (
                value.exitCode if value.exitCode is not None else -(value.signal or 0)
            )
        self.read_outcome()
        super().processEnded(status)

    def read_outcome(self) -> None:
        outcome: dict[str, Any] = {}
        if self.outcome_file:
            path = Path(self.outcome_file)
            try:
                outcome = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                outcome = {}
            path.unlink(missing_ok=True)
        if outcome.get("reason"):
            self.close_reason = str(outcome["reason"])
            self.cause = str(outcome.get("cause") or "")[:MAX_CAUSE]
        elif self.exit_status == 0:
            self.close_reason, self.cause = "finished", "exit status 0 (no outcome reported)"
        else:
            self.close_reason = "failed"
            last = last_line(self.log_file) or self.last_stderr or "no log"
            self.cause = f"exit status {self.exit_status}; last log line: {last}"[:MAX_CAUSE]


class Launcher(launcher.Launcher):  # type: ignore[misc]
    def __init__(self, config: Any, app: Any) -> None:
        super().__init__(config, app)
        self.outcomes_dir = Path(config.get("dbs_dir", "dbs")).resolve() / "outcomes"

    def _spawn_process(self, message: dict[str, Any], slot: int) -> None:
        project = message["_project"]
        environment = self.app.getComponent(IEnvironment)
        message.setdefault("settings", {})
        message["settings"].update(environment.get_settings(message))
        self.outcomes_dir.mkdir(parents=True, exist_ok=True)
        outcome_file = self.outcomes_dir / f"{project}-{message['_job']}.json"
        outcome_file.unlink(missing_ok=True)
        message["settings"]["GOVREPORTS_OUTCOME_FILE"] = str(outcome_file)

        env = environment.get_environment(message, slot)
        args = [sys.executable, "-m", self.runner, "crawl", *launcher.get_crawl_args(message)]
        process = ProcessProtocol(
            project,
            message["_spider"],
            message["_job"],
            env,
            args,
            outcome_file=str(outcome_file),
            log_file=message["settings"].get("LOG_FILE", ""),
        )
        if process.version is None:  # scheduled without _version: the latest egg runs
            versions = self.app.getComponent(IEggStorage).list(project)
            process.version = versions[-1] if versions else None
        process.deferred.addBoth(self._process_finished, slot)
        reactor.spawnProcess(process, sys.executable, args=args, env=env)  # type: ignore[misc]
        self.processes[slot] = process
