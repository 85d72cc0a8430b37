"""Beyond one process: what a wasm function costs per task, and what two workers give.

    python bench/bench_distributed.py           # about a minute
    python bench/bench_distributed.py --quick   # a smoke run

1. Per-task overhead: ``square(x)`` as a wasm export against the same pure-Python
   function, mapped over N items by ``multiprocessing.Pool.map`` (spawn, 2 workers),
   Dask's ``client.map`` (a LocalCluster of 2 worker processes) and ``dask.bag``.
   Each row is the wall time per item; the difference is what wasmport adds per task
   (the function travels as a reference: resolved once per chunk or task).
2. Speedup: a CPU-bound wasm function (``spin``: an LCG loop) in 8 tasks on 2 workers
   against 1 worker, with Pool and with Dask.  A 2-core machine shared with other work
   gives less than 2x; read the ratio beside the pure-Python one.

Not wired into bench/run.py: starting clusters takes most of the run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import wasmport

KERNELS = Path(__file__).resolve().parents[1] / "tests" / "distrib" / "kernels.wat"
kernels: Any = wasmport.load(KERNELS)


def py_square(x: int) -> int:
    return x * x


def py_spin(n: int) -> int:
    v = 1
    for _ in range(n):
        v = (v * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
    return v


def best(run: Callable[[], Any], repeat: int) -> float:
    """The median of ``repeat`` timed runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def overhead_rows(n: int, repeat: int) -> list[tuple[str, float, float]]:
    """(how, wasm seconds per item, Python seconds per item)."""
    import dask.bag
    from distributed import Client, LocalCluster

    rows = []
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(kernels.square, range(100))  # warm: workers started, module loaded
        for name, fn in (("wasm", kernels.square), ("python", py_square)):
            rows.append((name, best(lambda f=fn: pool.map(f, range(n)), repeat) / n))
    out = [("Pool.map (spawn, 2 workers)", rows[0][1], rows[1][1])]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.gather(client.map(kernels.square, range(50), pure=False))  # warm
        tasks = max(n // 20, 50)

        def mapped(fn: Callable[[int], int]) -> None:
            client.gather(client.map(fn, range(tasks), pure=False))

        def bagged(fn: Callable[[int], int]) -> None:
            dask.bag.from_sequence(range(n), npartitions=4).map(fn).sum().compute()

        out.append(("Dask client.map (2 workers)", best(lambda: mapped(kernels.square),
                                                        repeat) / tasks,
                    best(lambda: mapped(py_square), repeat) / tasks))
        out.append(("dask.bag.map (2 workers)", best(lambda: bagged(kernels.square),
                                                     repeat) / n,
                    best(lambda: bagged(py_square), repeat) / n))
    return out


def speedup_rows(spin: int, tasks: int) -> list[tuple[str, float, float]]:
    """(how, seconds on 1 worker, seconds on 2 workers) for the CPU-bound function."""
    from distributed import Client, LocalCluster

    out = []
    for name, fn, work in (("wasm spin", kernels.spin, spin),
                           ("Python spin", py_spin, spin // 40)):
        times = []
        for workers in (1, 2):
            with multiprocessing.get_context("spawn").Pool(workers) as pool:
                pool.map(fn, [1] * workers)  # warm
                times.append(best(lambda p=pool, f=fn, w=work: p.map(f, [w] * tasks,
                                                                     chunksize=1), 3))
        out.append((f"Pool, {name}", *times))
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            client.gather(client.map(kernels.spin, [1] * workers, pure=False))
            out.append(("Dask, wasm spin", workers, best(
                lambda c=client: c.gather(c.map(kernels.spin, [spin] * tasks, pure=False)),
                3)))
    dask_rows = [r for r in out if r[0].startswith("Dask")]
    out = [r for r in out if not r[0].startswith("Dask")]
    out.append(("Dask, wasm spin", dask_rows[0][2], dask_rows[1][2]))
    return out


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    n, repeat = (2_000, 1) if args.quick else (20_000, 5)
    spin, tasks = (2_000_000, 4) if args.quick else (60_000_000, 8)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"wasmport distributed benchmark — {time.strftime('%Y-%m-%d %H:%M')} — "
          f"{platform.machine()}, {multiprocessing.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {load:.1f} (other work shares the "
          f"cores: read the speedup with it){' (quick)' if args.quick else ''}\n")
    print("| per item | wasm square | Python square | wasm - Python |\n|---|---|---|---|")
    for how, wasm, python in overhead_rows(n, repeat):
        print(f"| {how} | {us(wasm)} | {us(python)} | {us(wasm - python)} |")
    print(f"\n| {tasks} CPU-bound tasks | 1 worker | 2 workers | speedup |\n|---|---|---|---|")
    for how, one, two in speedup_rows(spin, tasks):
        print(f"| {how} | {one:.2f} s | {two:.2f} s | {one / two:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
