"""The offline portal simulator (``govreports simulate``).

A landscape of simulated county portals, each on its own loopback address, built
from real geography and the CMS families of ``shared/research/portals.md``, serving
fabricated reports (:mod:`crawler.fabricate`) and writing the truth of what it
publishes. See :mod:`crawler.simulator.run` for start-up and hosts,
:mod:`crawler.simulator.landscape` for what is published where,
:mod:`crawler.simulator.truth` for the truth format and
:mod:`crawler.simulator.process` for running it from tests.
"""
