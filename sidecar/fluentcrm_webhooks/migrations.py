"""Versioned schema changes: each runs once, in order, recorded in {prefix}fcwh_schema.

A new database gets today's tables from the models in step 1; later steps bring an older database
to the same shape and skip what is already there, so they are safe on both. `fluentcrm-webhooks
migrate` and every start apply what is missing. Safe to run from several processes at once: table
creation is idempotent and a version row written twice is ignored.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from peewee import Database, IntegrityError, MySQLDatabase
from playhouse.migrate import MySQLMigrator, SchemaMigrator, SqliteMigrator
from playhouse.migrate import migrate as apply

from .models import Attempt, Delivery, SchemaVersion, SeenEvent, SidecarState, Webhook
from .timeutil import utcnow


def _initial_tables(db: Database) -> None:
    db.create_tables([Webhook, Delivery, Attempt, SeenEvent, SidecarState], safe=True)


def _lanes_pacing_ordering(db: Database) -> None:
    """The delivery engine of docs/delivery.md: per-webhook caps, pacing and ordering; signatures
    made at send time (the stored one goes)."""
    migrator: SchemaMigrator = MySQLMigrator(db) if isinstance(db, MySQLDatabase) else SqliteMigrator(db)
    operations = _missing_columns(db, migrator, ((Webhook, ("max_concurrency", "ordered", "pace_failures",
                                                             "next_probe_at")),
                                                 (Delivery, ("order_key", "claim_token"))))
    deliveries = Delivery._meta.table_name
    if "signature" in {column.name for column in db.get_columns(deliveries)}:
        operations.append(migrator.drop_column(deliveries, "signature", cascade=False))
    present_indexes = [tuple(index.columns) for index in db.get_indexes(deliveries)]
    for columns in (("webhook_id", "status", "next_attempt_at"), ("webhook_id", "order_key", "status")):
        if columns not in present_indexes:
            operations.append(migrator.add_index(deliveries, columns, False))
    apply(*operations)


def _retention_and_subjects(db: Database) -> None:
    """Retention per webhook (pruner.py) and whom each delivery is about (subjects.py, erasure.py).
    Rows recorded before this have no subject: they age out under retention like the rest."""
    migrator: SchemaMigrator = MySQLMigrator(db) if isinstance(db, MySQLDatabase) else SqliteMigrator(db)
    operations = _missing_columns(db, migrator, ((Webhook, ("retention_days",)),
                                                 (Delivery, ("contact_id", "email_hash", "erased_at"))))
    deliveries = Delivery._meta.table_name
    present_indexes = [tuple(index.columns) for index in db.get_indexes(deliveries)]
    operations += [migrator.add_index(deliveries, columns, False)
                   for columns in (("contact_id",), ("email_hash",)) if columns not in present_indexes]
    apply(*operations)


def _integrator_settings(db: Database) -> None:
    """Custom headers, secret rotation, conditions, self-healing, subscription times per event
    type (docs/sidecar-api.md), and the shared state table (a pause on a copy of the site)."""
    db.create_tables([SidecarState], safe=True)
    migrator: SchemaMigrator = MySQLMigrator(db) if isinstance(db, MySQLDatabase) else SqliteMigrator(db)
    apply(*_missing_columns(db, migrator, ((Webhook, ("headers", "previous_secret",
                                                       "previous_secret_expires_at", "conditions",
                                                       "auto_recover", "recovery_probe_at",
                                                       "recovery_probes", "event_subscribed_at")),)))


def _missing_columns(db: Database, migrator: SchemaMigrator, wanted) -> list:
    operations = []
    for model, names in wanted:
        table = model._meta.table_name
        present = {column.name for column in db.get_columns(table)}
        operations += [migrator.add_column(table, name, model._meta.fields[name])
                       for name in names if name not in present]
    return operations


MIGRATIONS: list[tuple[int, Callable[[Database], None]]] = [
    (1, _initial_tables),
    (2, _lanes_pacing_ordering),
    (3, _retention_and_subjects),
    (4, _integrator_settings),
]

LATEST_VERSION = MIGRATIONS[-1][0]


def migrate(db: Database) -> int:
    """Apply every missing migration; return the schema version now in force."""
    with db.connection_context():
        db.create_tables([SchemaVersion], safe=True)
        applied = {row.version for row in SchemaVersion.select(SchemaVersion.version)}
        for version, step in MIGRATIONS:
            if version in applied:
                continue
            step(db)
            with contextlib.suppress(IntegrityError):  # another process applied it at the same time
                SchemaVersion.insert(version=version, applied_at=utcnow()).execute()
    return LATEST_VERSION
