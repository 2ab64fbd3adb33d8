"""Settings, read once from the environment into a frozen object (tests pass a dict)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_RETRY_DELAYS = (60, 300, 1800, 7200, 86400)
RETENTION_DAYS_MAX = 36500  # a hundred years: the most a retention may say short of "forever" (0)
LOG_FORMATS = ("text", "json")
HANDOVER_MODES = ("auto", "off")
MAX_IN_FLIGHT = 20000  # the most attempts one process may keep in flight (FCWH_WORKERS)
RECOVERY_INTERVAL_MAX = 7 * 86400  # a first probe a week after failing: beyond that, re-activate by hand


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names the variable and the value."""


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///fcwh.sqlite3"
    table_prefix: str = "wp_"
    queue_url: str | None = None
    api_token: str | None = None
    token_file: str | None = None
    host: str = "127.0.0.1"
    port: int = 8787
    workers: int = 256  # attempts in flight per process, all webhooks together
    webhook_concurrency: int = 100  # attempts in flight per webhook and process, unless it sets max_concurrency
    retry_delays: tuple[int, ...] = DEFAULT_RETRY_DELAYS
    timeout: float = 30.0
    request_timeout: float = 15.0  # seconds a client may take to send one whole request body
    allow_http: bool = False
    allow_private_targets: bool = False
    retention_days: int = 30  # finished deliveries older than this are pruned (pruner.py); 0 keeps them all
    prune_interval: float = 600.0  # seconds between prune passes
    sweep_interval: float = 1.0  # seconds between looks for due work nothing woke us for
    log_level: str = "INFO"
    log_format: str = "text"  # "json": one JSON object per line (logs.py)
    metrics_port: int | None = None  # `worker` only: serve /metrics and /healthz on this port (opsserver.py)
    # "auto": on MySQL, `serve` takes the events the plugin leaves in its outbox table in this
    # database (handover.py); "off": only POST /v2/events.
    handover: str = "auto"
    handover_interval: float = 0.2  # seconds between looks at the plugin's outbox table
    # A failed webhook with auto_recover is probed this long after it failed, then backs off to
    # at most 24 times this (recovery.py).
    recovery_interval: int = 3600

    @property
    def sqlite_path(self) -> Path | None:
        """The SQLite file of the database, or None when the database is MySQL."""
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url[len("sqlite:///"):])
        return None

    @property
    def state_dir(self) -> Path:
        """Where files that belong beside the database go (token, SQLite queue)."""
        path = self.sqlite_path
        return path.parent if path is not None else Path(".")

    @property
    def resolved_token_file(self) -> Path:
        return Path(self.token_file) if self.token_file else self.state_dir / "fcwh.token"

    @property
    def resolved_queue_url(self) -> str:
        if self.queue_url:
            return self.queue_url
        return "sqlite:///" + str(self.state_dir / "fcwh-queue.sqlite3")

    @property
    def max_attempts(self) -> int:
        """The first attempt plus one retry per configured delay."""
        return 1 + len(self.retry_delays)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name)
            return value.strip() if value is not None and value.strip() != "" else None

        kwargs: dict = {}
        if (v := get("FCWH_DATABASE_URL")) is not None:
            if not v.startswith(("sqlite:///", "mysql://", "mysql+pool://")):
                raise SettingsError(f"FCWH_DATABASE_URL={v!r}: use sqlite:///path or mysql://user:pass@host:port/db")
            kwargs["database_url"] = v
        if (v := get("FCWH_TABLE_PREFIX")) is not None:
            if not v.replace("_", "").isalnum():
                raise SettingsError(f"FCWH_TABLE_PREFIX={v!r}: letters, digits and underscores only")
            kwargs["table_prefix"] = v
        if (v := get("FCWH_QUEUE_URL")) is not None:
            if not v.startswith(("sqlite:///", "redis://", "rediss://", "memory://")):
                raise SettingsError(f"FCWH_QUEUE_URL={v!r}: use sqlite:///path or redis://host:port/db")
            kwargs["queue_url"] = v
        kwargs["api_token"] = get("FCWH_API_TOKEN")
        kwargs["token_file"] = get("FCWH_TOKEN_FILE")
        if (v := get("FCWH_HOST")) is not None:
            kwargs["host"] = v
        if (v := get("FCWH_PORT")) is not None:
            kwargs["port"] = _int("FCWH_PORT", v, 0, 65535)
        if (v := get("FCWH_WORKERS")) is not None:
            kwargs["workers"] = _int("FCWH_WORKERS", v, 1, MAX_IN_FLIGHT)
        if (v := get("FCWH_WEBHOOK_CONCURRENCY")) is not None:
            kwargs["webhook_concurrency"] = _int("FCWH_WEBHOOK_CONCURRENCY", v, 1, MAX_IN_FLIGHT)
        if (v := get("FCWH_RETRY_DELAYS")) is not None:
            kwargs["retry_delays"] = _delays(v)
        if (v := get("FCWH_TIMEOUT")) is not None:
            kwargs["timeout"] = _float("FCWH_TIMEOUT", v, 0.1, 300)
        if (v := get("FCWH_REQUEST_TIMEOUT")) is not None:
            kwargs["request_timeout"] = _float("FCWH_REQUEST_TIMEOUT", v, 0.1, 300)
        if (v := get("FCWH_ALLOW_HTTP")) is not None:
            kwargs["allow_http"] = _flag("FCWH_ALLOW_HTTP", v)
        if (v := get("FCWH_ALLOW_PRIVATE_TARGETS")) is not None:
            kwargs["allow_private_targets"] = _flag("FCWH_ALLOW_PRIVATE_TARGETS", v)
        if (v := get("FCWH_RETENTION_DAYS")) is not None:
            kwargs["retention_days"] = _int("FCWH_RETENTION_DAYS", v, 0, RETENTION_DAYS_MAX)
        if (v := get("FCWH_PRUNE_INTERVAL")) is not None:
            kwargs["prune_interval"] = _float("FCWH_PRUNE_INTERVAL", v, 0.1, 86400)
        if (v := get("FCWH_SWEEP_INTERVAL")) is not None:
            kwargs["sweep_interval"] = _float("FCWH_SWEEP_INTERVAL", v, 0.1, 60)
        if (v := get("FCWH_LOG_LEVEL")) is not None:
            kwargs["log_level"] = v.upper()
        if (v := get("FCWH_LOG_FORMAT")) is not None:
            if v.lower() not in LOG_FORMATS:
                raise SettingsError(f"FCWH_LOG_FORMAT={v!r}: expected one of {', '.join(LOG_FORMATS)}")
            kwargs["log_format"] = v.lower()
        if (v := get("FCWH_METRICS_PORT")) is not None:
            kwargs["metrics_port"] = _int("FCWH_METRICS_PORT", v, 1, 65535)
        if (v := get("FCWH_HANDOVER")) is not None:
            if v.lower() not in HANDOVER_MODES:
                raise SettingsError(f"FCWH_HANDOVER={v!r}: expected one of {', '.join(HANDOVER_MODES)}")
            kwargs["handover"] = v.lower()
        if (v := get("FCWH_HANDOVER_INTERVAL")) is not None:
            kwargs["handover_interval"] = _float("FCWH_HANDOVER_INTERVAL", v, 0.05, 60)
        if (v := get("FCWH_RECOVERY_INTERVAL")) is not None:
            kwargs["recovery_interval"] = _int("FCWH_RECOVERY_INTERVAL", v, 1, RECOVERY_INTERVAL_MAX)
        return cls(**kwargs)


def _int(name: str, value: str, low: int, high: int) -> int:
    return _number(name, value, low, high, int, "a whole number")


def _float(name: str, value: str, low: float, high: float) -> float:
    return _number(name, value, low, high, float, "a number of seconds")


def _number(name: str, value: str, low, high, parse, what: str):
    try:
        number = parse(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r}: expected {what}") from None
    if not low <= number <= high:
        raise SettingsError(f"{name}={value!r}: expected {low} to {high}")
    return number


def _flag(name: str, value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={value!r}: expected 1 or 0")


def _delays(value: str) -> tuple[int, ...]:
    try:
        delays = tuple(int(part) for part in value.split(","))
    except ValueError:
        raise SettingsError(f"FCWH_RETRY_DELAYS={value!r}: expected comma-separated seconds, e.g. 60,300,1800") from None
    if not delays or any(d < 0 for d in delays) or len(delays) > 20:
        raise SettingsError(f"FCWH_RETRY_DELAYS={value!r}: expected 1 to 20 non-negative numbers of seconds")
    return delays
