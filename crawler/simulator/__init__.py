"""The offline portal simulator (``govreports simulate``).

A landscape of simulated county portals, each on its own loopback address, built from
real geography (:mod:`crawler.registry`) and the CMS families of
``shared/research/portals.md``, serving fabricated reports (:mod:`crawler.fabricate`)
and writing the truth of everything it publishes. It is the target of the demo, of the
crawl tests and of the crawl benchmarks.

Command line::

    govreports simulate [--portals 12] [--seed 1] [--host 127.0.0.1] [--port 0]
        --truth truth.json --sites sites.csv [--rate 2] [--burst 2] [--with-seeds]
        [--slow-delay 1] [--workers N] [--cache-dir DIR] [--ready-before-truth]
        [--ready-file ready.json] [--cache-mb 512]

(``python -m crawler.simulator`` takes the same arguments.) From Python and tests use
:class:`crawler.simulator.process.SimulatorProcess`.

Modules:

``landscape``   what exists: counties, units, reports, columns, decoys, news, and how
                families, encodings, caching and hostile corners are spread
``families``    one module per CMS family: URL schemes, list markup, pagination,
                detail containers, dynamic endpoints (dataproxy, API, iList.jsp)
``content``     reports from fabricate (cells, display, prose, findings) and their bodies
``files``       attachments (fabricate) and scanned images of 图片版 reports
``chrome``      page furniture; ``encoding`` charsets; ``filler`` news and decoy texts
``challenges``  the 412 (瑞数-like) and 521 (加速乐-like) hosts
``app``         answering a request: rate limit, challenge, route, cache, 304, delay
``server``      the asyncio HTTP/1.1 server; ``run`` the processes; ``control`` /__sim/
``truth``       the truth file and the sites CSV; ``seeds`` the seed portal
``bench``       start-up and requests-per-second measurement with wrk
"""
