"""Spiders: ``gov_reports`` and the CMS-family adapters it discovers reports with."""
