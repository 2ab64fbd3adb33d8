"""`fluentcrm-webhooks serve | worker | migrate`."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from . import __version__ as VERSION
from .config import Settings, SettingsError
from .logs import announce, configure_logging, uvicorn_log_config

log = logging.getLogger("fluentcrm_webhooks")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fluentcrm-webhooks", description=(
        "Signed, retried, logged outgoing webhooks for FluentCRM. Settings come from FCWH_* "
        "environment variables (see the README)."))
    parser.add_argument("--version", action="version", version=VERSION)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="HTTP API plus in-process delivery workers (all a site needs)")
    commands.add_parser("worker", help="delivery workers only, to add capacity on this or other machines")
    commands.add_parser("migrate", help="create or upgrade the tables, then exit")
    args = parser.parse_args(argv)

    try:
        settings = Settings.from_env()
    except SettingsError as error:
        print(f"fluentcrm-webhooks: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    if args.command != "migrate":
        from .oslimits import fit_open_files

        fit_open_files(settings.workers)
    return {"serve": serve, "worker": worker, "migrate": migrate_only}[args.command](settings)


def migrate_only(settings: Settings) -> int:
    from .db import open_database
    from .migrations import migrate

    version = migrate(open_database(settings))
    print(f"Schema is at version {version}.")
    return 0


def serve(settings: Settings) -> int:
    import uvicorn

    from .api.plumbing import Context
    from .app import create_app
    from .runtime import build_runtime
    from .tokens import resolve_token

    runtime = build_runtime(settings)
    token, token_path = resolve_token(settings)
    app = create_app(Context(settings, runtime.db, runtime.doorbell, token, engine=runtime.engine),
                     background=runtime.delivery_workers)
    announce(settings, f"FluentCRM Webhooks {VERSION} listening on http://{settings.host}:{settings.port}")
    if token_path is not None:
        announce(settings, f"API token saved in {token_path.resolve()} (send it as 'Authorization: Bearer <token>')")
    else:
        announce(settings, "API token taken from FCWH_API_TOKEN")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level.lower(),
                log_config=uvicorn_log_config(settings), access_log=settings.log_level == "DEBUG",
                timeout_graceful_shutdown=int(settings.timeout) + 5)
    return 0


def worker(settings: Settings) -> int:
    from .opsserver import OpsServer, worker_token
    from .runtime import build_runtime

    try:
        token = worker_token(settings) if settings.metrics_port is not None else None
    except SettingsError as error:
        print(f"fluentcrm-webhooks: {error}", file=sys.stderr)
        return 2
    runtime = build_runtime(settings)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    announce(settings, f"FluentCRM Webhooks {VERSION} worker: up to {settings.workers} attempts in flight")
    # serve prunes, in the gaps of the intake it serves, and takes the plugin's hand-over.
    with runtime.delivery_workers(prune=False, handover=False):
        ops = OpsServer(settings, runtime, token).start() if token is not None else None
        if ops is not None:
            announce(settings, f"worker /healthz and /metrics on http://{settings.host}:{ops.port}")
        stop.wait()
        if ops is not None:
            ops.stop()
    announce(settings, "worker stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
