"""What WordPress and wordpress.org read as text: the version (the header's Version, readme.txt's
Stable tag, FCWH_VERSION: written three times because WordPress parses headers as text, kept equal
here), `Tested up to` (the WordPress these tests run), the text domain's folder, and the
translation template languages/fluentcrm-webhooks.pot (regenerated with `make pot`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.wordpress import DEBIAN_WORDPRESS

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "wp-plugin"
MAIN_FILE = PLUGIN / "fluentcrm-webhooks.php"
README = PLUGIN / "readme.txt"
POT = PLUGIN / "languages" / "fluentcrm-webhooks.pot"
THIRD_PARTY = Path(os.environ.get("FCWH_THIRD_PARTY", "") or ROOT.parent / "shared" / "third-party")


def header(text: str, name: str) -> str:
    match = re.search(rf"^[ \t/*#@]*{re.escape(name)}:\s*(.+?)\s*$", text, flags=re.MULTILINE)
    assert match is not None, f"no {name!r} header"
    return match[1]


def test_the_version_is_the_same_everywhere() -> None:
    main = MAIN_FILE.read_text()
    constant = re.search(r"define\( 'FCWH_VERSION', '([^']+)' \);", main)
    assert constant is not None
    assert header(main, "Version") == constant[1]
    assert header(README.read_text(), "Stable tag") == constant[1]
    assert f"= {constant[1]} =" in README.read_text(), "readme.txt's changelog has no entry for it"


def test_tested_up_to_is_the_wordpress_the_tests_run() -> None:
    version_file = DEBIAN_WORDPRESS / "wp-includes" / "version.php"
    if not version_file.exists():
        pytest.skip(f"no WordPress at {DEBIAN_WORDPRESS} (Debian package `wordpress`)")
    installed = re.search(r"\$wp_version = '(\d+\.\d+)", version_file.read_text())
    assert installed is not None
    assert header(README.read_text(), "Tested up to") == installed[1]


def test_the_text_domain_and_its_folder() -> None:
    main = MAIN_FILE.read_text()
    assert header(main, "Text Domain") == "fluentcrm-webhooks"
    assert header(main, "Domain Path") == "/languages"
    assert POT.is_file()


def msgids(pot: str) -> set[tuple[str, ...]]:
    """Each entry's (msgctxt, msgid, msgid_plural), continuation lines joined; not the header."""
    entries = set()
    for block in pot.split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            keyword = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if keyword:
                current = keyword[1]
                fields[current] = keyword[2]
            elif line.startswith('"') and current is not None:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            entries.add((fields.get("msgctxt", ""), fields["msgid"], fields.get("msgid_plural", "")))
    return entries


def test_the_translation_template_is_current(tmp_path: Path) -> None:
    wp_cli = THIRD_PARTY / "wp-cli.phar"
    if not wp_cli.is_file() or shutil.which("php") is None:
        pytest.skip(f"no WP-CLI phar at {wp_cli} (set FCWH_THIRD_PARTY to its folder) or no php")
    fresh = tmp_path / "fresh.pot"
    subprocess.run(["php", str(wp_cli), "i18n", "make-pot", str(PLUGIN), str(fresh), "--slug=fluentcrm-webhooks",
                    "--allow-root", "--quiet"], check=True, capture_output=True, timeout=120)
    stale, missing = msgids(POT.read_text()) - msgids(fresh.read_text()), msgids(fresh.read_text()) - msgids(POT.read_text())
    assert (sorted(missing), sorted(stale)) == ([], []), "languages/fluentcrm-webhooks.pot is out of date: run `make pot`"
