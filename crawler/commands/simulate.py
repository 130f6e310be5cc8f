"""``govreports simulate``: serve a simulated landscape of county portals until stopped."""

from __future__ import annotations

import argparse
from pathlib import Path

from crawler.errors import ConfigurationError

# Above this many portals the truth (about 3 ms of generation per report) is finished in
# the background by default, so that the hosts serve within seconds.
AUTO_BACKGROUND_TRUTH = 200


def _run(args: argparse.Namespace) -> int:
    from crawler.simulator.landscape import Config
    from crawler.simulator.run import Options, run

    if args.rate < 0 or args.burst < 1:
        raise ConfigurationError("--rate must be >= 0 and --burst >= 1")
    config = Config(
        seed=args.seed,
        portals=args.portals,
        rate=args.rate,
        burst=args.burst,
        with_seeds=args.with_seeds,
        slow_delay=args.slow_delay,
    )
    return run(
        Options(
            config=config,
            host=args.host,
            port=args.port,
            truth_path=Path(args.truth),
            sites_path=Path(args.sites),
            ready_file=Path(args.ready_file) if args.ready_file else None,
            workers=args.workers,
            cache_dir=Path(args.cache_dir) if args.cache_dir else None,
            cache_bytes=args.cache_mb * 1024 * 1024,
            ready_before_truth=(
                args.portals > AUTO_BACKGROUND_TRUTH
                if args.ready_before_truth is None
                else args.ready_before_truth
            ),
        )
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--portals", type=int, default=12, help="number of portals (default 12)")
    parser.add_argument("--seed", type=int, default=1, help="landscape seed (default 1)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address of the control API /__sim/ (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="port of every host (default: one free on all addresses)",
    )
    parser.add_argument("--truth", required=True, help="write the truth JSON here")
    parser.add_argument(
        "--sites",
        required=True,
        help="write the sites CSV here (for scrapy crawl gov_reports -a sites=)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=2.0,
        help="requests per second each host allows (0: no limit; default 2)",
    )
    parser.add_argument(
        "--burst", type=float, default=2.0, help="token-bucket size of each host (default 2)"
    )
    parser.add_argument(
        "--with-seeds", action="store_true", help="add a portal serving the five real seed reports"
    )
    parser.add_argument(
        "--slow-delay",
        type=float,
        default=1.0,
        help="seconds the slow host waits before answering (default 1)",
    )
    parser.add_argument("--ready-file", help="write a JSON line here once serving")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="serving processes, each owning a share of the portals (default: CPU count, <= 4)",
    )
    parser.add_argument(
        "--cache-dir", help="keep truth parts and rendered attachments here between runs"
    )
    parser.add_argument(
        "--cache-mb",
        type=int,
        default=512,
        help="memory for rendered pages, per worker (default 512 MB)",
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--ready-before-truth",
        dest="ready_before_truth",
        action="store_const",
        const=True,
        help="report ready once every host serves; finish the truth in the background "
        f"(the default above {AUTO_BACKGROUND_TRUTH} portals)",
    )
    order.add_argument(
        "--truth-first",
        dest="ready_before_truth",
        action="store_const",
        const=False,
        help="report ready only once the truth file is complete "
        f"(the default up to {AUTO_BACKGROUND_TRUTH} portals)",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "simulate",
        help="serve simulated county portals (the offline target of crawls and tests)",
        description=(
            "Serve N simulated county portals, each on its own loopback address, until "
            "stopped; write the truth (every published report) and a sites CSV first."
        ),
    )
    add_arguments(parser)
    parser.set_defaults(func=_run)
