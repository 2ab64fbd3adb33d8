"""`serve` without FCWH_API_TOKEN makes a token, saves it 0600, prints where, never what."""

from __future__ import annotations

import stat
from pathlib import Path

import requests

from tests.support.api import expect
from tests.support.sidecar import Sidecar


def check_generated_token(sidecar: Sidecar, token_file: Path) -> str:
    assert token_file.is_file(), f"no token file at {token_file}; log:\n{sidecar.log_tail()}"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text().strip()
    assert len(token) >= 32
    log = sidecar.log_text()
    assert str(token_file) in log, "serve must print where the token is"
    assert token not in log, "serve must never print the token"

    sidecar.use_token(token)
    expect(sidecar.api.get("/v2/webhooks"), 200)
    assert requests.get(sidecar.url + "/v2/webhooks", timeout=10).status_code == 401
    return token


def test_a_generated_token_is_saved_beside_the_sqlite_database(sidecar_factory) -> None:
    sidecar = sidecar_factory(token=None)
    token = check_generated_token(sidecar, sidecar.workdir / "fcwh.token")

    sidecar.stop()
    sidecar.start()  # the saved token is used again, not replaced
    assert (sidecar.workdir / "fcwh.token").read_text().strip() == token
    expect(sidecar.api.get("/v2/webhooks"), 200)


def test_fcwh_token_file_says_where_to_save_it(sidecar_factory, tmp_path: Path) -> None:
    token_file = tmp_path / "custom.token"
    sidecar = sidecar_factory(token=None, env={"FCWH_TOKEN_FILE": str(token_file)})
    check_generated_token(sidecar, token_file)
    assert not (sidecar.workdir / "fcwh.token").exists()


def test_a_token_from_the_environment_is_neither_saved_nor_printed(sidecar_factory) -> None:
    sidecar = sidecar_factory()
    assert not (sidecar.workdir / "fcwh.token").exists()
    assert sidecar.token not in sidecar.log_text()
    expect(sidecar.api.get("/v2/webhooks"), 200)
