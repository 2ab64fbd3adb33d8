"""docker/: the compose file and Dockerfile checked by reading them, and their commands run here,
outside containers, with the same arguments and environment (no Docker engine on this machine)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fluentcrm_webhooks.config import Settings
from tests.conftest import database_name_for
from tests.scaleout.compose import (COMPOSE_FILE, DOCKER_DIR, ENV_EXAMPLE, MissingVariable, dockerfile_instructions,
                                    interpolate, is_sidecar_image, load_compose, read_env_file,
                                    referenced_variables)
from tests.scaleout.redis_server import RedisServer
from tests.support.mariadb import MariaDBServer
from tests.support.net import free_port
from tests.support.processes import ManagedProcess
from tests.support.sidecar import command_path
from tests.support.waiting import wait_until

REPO = DOCKER_DIR.parent
SERVICES = {"wordpress", "mariadb", "redis", "sidecar", "worker"}
# What the official images ship, for commands that only exist inside them.
IMAGE_PROGRAMS = {
    "mariadb": {"mariadbd", "healthcheck.sh"},
    "redis": {"redis-server", "redis-cli"},
    "wordpress": {"apache2-foreground"},
}


@pytest.fixture(scope="module")
def compose() -> dict:
    return load_compose()


def sidecar_subcommands() -> set[str]:
    usage = subprocess.run([command_path(), "--help"], capture_output=True, text=True, check=True).stdout
    return set(re.search(r"\{([a-z,]+)\}", usage).group(1).split(","))


def image_name(service: dict) -> str:
    return service["image"].split(":")[0].split("/")[-1]


def test_the_compose_file_has_every_part_and_the_worker_scales(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == SERVICES
    for name, service in services.items():
        assert "image" in service, f"{name} has no image"
        assert "container_name" not in service, f"{name}: a fixed container name stops `--scale`"
    worker = services["worker"]
    assert "ports" not in worker, "published ports would collide when the worker is scaled"
    assert is_sidecar_image(worker) and is_sidecar_image(services["sidecar"])
    assert worker["image"] == services["sidecar"]["image"], "one image for web and worker"
    assert (REPO / services["sidecar"]["build"]["dockerfile"]).resolve() == DOCKER_DIR / "Dockerfile"


def test_every_sidecar_command_is_a_real_subcommand(compose: dict) -> None:
    subcommands = sidecar_subcommands()
    for name, service in compose["services"].items():
        if is_sidecar_image(service):
            assert service["command"][0] in subcommands, f"{name}: {service['command']} not in {subcommands}"
    instructions = {i.keyword: i.argument for i in dockerfile_instructions()}
    assert instructions["ENTRYPOINT"] == '["fluentcrm-webhooks"]'
    assert instructions["CMD"].strip('[]"') in subcommands


def test_image_commands_name_programs_those_images_ship(compose: dict) -> None:
    for name, service in compose["services"].items():
        if is_sidecar_image(service):
            continue
        programs = IMAGE_PROGRAMS[image_name(service)]
        if "command" in service and not service["command"][0].startswith("--"):
            assert service["command"][0] in programs, f"{name}: {service['command'][0]}"
        healthcheck = service.get("healthcheck", {}).get("test")
        if healthcheck:
            assert healthcheck[0] == "CMD" and healthcheck[1] in programs, f"{name}: healthcheck {healthcheck}"


def test_the_sidecar_settings_in_the_compose_file_are_valid(compose: dict) -> None:
    for name in ("sidecar", "worker"):
        settings = Settings.from_env({k: str(v) for k, v in compose["services"][name]["environment"].items()})
        assert settings.database_url.startswith("mysql://") and "@mariadb:3306/" in settings.database_url
        assert settings.queue_url == "redis://redis:6379/0"
        assert settings.api_token == read_env_file(ENV_EXAMPLE)["FCWH_API_TOKEN"]
    assert compose["services"]["sidecar"]["environment"]["FCWH_HOST"] == "0.0.0.0"


def test_env_example_sets_every_variable_the_compose_file_requires() -> None:
    example = read_env_file(ENV_EXAMPLE)
    for name, operator in referenced_variables(COMPOSE_FILE.read_text()).items():
        if operator is None or operator.endswith("?"):
            assert example.get(name), f"{name} is required by compose.yaml but not set in .env.example"
    with pytest.raises(MissingVariable, match="FCWH_API_TOKEN"):
        interpolate(COMPOSE_FILE.read_text(), {k: v for k, v in example.items() if k != "FCWH_API_TOKEN"})


def test_the_dockerfile_runs_the_sidecar_as_a_non_root_user_and_stops_it_gracefully() -> None:
    instructions = dockerfile_instructions()
    assert instructions[0].argument.startswith("python:3.11-slim")
    final_stage = instructions[max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM"):]
    keywords = {ins.keyword: ins.argument for ins in final_stage}
    assert keywords["USER"] not in ("root", "0") and "useradd" in keywords["RUN"]
    assert keywords["STOPSIGNAL"] == "SIGTERM"
    for copy in (ins for ins in instructions if ins.keyword == "COPY" and "--from" not in ins.argument):
        for source in copy.argument.split()[:-1]:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository"
    ignored = (DOCKER_DIR / "Dockerfile.dockerignore").read_text()
    assert "!sidecar/" in ignored and "!pyproject.toml" in ignored


def dockerfile_keywords() -> dict[str, str]:
    instructions = dockerfile_instructions()
    final_stage = instructions[max(i for i, ins in enumerate(instructions) if ins.keyword == "FROM"):]
    return {ins.keyword: ins.argument for ins in final_stage}


def test_the_image_checks_readiness_with_a_module_it_ships(compose: dict) -> None:
    healthcheck = dockerfile_keywords()["HEALTHCHECK"]
    options, _, command = healthcheck.partition(" CMD ")
    assert "--interval=" in options and "--timeout=" in options
    argv = json.loads(command)
    assert argv[:2] == ["python", "-m"] and importlib.util.find_spec(argv[2]) is not None, argv
    # serve's compose check is the same program; the worker inherits the image's, on its metrics port.
    assert compose["services"]["sidecar"]["healthcheck"]["test"] == ["CMD", *argv]
    assert "healthcheck" not in compose["services"]["worker"]
    assert compose["services"]["worker"]["environment"]["FCWH_METRICS_PORT"]
    assert "ports" not in compose["services"]["worker"]


def test_the_wordpress_config_extra_points_the_plugin_at_the_sidecar(compose: dict, tmp_path: Path) -> None:
    php = shutil.which("php")
    if php is None:
        pytest.skip("php not installed")
    wordpress = compose["services"]["wordpress"]
    source, target = wordpress["volumes"][1].split(":")[:2]
    assert (DOCKER_DIR / source / "fluentcrm-webhooks.php").exists()
    assert target.endswith("/wp-content/plugins/fluentcrm-webhooks")
    # getenv_docker() is the official image's wp-config.php helper; stand in for it here.
    script = tmp_path / "config-extra.php"
    script.write_text("<?php function getenv_docker($name, $default) { $v = getenv($name); "
                      "return false === $v ? $default : $v; }\n" + wordpress["environment"]["WORDPRESS_CONFIG_EXTRA"]
                      + "\necho FCWH_SIDECAR_URL, ' ', FCWH_API_TOKEN;\n")
    token = wordpress["environment"]["FCWH_API_TOKEN"]
    out = subprocess.run([php, str(script)], capture_output=True, text=True, check=True,
                         env={"PATH": os.environ["PATH"], "FCWH_API_TOKEN": token}).stdout
    port = compose["services"]["sidecar"]["environment"]["FCWH_PORT"]
    assert out == f"http://sidecar:{port} {token}"


@pytest.mark.redis
def test_the_redis_service_command_and_healthcheck_run_here(compose: dict, tmp_path: Path) -> None:
    redis_service = compose["services"]["redis"]
    binary = shutil.which(redis_service["command"][0])
    if binary is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    server = ManagedProcess([binary, *redis_service["command"][1:], "--port", str(port), "--bind", "127.0.0.1"],
                            cwd=tmp_path, env={"PATH": os.environ["PATH"]}, log_path=tmp_path / "redis.log")
    server.start()
    try:
        # redis-cli takes its options before the command: the port goes right after the program.
        health = [shutil.which(redis_service["healthcheck"]["test"][1]), "-p", str(port),
                  *redis_service["healthcheck"]["test"][2:]]
        wait_until(lambda: subprocess.run(health, capture_output=True, text=True).stdout.strip() == "PONG",
                   timeout=30, message=lambda: f"redis to answer PONG; log:\n{server.log_tail()}")
    finally:
        server.stop()


@pytest.mark.mariadb
def test_the_mariadb_service_options_are_valid_for_mariadbd(compose: dict) -> None:
    mariadbd = shutil.which("mariadbd", path=os.environ["PATH"] + ":/usr/sbin")
    if mariadbd is None:
        pytest.skip("mariadbd not installed")
    # --help --verbose parses every option and fails on an unknown one, without starting a server.
    result = subprocess.run([mariadbd, "--no-defaults", *compose["services"]["mariadb"]["command"], "--verbose",
                             "--help"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.redis
@pytest.mark.mariadb
def test_serve_and_worker_start_with_the_compose_environment_and_stop_on_sigterm(
        compose: dict, mariadb_server: MariaDBServer, redis_server: RedisServer, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    database_url = mariadb_server.create_database(database_name_for(request))
    port, metrics_port = free_port(), free_port()

    def environment(service: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("FCWH_")}
        env.update({k: str(v) for k, v in compose["services"][service]["environment"].items()})
        # The containers' host names (mariadb, redis) do not resolve here: point at local servers.
        env.update(FCWH_DATABASE_URL=database_url, FCWH_QUEUE_URL=redis_server.url)
        if service == "sidecar":
            env.update(FCWH_HOST="127.0.0.1", FCWH_PORT=str(port))  # loopback on a shared machine
        else:  # the worker's ops port, on loopback and free here (in compose every replica has its own)
            assert compose["services"][service]["environment"]["FCWH_METRICS_PORT"]
            env.update(FCWH_HOST="127.0.0.1", FCWH_METRICS_PORT=str(metrics_port))
        return env

    def start(service: str) -> ManagedProcess:
        process = ManagedProcess([command_path(), *compose["services"][service]["command"]], cwd=tmp_path,
                                 env=environment(service), log_path=tmp_path / f"{service}.log")
        process.start()
        return process

    migrate = subprocess.run([command_path(), "migrate"], env=environment("sidecar"), capture_output=True, text=True)
    assert migrate.returncode == 0 and "Schema is at version" in migrate.stdout, migrate.stderr
    web = start("sidecar")
    worker = start("worker")
    try:
        # The compose healthcheck itself, with this venv's python standing in for the image's.
        health = compose["services"]["sidecar"]["healthcheck"]["test"][1:]
        wait_until(lambda: subprocess.run([sys.executable, *health[1:]], env=environment("sidecar"),
                                          capture_output=True).returncode == 0,
                   timeout=30, interval=0.2, message=lambda: f"the healthcheck to pass; log:\n{web.log_tail()}")
        wait_until(lambda: "attempts in flight" in worker.log_text(), timeout=30,
                   message=lambda: f"the worker to start; log:\n{worker.log_tail()}")
        # The image's HEALTHCHECK, which the worker service inherits: it finds the worker's /healthz
        # on FCWH_METRICS_PORT (nothing listens on FCWH_PORT in a worker's container).
        image_check = json.loads(dockerfile_keywords()["HEALTHCHECK"].split(" CMD ", 1)[1])
        assert image_check[0] == "python"
        worker_env = {**environment("worker"), "FCWH_PORT": str(free_port())}
        wait_until(lambda: subprocess.run([sys.executable, *image_check[1:]], env=worker_env,
                                          capture_output=True).returncode == 0,
                   timeout=30, interval=0.2, message=lambda: f"the worker's healthcheck; log:\n{worker.log_tail()}")
    finally:
        worker_code, web_code = worker.stop(), web.stop()
    # ManagedProcess.stop sends SIGTERM, the image's STOPSIGNAL.
    assert worker_code == 0 and "worker stopped" in worker.log_text(), worker.log_tail()
    # uvicorn finishes its graceful shutdown, then re-raises the signal it caught: the exit status
    # is SIGTERM's (143 in a shell), which Docker reads as a clean stop.
    assert web_code in (0, -signal.SIGTERM), web.log_tail()
    assert "Application shutdown complete" in web.log_text(), web.log_tail()
