"""Fixtures of the browser tests: one WordPress site wired to one sidecar and one logged-in
Chromium per module (each costs seconds to start), a clean slate of webhooks for every test.

Screenshots land in test-artifacts/browser/ at the repository root; the run's summary prints it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Iterator

import pytest

from tests.browser.browser import Browser, missing_tools
from tests.conftest import CertificateAuthority, skip_or_fail
from tests.support.api import expect, list_webhooks
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.wordpress import WordPressSite, wordpress  # noqa: F401  (registers the shared site)

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "browser"
PAGE = "/wp-admin/admin.php?page=fcwh-webhooks"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    """Emptied once per run, so the folder shows this run's screens only."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    print(f"\nbrowser screenshots: {SCREENSHOTS}")
    return SCREENSHOTS


@pytest.fixture(scope="module")
def sidecar(tmp_path_factory: pytest.TempPathFactory, https_ca: CertificateAuthority,
            wordpress: WordPressSite) -> Iterator[Sidecar]:
    """A sidecar on the site's own MariaDB database, as deployed (FCWH_ALLOW_HTTP stays 0).

    The plugin finds it through the options the settings screen edits, not through constants.
    """
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("browser-sidecar"), https_ca.bundle)
    try:
        sidecar = launcher.launch(database_url=wordpress.database_url)
        wordpress.drop_sidecar_constants()
        yield sidecar
    finally:
        launcher.shutdown_all()


@pytest.fixture(scope="module")
def browser(screenshots_dir: Path, tmp_path_factory: pytest.TempPathFactory,
            wordpress: WordPressSite) -> Iterator[Browser]:
    """Chromium, logged in to wp-admin as the site's administrator."""
    missing = missing_tools()
    if missing:
        skip_or_fail(f"browser tests need: {', '.join(missing)}")
    browser = Browser(screenshots_dir, tmp_path_factory.mktemp("browser") / "driver.log").start()
    try:
        browser.goto(wordpress.url + "/wp-login.php")
        browser.fill("#user_login", wordpress.admin_user)
        browser.fill("#user_pass", wordpress.admin_password)
        browser.click("#wp-submit")
        browser.wait_for("#wpadminbar")
        yield browser
    finally:
        browser.close()


class AdminScreen:
    """Opens the screen's views by URL, always as a fresh page load."""

    def __init__(self, browser: Browser, site_url: str) -> None:
        self.browser = browser
        self.site_url = site_url
        self.loads = 0

    def url(self, view: str = "", tab: str = "") -> str:
        # A query that changes on every call: a new document, not just a hash change.
        self.loads += 1
        return f"{self.site_url}{PAGE}{'&tab=' + tab if tab else ''}&load={self.loads}{view}"

    def open(self, view: str = "") -> None:
        """The webhooks tab at `view`, a hash route such as `#/webhooks/3/deliveries`."""
        self.browser.goto(self.url(view))
        self.browser.wait_for(".fcwh-view-title")

    def open_settings(self) -> None:
        self.browser.goto(self.url(tab="settings"))
        self.browser.wait_for(".fcwh-settings-form")


@pytest.fixture
def screen(browser: Browser, sidecar: Sidecar, wordpress: WordPressSite) -> Iterator[AdminScreen]:
    """The screen over an empty sidecar and the plugin pointed at it; no JavaScript error allowed."""
    for webhook in list_webhooks(sidecar.api):  # left by earlier tests or other modules
        expect(sidecar.api.delete(f"/v2/webhooks/{webhook['id']}"), 200)
    wordpress.set_option("fcwh_sidecar_url", sidecar.url)
    wordpress.set_option("fcwh_api_token", sidecar.token)
    browser.problems()  # forget what earlier tests left
    yield AdminScreen(browser, wordpress.url)
    errors = [problem for problem in browser.problems() if problem.startswith("pageerror")]
    assert errors == [], f"JavaScript errors in the page: {errors}"
    php_errors = [line for line in wordpress.plugin_errors() if "/includes/admin/" in line]
    assert php_errors == [], "PHP errors from the admin screens:\n" + "\n".join(php_errors)
