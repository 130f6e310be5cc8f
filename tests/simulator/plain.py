"""A plain HTTP client and a small family-aware crawler for the simulator tests.

No JavaScript: the crawler reads links, TRS ``countPage`` scripts, Hanweb's XML
records and ``dataproxy.jsp``, and (when told the API) gkmlpt's JSON, as a good
static crawler would.
"""

from __future__ import annotations

import http.client
import json
import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html

REPORT_TITLE = re.compile(
    r"(\d{4})年度?.{0,40}?政府信息公开(?:工作)?年度报告|政府信息公开(?:工作)?年度报告"
)


@dataclass
class Fetched:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def charset(self) -> str:
        ctype = self.header("content-type").lower()
        if "charset=" in ctype:
            name = ctype.split("charset=", 1)[1].split(";")[0].strip()
            return "gb18030" if name in ("gb2312", "gbk") else name
        head = self.body[:2048].decode("ascii", "replace").lower()
        match = re.search(r'<meta[^>]+charset=["\']?([\w-]+)', head)
        if match and "httpequiv" not in head:
            name = match.group(1)
            return "gb18030" if name in ("gb2312", "gbk") else name
        try:
            self.body.decode("utf-8")
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"

    @property
    def text(self) -> str:
        return self.body.decode(self.charset(), "replace")


