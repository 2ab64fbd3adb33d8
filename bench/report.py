"""The results table: printed to the terminal and written as Markdown (bench/results.md)."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Row:
    figure: str
    ours: str
    baseline: str
    ratio: str
    target: str
    met: bool | None  # None: no target for this row
    goal_met: bool | None = None  # rows whose target names a goal beyond it as well

    @property
    def verdict(self) -> str:
        verdict = {True: "yes", False: "NO", None: ""}[self.met]
        if self.goal_met is None:
            return verdict
        return f"{verdict}; goal {'yes' if self.goal_met else 'not yet'}"


@dataclass
class Report:
    command: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # raw runs, CPU split, skipped parts
    started: float = field(default_factory=time.time)

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print(f"  {row.figure}: {row.ours} vs {row.baseline} -> {row.ratio} (target {row.target}) {row.verdict}",
              flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  {text}", flush=True)

    def table(self) -> str:
        header = ("figure", "ours", "baseline (same run)", "ratio", "target", "met")
        lines = [header] + [(r.figure, r.ours, r.baseline, r.ratio, r.target, r.verdict) for r in self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

        def render(cells) -> str:
            return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)) + " |"

        return "\n".join([render(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                         + [render(line) for line in lines[1:]])

    def markdown(self) -> str:
        minutes = (time.time() - self.started) / 60
        parts = [
            "# Benchmark results", "",
            f"Reproduce with `{self.command}` ({minutes:.1f} min on this run). {machine()}", "",
            self.table(), "",
        ]
        if self.notes:
            parts += ["Details:", ""] + [f"- {note}" for note in self.notes] + [""]
        return "\n".join(parts)

    def write(self, path: Path) -> None:
        path.write_text(self.markdown())


def machine() -> str:
    cores = os.cpu_count()
    load = os.getloadavg()[0]
    return (f"Measured on {platform.system()} {platform.machine()}, {cores} cores, Python "
            f"{platform.python_version()}, {mariadb_version()}; load average {load:.1f} at the end.")


def mariadb_version() -> str:
    try:
        out = subprocess.run(["/usr/sbin/mariadbd", "--version"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return "MariaDB"
    words = out.split()
    return "MariaDB " + next((w.split("-")[0] for w in words if w[:1].isdigit() and "." in w), "?")


def ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}x" if baseline else "n/a"


def percent(ours: float, baseline: float) -> str:
    return f"{100 * ours / baseline:.0f}%" if baseline else "n/a"
