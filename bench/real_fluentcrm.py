"""Where `make bench` finds a real FluentCRM for the real site-cost figure: the plugin folder
FLUENTCRM_SRC names (the one holding fluent-crm.php), else the newest `fluent-crm-<version>.tar.gz`
in FCWH_THIRD_PARTY or the workplace's `../shared/third-party/` beside this repository (as
tests/wordpress/test_real_fluentcrm.py finds them). FluentCRM's code is never copied into the
repository: an archive is unpacked into the benchmark's own work directory."""

from __future__ import annotations

import os
import re
import tarfile
from pathlib import Path

REAL_PLUGIN_FILE = "fluent-crm/fluent-crm.php"


def third_party_dir() -> Path:
    return Path(os.environ.get("FCWH_THIRD_PARTY", "") or Path(__file__).resolve().parents[1].parent
                / "shared" / "third-party")


def fluentcrm_source() -> tuple[Path | None, str]:
    """(a plugin folder or an archive, its label), or (None, why there is none)."""
    folder = os.environ.get("FLUENTCRM_SRC")
    if folder:
        source = Path(folder).expanduser()
        if (source / "fluent-crm.php").is_file():
            return source, f"FLUENTCRM_SRC ({source})"
        return None, f"FLUENTCRM_SRC={folder} holds no fluent-crm.php"
    archives = sorted(third_party_dir().glob("fluent-crm-*.tar.gz"),
                      key=lambda path: tuple(int(part) for part in re.findall(r"\d+", path.name)))
    if not archives:
        return None, f"no real FluentCRM: set FLUENTCRM_SRC, or put fluent-crm-<version>.tar.gz in {third_party_dir()}"
    newest = archives[-1]
    return newest, "FluentCRM " + newest.name.removeprefix("fluent-crm-").removesuffix(".tar.gz")


def plugin_folder(source: Path, into: Path) -> Path:
    """`source` itself when it is a folder, else its `fluent-crm/` unpacked into `into`."""
    if source.is_dir():
        return source
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source) as archive:
        archive.extractall(into, filter="data")
    plugin = into / "fluent-crm"
    if not (plugin / "fluent-crm.php").is_file():
        raise RuntimeError(f"{source.name} holds no fluent-crm/fluent-crm.php")
    return plugin
