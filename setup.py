"""Shim for scrapyd-deploy, which runs ``setup.py bdist_egg``; configuration is in pyproject.toml.

Keep it: without a setup.py, scrapyd-deploy writes its own, which packages every folder.
"""

from setuptools import setup

setup()
