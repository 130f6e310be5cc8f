"""``listjobs.json`` with each finished job's outcome (``[services] listjobs.json = …``).

Scrapyd's own answer, unchanged, plus four fields on every finished job:
``close_reason`` (``finished``, ``no_reports``, ``database_unavailable``, ``overlap``,
``configuration_error``, …), ``cause`` (one line), ``exit_status`` and ``version`` (the
egg version the job ran, when it was scheduled with one).
"""

from __future__ import annotations

from typing import Any

from scrapyd import webservice

OUTCOME_FIELDS = ("close_reason", "cause", "exit_status", "version")


class ListJobs(webservice.ListJobs):  # type: ignore[misc]
    def render_GET(self, txrequest: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().render_GET(txrequest, *args, **kwargs)
        outcomes = {(job.project, job.job): job for job in self.root.launcher.finished}
        for entry in data.get("finished", []):
            job = outcomes.get((entry["project"], entry["id"]))
            for field in OUTCOME_FIELDS:
                entry[field] = getattr(job, field, None)
        return data
