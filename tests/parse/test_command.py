"""``govreports parse PATH_OR_URL``: URLs served by a real local HTTP server, report files in
every format, documents that are no report, and documents that cannot be read."""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.fabricate import (
    SyntheticReport,
    county_units,
    encode_page,
    generate_report,
    render_attachment,
    render_page,
)


def _report(seed: int) -> SyntheticReport:
    units = county_units("130682", random.Random(0))
    return generate_report(random.Random(seed), units[seed % len(units)], 2022, broken=True)


def _json_cells(report: SyntheticReport) -> dict[str, Any]:
    return {
        cid: None if v is None else int(v) if v == v.to_integral_value() else float(v)
        for cid, v in report.cells.items()
    }


REPORT = _report(7)
PAGE, HEADERS = encode_page(
    render_page(REPORT, layout="table_word", chrome="trs", rng=random.Random(7)),
    charset="gbk-header",
)


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/zwgk/nb/t20230130_1.html":
            self.send_response(200)
            self.send_header("Content-Type", HEADERS["Content-Type"])
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)
        else:
            self.send_error(404)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(["parse", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_url_is_fetched_and_parsed(server: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"{server}/zwgk/nb/t20230130_1.html"
    status, out, _ = _run([url, "--json"], capsys)
    assert status == 0
    got = json.loads(out)
    assert got["source"] == url
    assert got["template"] == REPORT.template
    assert got["cells"] == _json_cells(REPORT)
    assert got["year"] == 2022
    assert got["division_code"] == REPORT.unit.division_code
    arithmetic = sorted((f.rule, list(f.cells)) for f in REPORT.findings)
    assert sorted((f["rule"], f["cells"]) for f in got["findings"]
                  if f["rule"].startswith(("s2.", "s3.", "s4."))) == arithmetic  # fmt: skip


@pytest.mark.parametrize("path", ["/missing.html", "/zwgk/nb/../nothing"])
def test_url_not_found_is_one_line(
    server: str, path: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = _run([server + path], capsys)
    assert status != 0 and out == ""
    assert "404" in err and err.count("\n") == 1


def test_unreachable_url_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    status, _, err = _run([f"http://127.0.0.1:{port}/a.html"], capsys)
    assert status != 0
    assert "cannot fetch" in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "body", "reason"),
    [
        ("empty.html", b"", "empty"),
        ("blank.txt", b"  \n\n\t ", "empty"),
        ("junk.html", bytes(range(256)) * 64, "binary"),
        ("nul.txt", b"\x00" * 4096, "binary"),
    ],
)
def test_unreadable_files_are_one_line(
    tmp_path: Path, name: str, body: bytes, reason: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    status, out, err = _run([str(path), "--json"], capsys)
    assert status == 2 and out == ""
    assert reason in err and err.count("\n") == 1 and err.startswith("govreports parse:")


@pytest.mark.parametrize(
    ("name", "body", "rule"),
    [
        ("news.txt", "县委召开全体会议，部署冬季安全生产工作。\n会议强调要压实责任。\n".encode(),
         "doc.not_a_report"),
        ("page.html", "<html><head><title>首页</title></head><body><p>欢迎访问</p></body></html>"
         .encode("gbk"), "doc.not_a_report"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "doc.image_only"),
    ],
)  # fmt: skip
def test_not_a_report_says_why(
    tmp_path: Path, name: str, body: bytes, rule: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(body)
    status, out, _ = _run([str(path), "--json"], capsys)
    assert status == 0
    got = json.loads(out)
    assert got["template"] is None and got["cells"] == {}
    assert got["is_report"] is False or rule != "doc.not_a_report"
    assert rule in [f["rule"] for f in got["findings"]]
    assert all(f["detail"] for f in got["findings"])
    status, out, _ = _run([str(path)], capsys)  # the readable summary says it too
    assert status == 0 and rule in out and "template:     -" in out


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_report_files_in_attachment_formats(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = _report(3)
    path = tmp_path / f"report.{fmt}"
    path.write_bytes(render_attachment(report, fmt, random.Random(3)))
    status, out, _ = _run([str(path), "--json"], capsys)
    assert status == 0
    got = json.loads(out)
    assert got["template"] == report.template
    wrong = {
        cid: (got["cells"].get(cid), v)
        for cid, v in _json_cells(report).items()
        if got["cells"].get(cid) != v and Decimal(str(got["cells"].get(cid) or 0)) != (v or 0)
    }
    assert not wrong


def test_doc_stand_in_is_a_finding_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "report.doc"
    path.write_bytes(render_attachment(_report(4), "doc", random.Random(4)))
    status, out, _ = _run([str(path), "--json"], capsys)
    assert status == 0
    got = json.loads(out)
    assert got["template"] is None
    assert got["findings"] and all(f["rule"].startswith("doc.") for f in got["findings"])
