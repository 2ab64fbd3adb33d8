"""A task's chunk of deliveries: claimed together, sent, recorded together, counted in order."""

from datetime import timedelta

from fluentcrm_webhooks import delivery as delivery_module
from fluentcrm_webhooks import queries
from fluentcrm_webhooks.models import Attempt, Delivery, Webhook
from fluentcrm_webhooks.timeutil import utcnow

from .conftest import RECEIVER, make_webhook


def due_now(*delivery_ids: int) -> None:
    Delivery.update(next_attempt_at=utcnow() - timedelta(seconds=1)).where(Delivery.id.in_(delivery_ids)).execute()


def test_a_chunk_is_claimed_once_and_each_outcome_recorded(client, receiver, settings):
    receiver.post(RECEIVER, [{"status_code": 200}, {"status_code": 500}, {"status_code": 204}])
    make_webhook(client)
    for n in range(3):  # recorded straight in the table: nothing is queued, the test drives the worker
        queries.record_events([queries.IncomingEvent(f"e{n}", "contact.created", "2024-01-15T10:30:00Z", {})])
    ids = [d.id for d in Delivery.select(Delivery.id).order_by(Delivery.id)]
    due_now(*ids)
    retries: list[tuple[int, float]] = []

    outcomes = delivery_module.attempt_deliveries(settings, ids + ids, lambda i, d: retries.append((i, d)))

    assert [o.status for o in outcomes] == ["success", "pending", "success"]
    assert receiver.call_count == 3, "a delivery named twice in a chunk is still sent once"
    rows = {d.id: d for d in Delivery.select()}
    assert [rows[i].status for i in ids] == ["success", "pending", "success"]
    assert [rows[i].response_code for i in ids] == [200, 500, 204]
    assert all(rows[i].attempts == 1 for i in ids)
    assert retries == [(ids[1], 60.0)]
    assert Attempt.select().count() == 3
    assert delivery_module.attempt_deliveries(settings, ids, lambda i, d: None) == [], "nothing is due any more"


def test_failures_after_the_last_success_are_what_count(client, receiver, settings):
    hook = make_webhook(client)
    Webhook.update(consecutive_failures=3).where(Webhook.id == hook["id"]).execute()
    webhook = Webhook.get_by_id(hook["id"])
    rows = [Delivery.create(webhook_id=webhook.id, event="contact.created", event_id=f"x{n}", body="{}",
                            signature="s", status="pending", attempts=5, created_at=utcnow()) for n in range(3)]
    result_ok = delivery_module.sender.AttemptResult(200, 1, "ok", None)
    result_bad = delivery_module.sender.AttemptResult(500, 1, "no", "HTTP 500")
    now = utcnow()
    records = [queries.AttemptRecord(rows[0], result_bad, {}, now, "failed", None),
               queries.AttemptRecord(rows[1], result_ok, {}, now, "success", None),
               queries.AttemptRecord(rows[2], result_bad, {}, now, "failed", None)]
    assert queries.record_attempts(records) == []
    assert Webhook.get_by_id(webhook.id).consecutive_failures == 1

    Webhook.update(consecutive_failures=4).where(Webhook.id == webhook.id).execute()
    assert queries.record_attempts(records[2:]) == [webhook.id], "the fifth failure in a row disables"
    assert Webhook.get_by_id(webhook.id).status == "failed"
