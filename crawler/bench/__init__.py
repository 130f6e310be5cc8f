"""Benchmarks: ``python -m crawler.bench.parse`` (``make bench-parse``: our parse beside
trafilatura) and ``python -m crawler.bench.crawl`` (``make bench-crawl``) with the scoring
harness it shares with the tests (:mod:`crawler.bench.harness`)."""
