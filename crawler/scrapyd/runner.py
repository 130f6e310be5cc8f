"""Scrapyd's runner for gov-reports jobs (``runner = crawler.scrapyd.runner``).

Scrapyd starts every job as ``python -m RUNNER crawl SPIDER -s … -a …`` in its own
working directory. Scrapyd's stock runner activates the project's egg by *appending*
it to ``sys.path``, so a copy of the project installed next to Scrapyd (as this
package is) or a checkout in the working directory would shadow the deployed code.
This runner puts the egg first and forgets any already imported copy of the
project's packages, so a job always runs the version that was deployed. It then runs
the command with :mod:`crawler.scrapyd.commands` (a ``crawl`` that reports its outcome)
when the egg has it, else plain Scrapy.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings
from pathlib import Path

# Scrapyd's runner imports pkg_resources (deprecated; setuptools stays below 81 for it),
# and activating an egg over an installed copy is what this runner means to do: neither
# warning helps on a job's stderr, which Scrapyd logs as errors.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
warnings.filterwarnings("ignore", message="Module .* was already imported", category=UserWarning)

from scrapyd.runner import project_environment  # noqa: E402

PROJECT_PACKAGES = ("crawler", "spiders", "pipelines")
COMMANDS_MODULE = "crawler.scrapyd.commands"


def _prefer(added: list[str]) -> None:
    """Put the egg(s) ``added`` to sys.path first, drop the working directory."""
    cwd = str(Path.cwd())
    rest = [p for p in sys.path if p not in added and p not in ("", ".", cwd)]
    sys.path[:] = [*added, *rest]
    for name in list(sys.modules):
        if name.split(".")[0] in PROJECT_PACKAGES:
            del sys.modules[name]
    importlib.invalidate_caches()


def main() -> None:
    project = os.environ["SCRAPY_PROJECT"]
    before = list(sys.path)
    with project_environment(project):
        added = [p for p in sys.path if p not in before]
        if added:
            _prefer(added)
        from scrapy.cmdline import execute
        from scrapy.utils.project import get_project_settings

        settings = get_project_settings()
        try:
            importlib.import_module(f"{COMMANDS_MODULE}.crawl")
        except ImportError:  # an egg from before this module existed
            pass
        else:
            settings.set("COMMANDS_MODULE", COMMANDS_MODULE, priority="cmdline")
        execute(["scrapy", *sys.argv[1:]], settings)


if __name__ == "__main__":
    main()
