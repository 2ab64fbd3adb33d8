"""Fixtures of the WordPress tests: the shared site (tests/support/wordpress.py) wired to a sidecar
of the module's own on the site's database, the FluentCRM stand-in's controls, and webhooks that
are removed after each test."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.conftest import CertificateAuthority
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.wordpress import WordPressSite, wordpress  # noqa: F401  (registers the fixture)
from tests.wordpress.sidecar_calls import SidecarCalls
from tests.wordpress.standin import FluentCRM
from tests.wordpress.webhooks import WebhooksApi


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/wordpress/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.wordpress)


@pytest.fixture(scope="module")
def site_sidecar(wordpress: WordPressSite, tmp_path_factory: pytest.TempPathFactory,
                 https_ca: CertificateAuthority, request: pytest.FixtureRequest) -> Iterator[Sidecar]:
    """A sidecar on the site's MariaDB database, found by the plugin through wp-config constants."""
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("wp-sidecar"), https_ca.bundle)
    try:
        sidecar = launcher.launch(database_url=wordpress.database_url)
        for webhook in sidecar.api.get("/v2/webhooks").json()["webhooks"]:  # left by other modules
            sidecar.api.delete(f"/v2/webhooks/{webhook['id']}")
        wordpress.use_sidecar_constants(sidecar.url, sidecar.token)
        wordpress.php(FORGET_PLUGIN_STATE)
        yield sidecar
    finally:
        wordpress.drop_sidecar_constants()
        if request.session.testsfailed:
            for launched in launcher.launched:
                print(f"\n=== sidecar {launched.url} ===\n{launched.logs_for_report()}")
        launcher.shutdown_all()


# What earlier modules may have left in the plugin: a cached set of subscribed types, a recorded
# sidecar outage, events for a sidecar that is gone.
FORGET_PLUGIN_STATE = """
delete_option('fcwh_subscribed_events');
delete_option('fcwh_sidecar_health');
update_option('fcwh_outbox_waiting', '0');
$GLOBALS['wpdb']->query('TRUNCATE TABLE ' . fcwh_outbox_table());
"""


@pytest.fixture(scope="module")
def sidecar_calls(wordpress: WordPressSite) -> SidecarCalls:
    return SidecarCalls(wordpress)


@pytest.fixture(autouse=True)
def no_plugin_php_errors(wordpress: WordPressSite) -> Iterator[None]:
    """WP_DEBUG is on: whatever the test did, the plugin's files must not have logged a PHP error,
    warning or notice (nor a capture failure of its own)."""
    before = len(wordpress.plugin_errors())
    yield
    assert wordpress.plugin_errors()[before:] == []


@pytest.fixture
def crm(wordpress: WordPressSite) -> Iterator[FluentCRM]:
    """The FluentCRM stand-in, playing release 2.9.84 unless the test switches it."""
    fluentcrm = FluentCRM(wordpress)
    fluentcrm.set_release("2.9.84")
    yield fluentcrm
    fluentcrm.set_release("2.9.84")


@pytest.fixture
def webhooks(wordpress: WordPressSite, site_sidecar: Sidecar) -> Iterator[WebhooksApi]:
    """The outgoing-webhooks API through WordPress (as admin); what a test creates is deleted after."""
    api = WebhooksApi(wordpress)
    yield api
    api.delete_created()

