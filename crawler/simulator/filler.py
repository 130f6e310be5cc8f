"""Texts of the pages around the reports: news, guides, and the look-alike decoys
(年度报告的通知, 政务公开工作要点, other kinds of 年度报告, 统计公报)."""

from __future__ import annotations

import random
from html import escape

from crawler.simulator.model import Article, Portal

_NEWS_PARAS = (
    "{date}，{county}召开专题会议，研究部署下一阶段重点工作。会议强调，要坚持以人民为中心的发展思想，"
    "压紧压实工作责任，确保各项任务落地见效。",
    "会议指出，各乡镇（街道）、各部门要进一步提高政治站位，强化统筹协调，加强督促检查，"
    "推动工作取得新成效。",
    "县政府有关负责同志出席会议并讲话，各乡镇（街道）、县直有关部门主要负责同志参加会议。",
    "下一步，{county}将持续深化改革创新，聚焦群众急难愁盼问题，不断提升人民群众的获得感、幸福感、安全感。",
    "活动现场，工作人员向群众发放宣传资料{n}余份，解答群众咨询{m}人次，取得了良好的社会效果。",
)


def paragraphs(texts: list[str]) -> str:
    return "\n".join(f'<p style="text-indent:2em;">{escape(t)}</p>' for t in texts)


def news_body(portal: Portal, article: Article) -> str:
    rng = random.Random(f"{portal.key}:{article.key}:news")
    date = f"{article.date.month}月{article.date.day}日"
    chosen = rng.sample(_NEWS_PARAS, k=rng.randint(3, len(_NEWS_PARAS)))
    return paragraphs(
        [
            p.format(date=date, county=portal.name, n=rng.randint(100, 900), m=rng.randint(20, 300))
            for p in chosen
        ]
    )


def decoy_body(portal: Portal, article: Article) -> str:
    rng = random.Random(f"{portal.key}:{article.key}:decoy")
    county = portal.name
    year = article.date.year
    kind = article.decoy_kind
    if kind == "notice":
        report_year = year if article.date.month == 12 else year - 1
        return paragraphs(
            [
                f"各乡镇人民政府、街道办事处，{county}政府各部门：",
                f"根据《中华人民共和国政府信息公开条例》和国务院办公厅政府信息与政务公开办公室"
                f"关于政府信息公开工作年度报告格式的要求，现就做好{report_year}年度政府信息公开工作"
                "年度报告编制发布工作通知如下：",
                f"一、各单位要严格按照统一格式编制本单位{report_year}年度政府信息公开工作年度报告，"
                "确保数据准确、内容完整，表格中各项数据须符合勾稽关系。",
                f"二、年度报告须于{report_year + 1}年1月31日前在本单位政府信息公开专栏发布，"
                "并将发布链接报送县政府办公室。",
                "三、请各单位高度重视，明确专人负责，按时完成报告编制发布工作。",
                f"{county}人民政府办公室",
                f"{article.date.year}年{article.date.month}月{article.date.day}日",
            ]
        )
    if kind == "work-points":
        points = [
            "一、深化重点领域信息公开，围绕稳增长、促改革、调结构、惠民生加大政策解读力度。",
            "二、加强政策文件管理，做好行政规范性文件的集中公开和动态更新。",
            "三、规范依申请公开办理，严格按照法定时限答复，提升答复质量。",
            "四、加强政府网站和政务新媒体建设，提升政务公开平台服务能力。",
            "五、按时编制发布政府信息公开工作年度报告，确保数据准确、格式规范。",
            "六、强化组织保障和监督考核，将政务公开工作纳入年度绩效考核。",
        ]
        return paragraphs([f"为深入推进{county}政务公开工作，结合实际，制定本要点。", *points])
    if kind == "statistics-bulletin":
        gdp = rng.randint(80, 600)
        return paragraphs(
            [
                f"{year - 1}年，全{county[-1]}上下坚持稳中求进工作总基调，经济社会持续健康发展。",
                f"初步核算，全年地区生产总值{gdp}.{rng.randint(1, 9)}亿元，比上年增长"
                f"{rng.randint(30, 80) / 10}%。",
                f"全年一般公共预算收入{rng.randint(5, 40)}.{rng.randint(1, 9)}亿元，"
                f"城镇居民人均可支配收入{rng.randint(25000, 48000)}元。",
            ]
        )
    # other kinds of 年度报告: 法治政府建设, 网站年度报表, 营商环境, 信用体系
    return paragraphs(
        [
            f"{year - 1}年，{county}人民政府在上级党委、政府的坚强领导下，"
            "深入贯彻落实有关决策部署，各项工作取得积极成效。现将有关情况报告如下：",
            "一、主要举措和成效。健全工作机制，完善制度体系，强化督促落实，推动各项任务全面完成。",
            "二、存在的不足和原因。工作推进还不够平衡，基层工作力量有待加强。",
            "三、下一年度工作安排。持续深化改革，补齐短板弱项，推动工作再上新台阶。",
            f"{county}人民政府",
        ]
    )


def guide_body(portal: Portal, article: Article) -> str:
    return paragraphs(
        [
            f"为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制{article.title}。",
            "一、主动公开。主动公开的政府信息，通过政府门户网站、政务新媒体等途径公开。",
            "二、依申请公开。公民、法人或者其他组织可以向本机关申请获取相关政府信息。",
            f"三、受理机构：{portal.name}人民政府办公室。",
        ]
    )
