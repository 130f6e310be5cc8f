"""Start Scrapyd in the foreground with the project's ``scrapyd.conf`` (``make scrapyd``).

::

    python -m crawler.scrapyd.run [--port 6800] [--home DIR]

``DIR`` (default: the folder of the closest ``scrapy.cfg``, i.e. the repository) must
hold a ``scrapyd.conf``. Scrapyd runs with ``DIR`` as its working directory, so the
relative folders in that file (eggs, job database, logs, items) live under it, and
each job finds the same configuration. ``--port`` sets ``SCRAPYD_HTTP_PORT``;
``SCRAPYD_USERNAME`` / ``SCRAPYD_PASSWORD`` in the environment turn on basic auth.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from scrapy.utils.conf import closest_scrapy_cfg


def default_home() -> Path:
    cfg = closest_scrapy_cfg()
    return Path(cfg).parent if cfg else Path.cwd()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.scrapyd.run", description=__doc__)
    parser.add_argument("--port", type=int, help="HTTP port (default: http_port in scrapyd.conf)")
    parser.add_argument("--home", type=Path, help="folder holding scrapyd.conf")
    args = parser.parse_args(argv)
    home = (args.home or default_home()).resolve()
    if not (home / "scrapyd.conf").is_file():
        parser.error(f"no scrapyd.conf in {home}")
    os.chdir(home)
    if args.port:
        os.environ["SCRAPYD_HTTP_PORT"] = str(args.port)
    from scrapyd.__main__ import main as scrapyd_main

    sys.argv = ["scrapyd", "--pidfile="]
    scrapyd_main()


if __name__ == "__main__":
    main()
