"""Run every speed goal and print one table: wasmport, raw wasmtime-py, the ratio, the
goal, and whether it holds.

    python bench/run.py            # the full run (a few minutes), components last
    python bench/run.py --quick    # a smoke run: checks that every benchmark works
    python bench/run.py --markdown bench/RESULTS.md   # also write the table there

Per-call figures are the fastest of repeated runs (load from elsewhere only adds time);
loops, loads and imports are medians.  Absolute times drift from run to run, so read
the ratios.  The exit status is 0 even when a goal does not hold: this is a
measurement, not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_calls_api  # noqa: E402
import bench_components  # noqa: E402
import bench_linking  # noqa: E402
import bench_loading  # noqa: E402
import bench_native  # noqa: E402
from _common import header, table  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--markdown", type=Path, help="write the table to this file too")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    rows = []
    for bench in (bench_calls_api, bench_native, bench_loading, bench_linking):
        rows += bench.rows(args.quick)
    components = bench_components.report(bench_components.measure(0.02 if args.quick else 1.0))
    text = (f"{header()}{' (quick)' if args.quick else ''}\n\n{table(rows)}\n\n"
            f"## Components\n\n{components}")
    print(text)
    print(f"({time.perf_counter() - start:.0f} s; peers such as extism are not measured: "
          "they call plugins through their own ABI, not plain exports)")
    if args.markdown:
        args.markdown.write_text("# Benchmark results\n\nMade by `python bench/run.py "
                                 f"--markdown bench/RESULTS.md`.\n\n{text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
