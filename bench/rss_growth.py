"""RSS growth of long-lived realms (issue 11, item 14): not a timed test, a figure.

    .venv/bin/python bench/rss_growth.py [--cycles 10000] [--loads 2000]

1. ``cycles`` instantiate-and-drop cycles of a module with a host import, in one realm;
2. ``loads`` loads of one file, each with a distinct per-load ``Limits`` (a child store
   per configuration), the results dropped.
Each prints the resident set size before, after, and after closing the realm (MiB).
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile

import wasmport

WAT = """(module (import "env" "h" (func $h (param i32) (result i32)))
  (memory (export "m") 1)
  (func (export "f") (param i32) (result i32) (call $h (local.get 0))))"""


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def cycles(n: int) -> tuple[float, float, float]:
    realm = wasmport.Realm()
    module = wasmport.compile(WAT, realm=realm)
    for _ in range(50):  # warm-up (wasmtime caps a store at 10,000 instances: see main)
        module.instantiate({"env": {"h": lambda x: x}}).f(1)
    gc.collect()
    before = rss_mib()
    for i in range(n):
        assert module.instantiate({"env": {"h": lambda x: x + 1}}).f(i) == i + 1
    gc.collect()
    after = rss_mib()
    realm.close()
    gc.collect()
    return before, after, rss_mib()


def loads(n: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "limited.wat")
        with open(path, "w") as f:
            f.write('(module (memory (export "m") 1) (func (export "f") (result i32) '
                    'i32.const 7))')
        realm = wasmport.Realm()
        for i in range(20):
            realm.load(path, limits=wasmport.Limits(fuel=10**6 + i)).f()
        gc.collect()
        before = rss_mib()
        for i in range(n):
            assert realm.load(path, limits=wasmport.Limits(fuel=2 * 10**6 + i)).f() == 7
        gc.collect()
        after = rss_mib()
        realm.close()
        gc.collect()
        return before, after, rss_mib()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=9_900)
    parser.add_argument("--loads", type=int, default=2_000)
    args = parser.parse_args()
    for label, (before, after, closed) in (
            (f"{args.cycles} instantiate-and-drop cycles", cycles(args.cycles)),
            (f"{args.loads} per-load-Limits loads", loads(args.loads))):
        print(f"{label:40s} RSS {before:7.1f} -> {after:7.1f} MiB (+{after - before:.1f}); "
              f"after close {closed:.1f}")


if __name__ == "__main__":
    main()
