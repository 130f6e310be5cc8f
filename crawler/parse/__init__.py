"""Pure, typed parsing of annual-report documents (no Scrapy imports)."""
