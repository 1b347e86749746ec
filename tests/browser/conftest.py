"""Browser tests: Playwright driving Debian's Chromium against the live test server.

CI sets GONGJIAN_REQUIRE_BROWSER=1, so a missing Chromium fails the run there instead of skipping it.
"""

import os
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("GONGJIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class OneRequestAtATime(ThreadedWSGIServer):
    """The live server, each request still in a thread of its own (a socket the browser opened ahead and never used
    holds up no one), but Django answering one at a time."""

    answering = threading.Lock()

    def set_app(self, application):
        def one_at_a_time(environ, start_response):
            with self.answering:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


@pytest.fixture(scope="session", autouse=True)
def _one_request_at_a_time_on_sqlite():
    """On SQLite the live server's threads share the test's one in-memory connection, and with it one transaction
    state: a request leaving an atomic block while another recorded an audit event made the second see "manual
    transaction management" and answer 500 (CI, a loaded machine, the land ledger read by the land auditor). Each
    thread has its own connection on PostgreSQL, which is left as it is."""
    if connection.vendor == "sqlite":
        LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("GONGJIAN_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the tests still use the ORM synchronously.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """phone(username, password) → a page on a 390 × 844 touch screen, signed in through the login form."""
    contexts = []

    def open_as(username, password):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        return page

    yield open_as
    for context in contexts:
        context.close()


@pytest.fixture
def login(page):
    """login(username, password) signs in through the real login form."""

    def sign_in(username, password):
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")

    return sign_in
