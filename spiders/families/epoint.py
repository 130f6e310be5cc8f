"""新点 Epoint WebBuilder: lists at ``/info/iList.jsp?…&cur_page=N`` with anchor pagers
(``下一页``, ``末页``), ``ewb-*`` markup; generic discovery reads them. The adapter only
recognises the family."""

from __future__ import annotations

import re
from typing import Final

from spiders.discovery import Page
from spiders.families.base import Adapter

MARKERS: Final = re.compile(r"Epoint WebBuilder|ewb-|iList\.jsp|EpointWebBuilder")


class Epoint(Adapter):
    name = "epoint"

    def detect(self, page: Page) -> bool:
        return bool(MARKERS.search(page.text))
