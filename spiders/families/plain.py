"""Hand-built and unknown sites: generic discovery alone (anchors, pagers, URL shapes)."""

from __future__ import annotations

from spiders.families.base import Adapter


class Plain(Adapter):
    name = "plain"
