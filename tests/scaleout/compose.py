"""Reading docker/: the compose file with its ${VARIABLES} filled from .env.example, and the
Dockerfile's instructions. No Docker engine is needed (none runs on these machines)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

DOCKER_DIR = Path(__file__).resolve().parents[2] / "docker"
COMPOSE_FILE = DOCKER_DIR / "compose.yaml"
ENV_EXAMPLE = DOCKER_DIR / ".env.example"
DOCKERFILE = DOCKER_DIR / "Dockerfile"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}; $$ is a literal $.
VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


class MissingVariable(KeyError):
    pass


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution, as far as the file uses it."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        value = env.get(name)
        unset_or_empty = value is None or (value == "" and operator and operator.startswith(":"))
        if operator and operator.endswith("-"):
            return argument if unset_or_empty else value
        if operator and operator.endswith("?"):
            if unset_or_empty:
                raise MissingVariable(f"{name}: {argument}")
            return value
        if value is None:
            raise MissingVariable(f"{name} is used without a default and is not set")
        return value

    return VARIABLE.sub(substitute, text)


def referenced_variables(text: str) -> dict[str, str | None]:
    """Every variable the file names, with its operator (None for a bare ${NAME})."""
    return {m.group(1): m.group(2) for m in VARIABLE.finditer(text) if m.group(1)}


def load_compose(env: dict[str, str] | None = None) -> dict[str, Any]:
    env = read_env_file(ENV_EXAMPLE) if env is None else env
    return yaml.safe_load(interpolate(COMPOSE_FILE.read_text(), env))


def is_sidecar_image(service: dict[str, Any]) -> bool:
    build = service.get("build")
    return isinstance(build, dict) and build.get("dockerfile") == "docker/Dockerfile"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    argument: str


def dockerfile_instructions(path: Path = DOCKERFILE) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pending += " " + line.rstrip("\\").strip() if pending else line.rstrip("\\").strip()
        if line.endswith("\\"):
            continue
        keyword, _, argument = pending.partition(" ")
        instructions.append(Instruction(keyword.upper(), argument.strip()))
        pending = ""
    return instructions
