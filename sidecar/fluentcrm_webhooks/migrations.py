"""Versioned schema changes: each runs once, in order, recorded in {prefix}fcwh_schema.

Add a column later by appending a function here (playhouse.migrate's `migrator.add_column`);
`fluentcrm-webhooks migrate` and every start apply what is missing. Safe to run from several
processes at once: table creation is idempotent and a version row written twice is ignored.
"""

from __future__ import annotations

from typing import Callable

from peewee import Database, IntegrityError

from .models import Attempt, Delivery, SchemaVersion, SeenEvent, Webhook
from .timeutil import utcnow


def _initial_tables(db: Database) -> None:
    db.create_tables([Webhook, Delivery, Attempt, SeenEvent], safe=True)


MIGRATIONS: list[tuple[int, Callable[[Database], None]]] = [
    (1, _initial_tables),
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
            try:
                SchemaVersion.insert(version=version, applied_at=utcnow()).execute()
            except IntegrityError:
                pass  # another process applied it at the same time
    return LATEST_VERSION
