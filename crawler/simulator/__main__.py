"""``python -m crawler.simulator …`` is ``govreports simulate …``."""

from __future__ import annotations

import argparse
import logging
import sys

from crawler.commands.simulate import _run, add_arguments
from crawler.errors import GovReportsError


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.simulator")
    add_arguments(parser)
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return _run(args)
    except GovReportsError as exc:
        print(f"simulate: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