class Client:
    """Keep-alive connections per host; cookies kept per host when asked."""

    def __init__(self, cookies: bool = False, timeout: float = 30.0) -> None:
        self.connections: dict[str, http.client.HTTPConnection] = {}
        self.jar: dict[str, dict[str, str]] = {}
        self.keep_cookies = cookies
        self.timeout = timeout
        self.requests = 0

    def request(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        follow: bool = True,
    ) -> Fetched:
        for _ in range(10):
            parts = urlsplit(url)
            netloc = parts.netloc
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            hdrs = {"User-Agent": "plain-test-client"}
            hdrs.update(headers or {})
            if self.keep_cookies and self.jar.get(netloc):
                hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar[netloc].items())
            response = self._send(netloc, method, path, body, hdrs)
            self.requests += 1
            data = response.read()
            got = {k.lower(): v for k, v in response.getheaders()}
            if self.keep_cookies:
                for key, value in response.getheaders():
                    if key.lower() == "set-cookie":
                        name, _, rest = value.partition("=")
                        self.jar.setdefault(netloc, {})[name.strip()] = rest.split(";", 1)[0]
            fetched = Fetched(url, response.status, got, data)
            if follow and response.status in (301, 302, 303, 307, 308) and "location" in got:
                url = urljoin(url, got["location"])
                method, body = "GET", None
                continue
            return fetched
        raise RuntimeError(f"too many redirects at {url}")

    def _send(
        self, netloc: str, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        for attempt in range(2):
            conn = self.connections.get(netloc)
            if conn is None:
                host, _, port = netloc.partition(":")
                conn = http.client.HTTPConnection(host, int(port or 80), timeout=self.timeout)
                self.connections[netloc] = conn
            try:
                conn.request(method, path, body=body, headers=headers)
                return conn.getresponse()
            except (http.client.HTTPException, ConnectionError, OSError):
                conn.close()
                self.connections.pop(netloc, None)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def get(self, url: str, **kwargs: object) -> Fetched:
        return self.request(url, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        for conn in self.connections.values():
            conn.close()
        self.connections.clear()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def links(page: Fetched) -> list[tuple[str, str]]:
    """(absolute url, text) of every <a href> in the page and in Hanweb XML records."""
    text = page.text
    out: list[tuple[str, str]] = []
    try:
        tree = lxml.html.fromstring(text)
    except Exception:
        return out
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        out.append((urljoin(page.url, href), a.text_content().strip()))
    for record in re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", text, re.S):
        for href, title in re.findall(r"<a href='([^']+)'[^>]*>([^<]*)</a>", record):
            out.append((urljoin(page.url, href), title))
    return out


def title_of(page: Fetched) -> str:
    match = re.search(r"<title>(.*?)</title>", page.text, re.S)
    return match.group(1).strip() if match else ""


@dataclass
class CrawlResult:
    pages: dict[str, int] = field(default_factory=dict)  # url -> status
    reports: set[str] = field(default_factory=set)  # report page urls found by title
    files: set[str] = field(default_factory=set)  # attachment / image urls linked from reports
    titles: dict[str, str] = field(default_factory=dict)


_FILE = re.compile(
    r"\.(pdf|docx?|xlsx?|wps|png|jpe?g)$|downfile\.jsp|download\.jsp|"
    r"downloadZtbAttach",
    re.I,
)
_SKIP = re.compile(r"calendar|hdrl\.html|/old/|xxgkml|search", re.I)


def crawl(
    client: Client,
    start: str,
    *,
    max_pages: int = 600,
    use_api: bool = True,
    max_list_pages: int = 30,
    script_pagers: bool = True,
) -> CrawlResult:
    """Breadth-first over one host, following each family's list mechanism (with
    ``script_pagers=False``: not TRS countPage scripts nor Hanweb's dataproxy)."""
    host = urlsplit(start).netloc
    result = CrawlResult()
    queue: deque[str] = deque([start])
    seen = {start}

    def push(url: str) -> None:
        url = url.split("#", 1)[0] if "#" in url and "/gkmlpt/" not in url else url
        if urlsplit(url).netloc != host or url in seen or _SKIP.search(url):
            return
        seen.add(url)
        queue.append(url)

    while queue and len(result.pages) < max_pages:
        url = queue.popleft()
        if _FILE.search(urlsplit(url).path + "?" + urlsplit(url).query):
            result.files.add(url)
            continue
        page = client.get(url.split("#", 1)[0])
        result.pages[url] = page.status
        if page.status != 200 or "html" not in page.header("content-type"):
            continue
        title = title_of(page)
        result.titles[url] = title
        if REPORT_TITLE.search(title) and not re.search(r"通知|要点|法治|报表|营商|信用", title):
            result.reports.add(url)
        text = page.text
        for href, _ in links(page):
            push(href)
        # TRS: countPage + createPageHTML / index_N
        count = re.search(r"countPage\s*=\s*(\d+)", text) if script_pagers else None
        if (count and "createPageHTML(countPage" in text) or (count and "countnum" in text):
            pages = min(int(count.group(1)), max_list_pages)
            base = url.split("#")[0].rsplit("/", 1)[0] + "/"
            ext = re.search(
                r'createPageHTML\(countPage,\s*currentPage,\s*"index",\s*"(\w+)"\)', text
            )
            suffix = (
                ext.group(1)
                if ext
                else url.rsplit(".", 1)[-1]
                if "." in url.rsplit("/", 1)[-1]
                else "html"
            )
            for n in range(1, pages):
                push(f"{base}index_{n}.{suffix}")
        split = re.search(r'createPageHTML\((\d+),\s*(\d+),\s*"(t\d+_\d+)",\s*"(\w+)"\)', text)
        if split:
            base = url.rsplit("/", 1)[0] + "/"
            for n in range(1, int(split.group(1))):
                push(f"{base}{split.group(3)}_{n}.{split.group(4)}")
        # Hanweb: the rest of the list through dataproxy.jsp
        params = re.search(
            r"columnid:(\d+);unitid:'(\d+)';webid:(\d+);perpage:(\d+);totalRecord:(\d+)", text
        )
        if params and script_pagers:
            colid, unitid, webid, per, total = (int(x) for x in params.groups())
            pages = min(-(-total // per), max_list_pages)
            for n in range(2, pages + 1):
                proxy = (
                    f"http://{host}/module/web/jpage/dataproxy.jsp?page={n}&appid=1"
                    f"&webid={webid}&path=/&columnid={colid}&unitid={unitid}&permissiontype=0"
                )
                xml = client.get(proxy)
                for href, _ in links(Fetched(proxy, xml.status, xml.headers, xml.body)):
                    push(href)
        # gkmlpt: the JSON API
        sid = re.search(r"SID:\s*'(\d+)'", text)
        if sid and use_api:
            cats = set(re.findall(r'href="#(\d+)"', text)) | set(
                re.findall(r"/gkmlpt/(?:index|annualreport)#(\d+)", text)
            )
            default = re.search(r"DEFAULT_CAT:\s*'(\d+)'", text)
            if default:
                cats.add(default.group(1))
            for cat in sorted(cats):
                for n in range(1, max_list_pages + 1):
                    api = f"http://{host}/gkmlpt/api/all/{cat}?page={n}&sid={sid.group(1)}"
                    data = json.loads(client.get(api).body or b"{}")
                    for article in data.get("articles", []):
                        push(article["url"])
                    if n * int(data.get("size") or 10) >= int(data.get("total") or 0):
                        break
    return result
