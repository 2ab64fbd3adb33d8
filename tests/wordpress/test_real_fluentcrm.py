"""Opt-in: the plugin with a REAL FluentCRM (not the stand-in), on a site of its own.

Set FLUENTCRM_SRC to a FluentCRM plugin folder (the one holding fluent-crm.php, e.g. an unzipped
download of the free plugin) to run it; skipped otherwise. It drives FluentCRM through its public
PHP API (FluentCrmApi, its models) and REST routes, and checks that each change arrives once and
that FluentCRM's own incoming-webhooks screen still answers at the seed's paths.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import CertificateAuthority
from tests.support.mariadb import MariaDBServer
from tests.support.receiver import Receiver
from tests.support.sidecar import Sidecar, SidecarLauncher
from tests.support.wordpress import PLUGIN_FILE, PLUGIN_SOURCE, WordPressSite
from tests.wordpress.standin import unique_email
from tests.wordpress.webhooks import SEED, WebhooksApi, delivered

SOURCE = Path(os.environ.get("FLUENTCRM_SRC", "")).expanduser()

pytestmark = pytest.mark.skipif(not (SOURCE / "fluent-crm.php").is_file(),
                                reason="set FLUENTCRM_SRC to a FluentCRM plugin folder (with fluent-crm.php)")

EVENTS = ["contact.created", "contact.tag_added", "contact.status_changed", "email.unsubscribed",
          "contact.deleted"]


@pytest.fixture(scope="module")
def real_site(tmp_path_factory: pytest.TempPathFactory, mariadb_server: MariaDBServer,
              https_ca: CertificateAuthority) -> Iterator[tuple[WordPressSite, Sidecar]]:
    site = WordPressSite(tmp_path_factory.mktemp("real-fluentcrm"), mariadb_server, database="wp_real_fluentcrm",
                         plugins={"fluent-crm": SOURCE, "fluentcrm-webhooks": PLUGIN_SOURCE},
                         activate=["fluent-crm/fluent-crm.php", PLUGIN_FILE])
    site.install()
    site.start()
    launcher = SidecarLauncher(lambda: tmp_path_factory.mktemp("real-fluentcrm-sidecar"), https_ca.bundle)
    try:
        sidecar = launcher.launch(database_url=site.database_url)
        site.use_sidecar_constants(sidecar.url, sidecar.token)
        yield site, sidecar
    finally:
        launcher.shutdown_all()
        site.stop()


def test_real_fluentcrm_changes_arrive_once(real_site: tuple[WordPressSite, Sidecar], receiver: Receiver) -> None:
    site, _ = real_site
    webhooks = WebhooksApi(site)
    webhook = webhooks.create(url=receiver.url, events=EVENTS)
    email = unique_email("real")
    contact_id = int(site.php(f"""
        $tag = \\FluentCrm\\App\\Models\\Tag::create(array('title' => 'Real VIP', 'slug' => 'real-vip'));
        $contact = FluentCrmApi('contacts')->createOrUpdate(array(
            'email' => {json.dumps(email)}, 'first_name' => 'Real', 'status' => 'subscribed', 'tags' => array($tag->id)));
        echo $contact->id;
    """).strip())
    site.php(f"\\FluentCrm\\App\\Models\\Subscriber::find({contact_id})->updateStatus('unsubscribed');")
    deleted = site.session().delete(site.rest_url(f"/fluent-crm/v2/subscribers/{contact_id}"), timeout=60)
    assert deleted.status_code == 200, deleted.text[:1000]

    assert Counter(d["event"] for d in webhooks.deliveries(webhook["id"])) == Counter(EVENTS)
    receiver.wait_for(len(EVENTS))
    for item in delivered(receiver):
        assert item.data["contact"]["id"] == contact_id and item.data["contact"]["email"] == email
    webhooks.delete_created()


def test_real_fluentcrm_keeps_its_incoming_webhooks_screen(real_site: tuple[WordPressSite, Sidecar]) -> None:
    site, _ = real_site
    ours = site.session().get(site.rest_url(SEED), timeout=60)
    assert ours.status_code == 200 and set(ours.json()) == {"webhooks"}
    theirs = site.cookie_session().get(site.rest_url(SEED), timeout=60)
    assert theirs.status_code == 200 and set(theirs.json()) > {"webhooks"}, theirs.text[:500]
