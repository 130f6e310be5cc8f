"""Reading one cell as a number, exactly as printed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.parse.numbers import Kind, read, to_wan


@pytest.mark.parametrize(
    ("text", "kind", "value", "unit"),
    [
        ("0", Kind.NUMBER, Decimal(0), None),
        ("12", Kind.NUMBER, Decimal(12), None),
        ("１２３", Kind.NUMBER, Decimal(123), None),  # full-width digits
        ("1,234", Kind.NUMBER, Decimal(1234), None),
        ("１，２３４", Kind.NUMBER, Decimal(1234), None),  # full-width comma
        ("12,345,678.5", Kind.NUMBER, Decimal("12345678.5"), None),
        ("0.00", Kind.NUMBER, Decimal("0.00"), None),
        ("0.0350", Kind.NUMBER, Decimal("0.0350"), None),
        ("-3", Kind.NUMBER, Decimal(-3), None),
        ("－3", Kind.NUMBER, Decimal(-3), None),  # full-width minus
        ("−3", Kind.NUMBER, Decimal(-3), None),  # U+2212
        ("+2", Kind.NUMBER, Decimal(2), None),
        ("\u00a00\u00a0", Kind.NUMBER, Decimal(0), None),
        ("\u3000 5 ", Kind.NUMBER, Decimal(5), None),
        ("3.5万元", Kind.NUMBER, Decimal("3.5"), "万元"),
        ("800元", Kind.NUMBER, Decimal(800), "元"),
        ("6件", Kind.NUMBER, Decimal(6), None),
        ("6 件", Kind.NUMBER, Decimal(6), None),
        ("1 234", Kind.TEXT, None, None),  # never glued into 1234
        ("0 1 0", Kind.TEXT, None, None),
        ("", Kind.BLANK, None, None),
        ("\u00a0\u3000\t", Kind.BLANK, None, None),
        ("—", Kind.NOT_NUMBER, None, None),
        ("——", Kind.NOT_NUMBER, None, None),
        ("-", Kind.NOT_NUMBER, None, None),
        ("--", Kind.NOT_NUMBER, None, None),
        ("/", Kind.NOT_NUMBER, None, None),
        ("／", Kind.NOT_NUMBER, None, None),
        ("无", Kind.NOT_NUMBER, None, None),
        ("×", Kind.NOT_NUMBER, None, None),
        ("1,23", Kind.TEXT, None, None),  # not a thousands grouping
        ("1.", Kind.TEXT, None, None),  # a list number, a label
        ("1、", Kind.TEXT, None, None),
        ("第二十条第（一）项", Kind.TEXT, None, None),
        ("本年收费金额（单位：万元，保留4位小数）", Kind.TEXT, None, None),
        ("无。", Kind.TEXT, None, None),
        ("2021年", Kind.TEXT, None, None),
    ],
)
def test_read(text: str, kind: Kind, value: Decimal | None, unit: str | None) -> None:
    reading = read(text)
    assert (reading.kind, reading.value, reading.unit) == (kind, value, unit)


def test_to_wan() -> None:
    assert to_wan(Decimal(12500), "元") == Decimal("1.25")
    assert to_wan(Decimal("1.25"), "万元") == Decimal("1.25")
    assert to_wan(Decimal("1.25"), None) == Decimal("1.25")
