"""`--profile DIR`: py-spy flame graphs of the sidecar's processes during the throughput runs.

py-spy is not a dependency (`.venv/bin/pip install py-spy`); it samples the running processes
from outside (as root, or with ptrace allowed), so the sidecar runs unchanged. `--gil` keeps only
samples holding the GIL: where the CPU goes, not where threads wait.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Iterator, Mapping


def py_spy() -> str | None:
    return shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")


@contextlib.contextmanager
def profiled(pids: Mapping[str, int], directory: Path | None, label: str) -> Iterator[None]:
    """Record each process into DIR/<label>-<name>.svg while the block runs (no-op without DIR)."""
    binary = py_spy() if directory is not None else None
    if binary is None:
        if directory is not None:
            print("  (--profile: py-spy not found; pip install py-spy)", flush=True)
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    recorders = [subprocess.Popen(
        [binary, "record", "--pid", str(pid), "--gil", "--rate", "250", "--nonblocking", "--format", "flamegraph",
         "--output", str(directory / f"{label}-{name.replace(' ', '-')}.svg")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for name, pid in pids.items() if name != "mariadb"]
    try:
        yield
    finally:
        for recorder in recorders:
            recorder.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        for recorder in recorders:
            recorder.wait(timeout=60)
