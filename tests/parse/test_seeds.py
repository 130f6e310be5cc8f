"""The five real seed reports, through the text extraction and through portal pages.

Every parse is compared with the hand-checked truth in ``tests/data/seeds``: the whole
table cell by cell, the metadata, and the arithmetic findings the truth lists.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from crawler.cells import CELL_IDS
from crawler.cli import main
from crawler.parse import clean_html, clean_text, parse_document, parse_report, validate
from crawler.parse.model import ARITHMETIC_RULES, SECTION_KEYS, ParsedReport
from crawler.registry import seed_texts
from tests.parse.pages import WRAPPER_ENCODINGS, build, truth

SEEDS = sorted(seed_texts())
WRAPPERS = sorted(WRAPPER_ENCODINGS)


def _expected_value(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def check_against_truth(report: ParsedReport, t: dict[str, Any]) -> None:
    assert report.template == t["template"]
    # The whole table: every canonical id of the template, nothing else, cell by cell.
    assert set(report.cells) == set(CELL_IDS[t["template"]])
    assert set(t["cells"]) == set(CELL_IDS[t["template"]])
    got = {cid: report.cells[cid].value for cid in t["cells"]}
    want = {cid: _expected_value(v) for cid, v in t["cells"].items()}
    assert got == want
    meta = {
        "title": report.title,
        "organ": report.organ,
        "level": report.level,
        "division_code": report.region.division_code,
        "year": report.year,
        "publish_date": report.publish_date.isoformat() if report.publish_date else None,
    }
    assert meta == {k: t[k] for k in meta}
    arithmetic = [f for f in report.findings if f.rule in ARITHMETIC_RULES]
    assert len(arithmetic) == len(t["arithmetic"]), [f.detail for f in arithmetic]
    for expected in t["arithmetic"]:
        assert any(
            f.rule == expected["rule"] and set(expected["cells_include"]) <= set(f.cells)
            for f in arithmetic
        ), expected
    # Nothing the parser could not place.
    assert not [f for f in report.findings if f.rule == "cells.missing"]
    assert report.is_report


@pytest.mark.parametrize("stem", SEEDS)
def test_seed_text(stem: str) -> None:
    report = validate(parse_report(clean_text(seed_texts()[stem])))
    check_against_truth(report, truth(stem))


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("stem", SEEDS)
def test_seed_page(stem: str, wrapper: str) -> None:
    page = build(wrapper, stem, seed_texts()[stem])
    report = parse_document(page.body, url=page.url, encoding=page.header_charset)
    check_against_truth(report, truth(stem))


@pytest.mark.parametrize("wrapper", WRAPPERS)
@pytest.mark.parametrize("stem", SEEDS)
def test_seed_page_sections_match_text(stem: str, wrapper: str) -> None:
    """The page gives the same six section texts as the text extraction, free of chrome."""
    text_report = parse_report(clean_text(seed_texts()[stem]))
    page = build(wrapper, stem, seed_texts()[stem])
    page_report = parse_report(clean_html(page.body, url=page.url, encoding=page.header_charset))
    for key in SECTION_KEYS:
        assert page_report.sections[key] == text_report.sections[key], key
    everything = "\n".join(page_report.sections.values())
    for chrome in ("当前位置", "您的位置", "您现在的位置", "网站标识码", "ICP备", "公网安备", "主办单位",  # noqa: E501
                   "上一篇", "下一篇", "打印", "关闭", "字体", "分享到", "网站地图", "技术支持", "无障碍"):  # fmt: skip  # noqa: E501
        assert chrome not in everything, chrome


# Prose that must reach its section whole (first and last words of sections 一, 五, 六).
SECTION_PROSE = {
    "000_aab5423710c0abba": {
        "一": ("2021年以来，依据", "发挥了积极作用。"),
        "五": ("政务公开工作方面较去年", "确保公开的信息完整率和更新率。"),
        "六": ("政务公开信息如有相关疑问", "及时纠正、改正。"),
    },
    "001_efa573f4a08b13d9": {
        "一": ("1、主动公开政府信息情况", "将追究相关单位责任。"),
        "五": ("1、部分镇、村干部重视程度不够", "提高公开针对性。"),
        "六": ("无", "无"),
    },
    "002_be8646bbc2c5aa8c": {
        "一": ("2022年,昌图镇人民政府", "切实做好政府信息公开工作。"),
        "五": ("(一)工作中存在的主要问题", "继续全面深化政府信息公开工作。"),
        "六": ("无。", "2022年12月23日"),
    },
    "003_1ba8087be046e4e5": {
        "一": ("2020年，马鹿沟镇人民政府", "积极回应群众关注的热点信息。"),
        "五": ("（一）存在主要问题", "同时获取政府相关政务信息。"),
        "六": ("1、组织保障情况", "2021年1月4日"),
    },
    "004_1547371ff49f8649": {
        "一": ("本年度报告依据新修订的", "加强专业知识技能培训。"),
        "五": ("(一)存在问题", "提高信息公开工作队伍业务水平。"),
        "六": ("", ""),
    },
}


@pytest.mark.parametrize("stem", SEEDS)
def test_seed_sections(stem: str) -> None:
    report = parse_report(clean_text(seed_texts()[stem]))
    for key, (first, last) in SECTION_PROSE[stem].items():
        text = report.sections[key]
        assert text.startswith(first), (key, text[:40])
        assert text.endswith(last), (key, text[-40:])
    # Section 三's own rows (一、本年新收 … 四、结转下年度继续办理) stay inside section 三.
    assert "本年新收" in report.sections["三"]
    assert "结转下年度继续办理" in report.sections["三"]
    assert "结转下年度继续办理" not in report.sections["四"]
    for key in ("一", "二", "三", "四", "五"):
        assert report.sections[key], key


def test_seed_004_footer_stripped_from_text() -> None:
    text = seed_texts()["004_1547371ff49f8649"]
    assert "网站标识码" in text  # the extraction carries the portal's footer
    doc = clean_text(text)
    joined = "\n".join(getattr(b, "text", "") for b in doc.blocks)
    for gone in (
        "【上一篇】",
        "主办单位",
        "网站标识码",
        "ICP备案号",
        "公网安备",
        "网站制作",
        "站点地图",
    ):
        assert gone not in joined, gone
    # …but what it said about the page is kept as page facts.
    assert doc.meta["网站标识码"] == "2310020001"
    assert doc.meta["来源"] == "区政府办"


@pytest.mark.parametrize("stem", SEEDS)
def test_cli_json(stem: str, capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    path = tmp_path / f"{stem}.txt"
    path.write_bytes(seed_texts()[stem].encode("utf-8"))
    assert main(["parse", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    t = truth(stem)
    assert out["template"] == t["template"]
    assert out["cells"] == t["cells"]  # ints as JSON ints, null where blank
    for key in ("title", "organ", "level", "division_code", "year", "publish_date"):
        assert out[key] == t[key], key
    assert sorted(out["sections"]) == sorted(SECTION_KEYS)
    rules = [f["rule"] for f in out["findings"]]
    assert sorted(r for r in rules if r in ARITHMETIC_RULES) == sorted(
        a["rule"] for a in t["arithmetic"]
    )
    assert all(set(f) == {"rule", "detail", "cells", "severity"} for f in out["findings"])


def test_cli_html_page(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    stem = "003_1ba8087be046e4e5"
    page = build("hanweb.html", stem, seed_texts()[stem])
    path = tmp_path / "report.shtml"
    path.write_bytes(page.body)
    assert main(["parse", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["template"] == "2019"
    assert out["cells"] == truth(stem)["cells"]
    assert out["publish_date"] == "2021-01-04"


def test_cli_summary(capsys: pytest.CaptureFixture[str], tmp_path: Any) -> None:
    path = tmp_path / "r.txt"
    path.write_text(seed_texts()["004_1547371ff49f8649"], encoding="utf-8")
    assert main(["parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "东安区人民政府办公室" in out
    assert "s3.new.natural_person" in out  # a non-zero cell is listed
    assert "s3.outcome_sum" in out


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p / "missing.html", "no such file"),
        (lambda p: p, "is a directory"),
    ],
)
def test_cli_unreadable(
    make: Any, reason: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["parse", str(make(tmp_path))]) != 0
    err = capsys.readouterr().err.strip()
    assert reason in err
    assert "\n" not in err  # one line


def test_cli_not_a_report(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "notice.html"
    path.write_bytes(
        "<html><head><title>关于做好2022年政府信息公开工作年度报告编制发布工作的通知</title></head>"
        "<body><div class='TRS_Editor'><p>各乡镇人民政府、县政府各部门：请于2023年1月31日前发布"
        "本机关2022年政府信息公开工作年度报告。</p></div></body></html>".encode()
    )
    assert main(["parse", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["template"] is None
    assert out["cells"] == {}
    assert [f["rule"] for f in out["findings"]] == ["doc.not_a_report"]
    assert "通知" in out["findings"][0]["detail"]
