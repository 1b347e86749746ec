"""What a user reads on a page that is not Chinese: English words and raw codes in the visible text.

Used by the demo-wide walk (test_demo_reads_chinese.py) and runnable by hand against a served demo:
``python -m tests.browser.chinese_scan http://127.0.0.1:8000`` prints every finding per role and page.
"""

import re
import sys
from urllib.parse import urljoin, urlsplit

# ASCII words a Chinese clerk reads as they are. Kept short on purpose; each with why it may stay:
ALLOWED = {
    "PDF",  # the file type, as every office says it
    "Excel",  # "导出 Excel": the program the office opens the list in
    "Word",  # "生成通报（Word）": the program the notice opens in
    "WPS",  # the office suite Chinese offices use
    "API",  # the interface's own name for integrators (令牌/接口 pages)
    "GB/T",  # standard numbers (GB/T 9704, GB/T 2260) are written in Latin letters
    "PNG",  # the picture format a chart is saved as
    "URL",  # the webhook address field
    "docx",  # file names of the issued documents
    "xlsx",  # file names of the exports and the import template
    "csv",  # the import accepts .csv
    "English",  # the language switcher offers English in English, as every bilingual site does
    "EXIF",  # the photos' recorded time and place, named as cameras name it
    "GPS",  # the photos' position
    "TOTP",  # the second factor's kind, named as the authenticator apps name it
    "JPEG",  # the photo formats accepted, named as cameras and phones name them
    "WebP",
    "GBK",  # the Chinese encoding a .csv may come in (GBK/GB18030), named as Excel and WPS name it
    "SMT",  # a demo project's production line (SMT生产线), as Chinese electronics makers write it
    "Ctrl",  # the key to hold for choosing several, as printed on the keyboard
}

ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9_./@-])[A-Za-z]{3,}(?![A-Za-z0-9_@-])")
CODES = [
    ("period code", re.compile(r"(?<![\d-])20\d\d-(?:0?[1-9]|1[0-2])(?:-[123])?(?![\d-])")),
    ("choice value", re.compile(r"\b[a-z]+_[a-z_]+\b")),
    ("None", re.compile(r"\bNone\b")),
    ("True/False", re.compile(r"\b(?:True|False)\b")),
    ("empty choice", re.compile(r"-{5,}")),
    # a float as Python prints it (0.8674698795180723); coordinates keep their six decimals
    ("raw number", re.compile(r"(?<![\d.])\d+\.\d{7,}(?![\d.])")),
]
# period codes are words of dates too: a date 2026-11-30 is fine, 2026-11 or 2026-11-3 alone is a code
DATE = re.compile(r"20\d\d-\d\d-\d\d")


def findings(text: str) -> list[str]:
    """Every English word and raw code in ``text`` (a page's inner_text), as 'kind: excerpt'."""
    found = []
    without_dates = DATE.sub(" ", text)
    for word in ENGLISH_WORD.findall(without_dates):
        if word not in ALLOWED and word.lower() not in {a.lower() for a in ALLOWED}:
            found.append(f"English: {word}")
    for kind, pattern in CODES:
        source = without_dates if kind == "period code" else text
        for match in pattern.finditer(source):
            start = max(match.start() - 12, 0)
            found.append(f"{kind}: …{source[start : match.end() + 12]}…".replace("\n", " "))
    return found


SKIP = re.compile(
    r"/(logout|export|notice|download|file|photos?/\d+|media)/|\.(docx|xlsx|csv|pdf|png|jpe?g)$|/set_language"
)


def visible_text(page) -> str:
    """The page's inner_text without what is typed rather than read — account names and commands, marked up as
    <code> or <kbd> (the login page's demo accounts, the console commands named on a page) — and without the
    audit trail's recorded before/after (<pre>), which the auditor reads verbatim as evidence. A title (the
    browser's tab, the printed page's header) holding markup — a block left open in a template — is read too."""
    text = page.inner_text("body")
    title = page.title()
    if re.search(r"[<>]|{%|{{", title):
        text += f"\n{title}"
    for typed in page.locator("main code, main kbd, main pre").all_inner_texts():
        text = text.replace(typed, " ", 1)
    return text


def shape(url: str) -> str:
    """A page's shape: its path with the numbers taken out (one project page stands for all 36)."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + ("?" + re.sub(r"=[^&]*", "", parts.query) if parts.query else "")


def walk(page, base_url: str, depth: int = 2, limit: int = 300, start: list[str] | None = None):
    """Visit the menu's pages (or the ``start`` pages) and the pages they link to, one of each shape, yielding
    (url, status, visible text)."""
    if start is None:
        page.goto(urljoin(base_url, "/"))
        # the menu, and the header's links beside it (notifications, my account)
        menu = page.eval_on_selector_all(".topbar a[href]", "els => els.map(e => e.getAttribute('href'))")
        start = [page.url] + [urljoin(page.url, h) for h in menu]
    else:
        start = [urljoin(base_url, path) for path in start]
    seen, queue = set(), [(u, 0) for u in start]
    host = urlsplit(base_url).netloc
    while queue and len(seen) < limit:
        url, level = queue.pop(0)
        if urlsplit(url).netloc != host or SKIP.search(urlsplit(url).path) or shape(url) in seen:
            continue
        seen.add(shape(url))
        try:
            response = page.goto(url)
        except Exception as exc:  # a link that downloads a file (Excel, Word) is not a page to read
            if "Download is starting" in str(exc):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        yield page.url, response.status, visible_text(page)
        # Django's admin is walked to its index only: past it are its own pages (changelists, the raw YAML and
        # JSON editors of schemes and rules) whose words are the configuration's keys
        if level < depth and "/admin/" not in url:
            hrefs = page.eval_on_selector_all(
                "main a[href]", "els => els.filter(e => !e.hasAttribute('download')).map(e => e.href)"
            )
            queue.extend(
                (h.split("#")[0], level + 1) for h in hrefs if h.startswith("http") and "/admin/" not in h
            )


# The public's pages: the disclosure portal and the sign-in page.
PUBLIC = ["/assess/public/", "/accounts/login/"]

ROLES = [
    "office",
    "reporter",
    "reviewer",
    "leader",
    "evaluator",
    "team",
    "principal",
    "sysadmin",
    "secadmin",
    "auditor",
    "landaudit",
]


def main(base_url: str, only: str = "") -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for role in [None, *ROLES]:
            if only and (role or "public") not in only.split(","):
                continue
            context = browser.new_context(base_url=base_url, locale="zh-CN")
            page = context.new_page()
            if role:
                page.goto("/accounts/login/")
                page.fill("#id_username", role)
                page.fill("#id_password", "Gongjian@2026")
                page.click("button[type=submit]")
                pages = walk(page, base_url)
            else:
                pages = walk(page, base_url, start=PUBLIC)
            for url, status, text in pages:
                found = findings(text)
                if found or status >= 400:
                    print(role, status, url)
                    for f in sorted(set(found))[:15]:
                        print("    ", f)
            context.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
