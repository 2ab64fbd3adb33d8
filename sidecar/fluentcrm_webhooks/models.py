"""Table declarations. Queries live in ledger.py, intake.py, webhooks_store.py and delivery_log.py;
the WordPress prefix is bound in db.py."""

from __future__ import annotations

from peewee import (
    AutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
)

database = DatabaseProxy()


class LongTextField(TextField):
    """LONGTEXT on MySQL (TEXT stops at 64 KB); SQLite reads the type name as TEXT."""

    field_type = "LONGTEXT"


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Webhook(BaseModel):
    id = AutoField()  # what peewee adds anyway, declared so type checkers see it
    name = CharField(max_length=191)
    url = CharField(max_length=2048)
    events = TextField()  # JSON list of event types
    status = CharField(max_length=16, default="active")
    secret = CharField(max_length=255)
    consecutive_failures = IntegerField(default=0)
    created_at = DateTimeField()
    updated_at = DateTimeField()
    max_concurrency = IntegerField(null=True)  # attempts in flight per process; null: FCWH_WEBHOOK_CONCURRENCY
    ordered = BooleanField(default=False)  # each contact's events in order (lanes.py, ledger.py)
    pace_failures = IntegerField(default=0)  # attempts in trouble in a row; > 0: paced (lifecycle.py)
    next_probe_at = DateTimeField(null=True)  # paced: no probe before this (also the probe's lease)
    retention_days = IntegerField(null=True)  # finished deliveries kept this long; null: FCWH_RETENTION_DAYS
    # Schema v4 (migrations.py): what integrators configure beyond name, url and events.
    headers = TextField(null=True)  # JSON object of the receiver's own headers; values are secrets
    previous_secret = CharField(max_length=255, null=True)  # still signs until previous_secret_expires_at
    previous_secret_expires_at = DateTimeField(null=True)
    conditions = TextField(null=True)  # JSON filter checked at intake; null: every event of its types
    auto_recover = BooleanField(default=True)  # a failed webhook is probed and re-activated on a 2xx
    recovery_probe_at = DateTimeField(null=True)  # failed + auto_recover: the next probe (also its lease)
    recovery_probes = IntegerField(default=0)  # probes since it failed: the back-off from hourly to daily
    event_subscribed_at = TextField(null=True)  # JSON {event type: ISO time it was subscribed}

    class Meta:
        table_name = "fcwh_webhooks"


class Delivery(BaseModel):
    id = AutoField()  # what peewee adds anyway, declared so type checkers see it
    webhook_id = IntegerField()
    event = CharField(max_length=64)
    event_id = CharField(max_length=64)
    body = LongTextField()  # the exact bytes sent, UTF-8 (signed at send time: payloads.py)
    status = CharField(max_length=16, default="pending")
    attempts = IntegerField(default=0)
    response_code = IntegerField(null=True)
    response_time = IntegerField(null=True)
    response_body = TextField(null=True)
    error = TextField(null=True)
    next_attempt_at = DateTimeField(null=True)
    attempted_at = DateTimeField(null=True)
    created_at = DateTimeField()
    order_key = CharField(max_length=64, null=True)  # whose event (events.ordering_key)
    claim_token = CharField(max_length=32, null=True)  # the claim that leased it last (ledger.claim)
    # Whom it is about (subjects.py), so a contact's deliveries are found without reading bodies.
    contact_id = BigIntegerField(null=True)
    email_hash = CharField(max_length=64, null=True)
    erased_at = DateTimeField(null=True)  # its personal data was erased (erasure.py): body and excerpts gone

    class Meta:
        table_name = "fcwh_deliveries"
        indexes = (
            (("webhook_id", "status", "id"), False),  # the log, its status filter, held counts
            (("webhook_id", "status", "next_attempt_at"), False),  # a lane's due deliveries
            (("webhook_id", "order_key", "status"), False),  # ordered lanes: an earlier one pending?
            (("status", "next_attempt_at"), False),  # the sweeper's overdue scan
            (("webhook_id", "attempted_at"), False),  # a webhook's last delivery
            (("event_id",), False),  # intake reads back what it inserted
            (("contact_id",), False),  # a contact's deliveries (profile, export, erasure)
            (("email_hash",), False),  # the same by email address (WordPress's privacy tools)
        )


class Attempt(BaseModel):
    id = AutoField()  # what peewee adds anyway, declared so type checkers see it
    delivery_id = IntegerField(index=True)
    attempted_at = DateTimeField()
    response_code = IntegerField(null=True)
    response_time = IntegerField(null=True)
    response_body = TextField(null=True)
    error = TextField(null=True)
    request_headers = TextField(null=True)  # JSON of the headers sent, signatures included

    class Meta:
        table_name = "fcwh_attempts"


class SeenEvent(BaseModel):
    """Event ids taken in the last 7 days, so a re-sent batch is not delivered twice."""

    event_id = CharField(max_length=64, primary_key=True)
    created_at = DateTimeField(index=True)

    class Meta:
        table_name = "fcwh_events"


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    applied_at = DateTimeField()

    class Meta:
        table_name = "fcwh_schema"


class SidecarState(BaseModel):
    """Small facts the whole sidecar shares (for example whether delivery is paused on a copy of
    the site), one row per key, the value as JSON."""

    key = CharField(max_length=64, primary_key=True)
    value = TextField()
    updated_at = DateTimeField()

    class Meta:
        table_name = "fcwh_state"


ALL_MODELS = (Webhook, Delivery, Attempt, SeenEvent, SchemaVersion, SidecarState)
BASE_TABLE_NAMES = {model: model._meta.table_name for model in ALL_MODELS}
