"""gov-reports: crawls 政府信息公开工作年度报告 into PostgreSQL.

``crawler`` is the core: settings, items, the pure parser, the database layer and
the command line. It knows nothing of Scrapy's reactor.
"""

__version__ = "0.1.0"
