"""博达 VSB: static pages; pagers are anchors (``下页``, ``尾页``, numbers counting down
``lm/N.htm``), so generic discovery reads them. The adapter only recognises the family."""

from __future__ import annotations

import re
from typing import Final

from spiders.discovery import Page
from spiders.families.base import Adapter

MARKERS: Final = re.compile(
    r"VSB 博达|_newscontent_fromname|vsb_content|pb_sys_common|/info/\d+/\d+\.htm"
)


class Vsb(Adapter):
    name = "vsb"

    def detect(self, page: Page) -> bool:
        return bool(MARKERS.search(page.text))
