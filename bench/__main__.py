"""`make bench` (= `python -m bench`): every figure side by side with its baseline, medians of
several runs, printed as a table and written to bench/results.md.

    python -m bench                      # everything, about 10 minutes on 2 cores
    python -m bench --only throughput,latency --runs 5
    python -m bench --quick              # small sizes, one run each: a smoke test of the harness
    python -m bench --only throughput --profile /tmp/flames   # py-spy flame graphs (pip install py-spy)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .report import Report
from .stack import bench_stack
from .engine_suites import ENGINE_SUITES
from .retention import RETENTION_SUITES
from .suites import SUITES as LOOPBACK_SUITES
from .suites import Options

SUITES = {**LOOPBACK_SUITES, **ENGINE_SUITES, **RETENTION_SUITES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SUITES), help=f"comma-separated, from: {', '.join(SUITES)}")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the table shows medians")
    parser.add_argument("--quick", action="store_true", help="small sizes and one run (checks the harness)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.md"))
    parser.add_argument("--keep", type=Path, help="keep servers' files and logs in this directory")
    parser.add_argument("--profile", type=Path, help="write py-spy flame graphs of the sidecar's processes here")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SUITES]
    if unknown:
        parser.error(f"unknown suite(s) {unknown}; choose from {list(SUITES)}")
    options = Options(runs=1 if args.quick else args.runs, quick=args.quick, profile=args.profile)

    command = "make bench" if not argv and len(sys.argv) == 1 else "python -m bench " + " ".join(sys.argv[1:])
    report = Report(command)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
    with bench_stack(args.keep) as bench:
        for name in chosen:
            print(f"== {name}", flush=True)
            started = time.monotonic()
            SUITES[name](bench, report, options)
            print(f"   ({time.monotonic() - started:.0f} s)", flush=True)
    print()
    print(report.table())
    report.write(args.out)
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
