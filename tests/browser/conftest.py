"""Browser tests: the session app served by waitress on a free port, driven by Chromium (playwright).

The live server shares the session `app` (and its database) with the other tests.
Real CSRF protection is switched on only while a browser test runs (the `live_server`
fixture) and restored afterwards, so the other tests keep TestConfig's setting.

Without /usr/bin/chromium the browser tests are skipped, unless the environment
variable CI is set: then they fail, because CI must run them.
"""
import logging
import os
import re
import threading

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    reason = f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium'); it is missing"
    if os.environ.get("CI"):
        pytest.fail(reason + " and CI is set, so they must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _live_server_url(app):
    """Serve the session app with waitress in a daemon thread; yield its base URL."""
    _require_chromium()  # no point serving if there is no browser
    from waitress import create_server, wasyncore

    # A page load fetches a dozen static files at once: enough threads, and no "queue depth" warnings.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"

    # Close every socket from inside the server loop (its own thread), so the loop ends cleanly.
    server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map, ignore_all=True))
    thread.join(timeout=5)
    server.task_dispatcher.shutdown(timeout=5)
    assert not thread.is_alive(), "the live server did not stop"


@pytest.fixture
def live_server(app, _live_server_url):
    """The live server's base URL, with real CSRF protection while the test runs."""
    before = app.config.get("WTF_CSRF_ENABLED")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield _live_server_url
    finally:
        app.config["WTF_CSRF_ENABLED"] = before


@pytest.fixture(scope="session")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server,
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    """A fresh page in a fresh context (own cookies) per test; relative URLs go to the live server."""
    page = context.new_page()
    errors = []  # uncaught JavaScript errors of the page; a test may assert there are none
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    page.close()


def browser_login(page, username, password):
    """Log in through the login page as a clerk would."""
    page.goto("/login/")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("form input[type=submit], form button[type=submit]").first.click()


def menu(page, category: str, item: str) -> None:
    """Open a menu of the top bar and click one of its entries, as a clerk would."""
    nav = page.locator("nav, .navbar").first
    nav.get_by_role("link", name=category).click()
    with page.expect_navigation():
        nav.locator("ul.dropdown-menu a").filter(has_text=re.compile(rf"^\s*{item}\s*$")).click()


def order_state(page) -> str:
    """The state a work order's page shows."""
    return page.locator("#pm-order-state").inner_text().strip()
