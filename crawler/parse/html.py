"""placeholder"""
from crawler.parse.model import CleanedDocument


def clean_html(body: bytes, *, url: str | None = None, encoding: str | None = None) -> CleanedDocument:
    raise NotImplementedError
