"""Log lines: the plain text format by default, or one JSON object per line (FCWH_LOG_FORMAT=json)
for log collectors (Loki, Elasticsearch, CloudWatch, `jq`).

A JSON line has `time` (RFC 3339 in UTC, milliseconds), `level`, `logger` and `message`, and, on a
line about a delivery, its `delivery_id`, `webhook_id` and `event` (and `attempt`, `status`,
`response_code`, `duration_ms`, `retry_in` on an attempt's line): the engine passes them with
`extra=about(...)`, so the text format keeps its words and the JSON format gets fields to filter on.
uvicorn's own lines (startup, errors, the access log at DEBUG) go through the same formatter.
Never a secret or a body: only the fields named in CONTEXT_FIELDS are copied from a record.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from .config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The record attributes a line may carry about what it concerns, in this order.
CONTEXT_FIELDS = ("delivery_id", "webhook_id", "event", "attempt", "status", "response_code", "duration_ms",
                  "retry_in")
ACCESS_LOGGER = "uvicorn.access"


def about(delivery_id: int | None = None, webhook_id: int | None = None, event: str | None = None,
          **more: Any) -> dict[str, Any]:
    """`extra=` for a log call about a delivery or a webhook (the fields left None are left out)."""
    fields = {"delivery_id": delivery_id, "webhook_id": webhook_id, "event": event, **more}
    unknown = set(fields) - set(CONTEXT_FIELDS)
    assert not unknown, f"not a context field: {sorted(unknown)}"
    return {name: value for name, value in fields.items() if value is not None}


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in a message or a traceback are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.name == ACCESS_LOGGER and isinstance(record.args, tuple) and len(record.args) == 5:
            # uvicorn's access line: (client, method, path, HTTP version, status).
            client, method, path, _, status = record.args
            line.update(client=client, method=method, path=path, status_code=status)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(settings: Settings) -> None:
    """The root logger's one handler, on stderr, in the configured format and level."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    if settings.log_level != "DEBUG":
        # Huey logs every task at INFO; our own delivery log line says more in one line.
        logging.getLogger("huey").setLevel(logging.WARNING)


def uvicorn_log_config(settings: Settings) -> dict[str, Any] | None:
    """What `uvicorn.run(log_config=...)` gets: its own text config by default; in JSON, none, so its
    loggers have no handlers of their own and propagate to the root's JSON handler."""
    if settings.log_format != "json":
        from uvicorn.config import LOGGING_CONFIG

        return LOGGING_CONFIG
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    return None


def announce(settings: Settings, message: str) -> None:
    """A line the commands print at start and stop (where they listen, where the token is): on stdout
    as before in text, a log record in JSON, so every line of a JSON log is JSON."""
    if settings.log_format == "json":
        logging.getLogger("fluentcrm_webhooks").info(message)
    else:
        print(message, flush=True)
