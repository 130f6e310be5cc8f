"""``govreports schedule``: ask Scrapyd for a crawl (by hand, or from cron).

::

    govreports schedule --divisions 41 --years 2024            # queue it, print the job id
    govreports schedule --sites /srv/sites.csv --wait         # and wait: exit 0 only if finished

It posts to ``schedule.json`` of the Scrapyd at ``--url`` (``SCRAPYD_URL``, default
``http://127.0.0.1:$SCRAPYD_PORT/``, port 6800), with basic auth when
``SCRAPYD_USERNAME`` and ``SCRAPYD_PASSWORD`` are set. A job for the same spider
arguments still waiting in the queue is not queued twice (exit status 3); a crawl of
the same portals that is already running is refused by the crawl itself (close reason
``overlap``). ``--wait`` polls ``listjobs.json`` until the job ends and prints its
close reason and cause.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from crawler import settings
from crawler.errors import ConfigurationError, GovReportsError

EXIT_DUPLICATE = 3
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Scrapyd:
    """A minimal Scrapyd JSON API client (standard library only)."""

    def __init__(self, url: str, credentials: tuple[str, str] | None = None) -> None:
        self.url = url if url.endswith("/") else url + "/"
        self.credentials = credentials

    def call(self, endpoint: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
        url = urllib.parse.urljoin(self.url, endpoint)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if self.credentials:
            token = base64.b64encode(":".join(self.credentials).encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with _NO_PROXY.open(request, timeout=30) as response:
                answer: dict[str, Any] = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            exc.close()
            raise GovReportsError(f"Scrapyd at {self.url} answered {exc.code}: {endpoint}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise GovReportsError(f"Scrapyd at {self.url} is unreachable: {exc}") from exc
        if answer.get("status") != "ok":
            raise GovReportsError(f"Scrapyd refused {endpoint}: {answer.get('message', answer)}")
        return answer

    def listjobs(self, project: str) -> dict[str, Any]:
        return self.call(f"listjobs.json?{urllib.parse.urlencode({'project': project})}")


def spider_args(args: argparse.Namespace) -> dict[str, str]:
    chosen = {
        "sites": args.sites,
        "divisions": args.divisions,
        "years": args.years,
        "limit": str(args.limit) if args.limit is not None else None,
    }
    return {k: v for k, v in chosen.items() if v}


def _form(args: argparse.Namespace, spargs: dict[str, str]) -> list[tuple[str, str]]:
    form = [("project", args.project), ("spider", args.spider), *spargs.items()]
    if args.egg_version:
        form.append(("_version", args.egg_version))
    for setting in args.setting:
        if "=" not in setting:
            raise ConfigurationError(f"--setting wants NAME=VALUE, not {setting!r}")
        form.append(("setting", setting))
    return form


def _already_pending(listing: dict[str, Any], spider: str, spargs: dict[str, str]) -> str | None:
    for job in listing.get("pending", []):
        queued = {k: str(v) for k, v in job.get("args", {}).items() if not k.startswith("_")}
        if job.get("spider") == spider and queued == spargs:
            return str(job["id"])
    return None


def _wait(client: Scrapyd, project: str, job: str, timeout: float, poll: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for entry in client.listjobs(project).get("finished", []):
            if entry["id"] == job:
                reason = entry.get("close_reason") or "unknown"
                print(f"{job}: {reason}: {entry.get('cause') or ''}".rstrip(": "))
                return 0 if reason == "finished" else 1
        time.sleep(poll)
    print(f"{job}: still running after {timeout:.0f} s", file=sys.stderr)
    return 1


def run_schedule(args: argparse.Namespace) -> int:
    client = Scrapyd(args.url or settings.scrapyd_url(), settings.scrapyd_credentials())
    spargs = spider_args(args)
    pending = _already_pending(client.listjobs(args.project), args.spider, spargs)
    if pending:
        print(f"not scheduled: job {pending} with the same arguments is still pending")
        return EXIT_DUPLICATE
    job = str(client.call("schedule.json", _form(args, spargs))["jobid"])
    print(job)
    sys.stdout.flush()
    if args.wait:
        return _wait(client, args.project, job, args.timeout, args.poll)
    return 0


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schedule",
        help="queue a crawl on Scrapyd (for cron)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--url", help="Scrapyd URL (default: SCRAPYD_URL, or 127.0.0.1:6800)")
    parser.add_argument("--project", default="gov_reports")
    parser.add_argument("--spider", default="gov_reports")
    parser.add_argument("--sites", help="CSV of portals, as the daemon sees the path")
    parser.add_argument("--divisions", help="division-code prefixes, comma-separated")
    parser.add_argument("--years", help="report years, comma-separated")
    parser.add_argument("--limit", type=int, help="crawl at most this many portals")
    parser.add_argument(
        "-s", "--setting", action="append", default=[], metavar="NAME=VALUE",
        help="Scrapy setting for this job (repeatable)",
    )  # fmt: skip
    parser.add_argument("--egg-version", help="deployed version to run (default: the latest)")
    parser.add_argument("--wait", action="store_true", help="wait for the end; exit 0 if finished")
    parser.add_argument("--timeout", type=float, default=86400.0, help="--wait at most this long")
    parser.add_argument("--poll", type=float, default=10.0, help=argparse.SUPPRESS)
    parser.set_defaults(func=run_schedule)
