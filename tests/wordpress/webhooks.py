"""The outgoing-webhooks API as clients use it, through WordPress, and what receivers get."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from tests.support.receiver import Receiver
from tests.support.wordpress import WordPressSite

CANONICAL = "/fluent-crm/v2/outgoing-webhooks"
SEED = "/fluent-crm/v2/webhooks"


class WebhooksApi:
    def __init__(self, site: WordPressSite, user: str = "admin") -> None:
        self.site = site
        self.http = site.session(user)
        self.created: list[int] = []

    def url(self, rest: str = "", base: str = CANONICAL) -> str:
        return self.site.rest_url(base + rest)

    def create(self, **fields: Any) -> dict:
        fields.setdefault("name", "Test webhook")
        answer = self.http.post(self.url(), json=fields, timeout=60)
        assert answer.status_code == 201, f"create answered {answer.status_code}: {answer.text[:1000]}"
        webhook = answer.json()["webhook"]
        self.created.append(webhook["id"])
        return webhook

    def deliveries(self, webhook_id: int) -> list[dict]:
        answer = self.http.get(self.url(f"/{webhook_id}/deliveries"), params={"per_page": 100}, timeout=60)
        assert answer.status_code == 200, answer.text[:1000]
        return answer.json()["deliveries"]

    def delete_created(self) -> None:
        for webhook_id in self.created:
            self.http.delete(self.url(f"/{webhook_id}"), timeout=60)
        self.created.clear()


@dataclass(frozen=True)
class Delivered:
    """One webhook POST as the receiver got it."""

    body: bytes
    headers: dict[str, str]

    @property
    def payload(self) -> dict:
        return json.loads(self.body)

    @property
    def event(self) -> str:
        return self.payload["event"]

    @property
    def data(self) -> dict:
        return self.payload["data"]

    def signed_with(self, secret: str) -> bool:
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("x-fluentcrm-signature", ""))


def delivered(receiver: Receiver) -> list[Delivered]:
    return [Delivered(r.body, r.headers) for r in receiver.requests]

