"""The plugin's phpunit suite (tests/php/*Test.php: batch encoding, stable event ids, dedupe keys,
payload shaping, the event-type table), run without WordPress through tests/php/bootstrap.php.

Debian's `phpunit` package provides the runner (scripts/install-system-deps.sh installs it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import skip_or_fail

HERE = Path(__file__).resolve().parent


def test_the_plugin_phpunit_suite_passes() -> None:
    phpunit = shutil.which("phpunit")
    if phpunit is None:
        skip_or_fail("phpunit is not installed (Debian package `phpunit`: scripts/install-system-deps.sh)")
    result = subprocess.run([phpunit, "-c", str(HERE / "phpunit.xml")], capture_output=True, text=True,
                            timeout=120, cwd=HERE)
    assert result.returncode == 0, f"phpunit failed:\n{result.stdout}\n{result.stderr}"
    assert "OK (" in result.stdout, result.stdout  # not "No tests executed!"
