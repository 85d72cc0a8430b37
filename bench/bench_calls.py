"""Call overhead: wasmtime-py's own calls vs wasmport._fast, idle and beside a busy thread.

Run:  PYTHONPATH=src python bench/bench_calls.py [--quick]

Prints the median (of timeit repeats) time per call, the ratio, and the targets
from the project issue:

    Python -> wasm add(i32, i32)   <= 0.8 us and >= 30x faster than Func.__call__
    wasm -> Python host (i32, i32) <= 0.5 us and >= 15x faster than a wasmtime.Func callback
    with one busy Python thread    <= 3x the idle figure

Host calls are timed from inside wasm: an export loops n times calling the import,
entered once through the fast caller, so the figure is per host call.  Absolute
times drift from run to run; compare the ratios of one run.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import statistics
import sys
import threading
import timeit
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import wasmtime

WAT = """
(module
  (import "env" "h" (func $h (param i32 i32) (result i32)))
  (func (export "add_i32") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add_i64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "add_f64") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
  (func (export "loop") (param $n i32) (result i32) (local $acc i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $acc (call $h (local.get $acc) (local.get $n)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $acc)))
"""


def import_fast() -> Any:
    try:
        return importlib.import_module("wasmport._fast")
    except ImportError:  # wasmport/__init__.py in flux: load _fast on its own
        for name in [m for m in sys.modules if m.split(".")[0] == "wasmport"]:
            del sys.modules[name]
        stub = types.ModuleType("wasmport")
        stub.__path__ = [str(Path(__file__).resolve().parents[1] / "src" / "wasmport")]
        sys.modules["wasmport"] = stub
        return importlib.import_module("wasmport._fast")


def per_call(fn: Callable[[], Any], calls_per_run: int, budget: float, repeat: int) -> float:
    """Median seconds per call; `fn()` makes `calls_per_run` calls."""
    t = timeit.timeit(fn, number=1)
    number = max(1, int(budget / max(t, 1e-9)))
    runs = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(runs) / (number * calls_per_run)


class BusyThread:
    """A pure-Python loop in another thread, competing for the GIL."""

    def __enter__(self) -> BusyThread:
        self.stop = False
        self.thread = threading.Thread(target=self.spin, daemon=True)
        self.thread.start()
        return self

    def spin(self) -> None:
        n = 0
        while not self.stop:
            n += 1

    def __exit__(self, *exc: object) -> None:
        self.stop = True
        self.thread.join()


def setup(fast: Any) -> dict[str, tuple[Callable[[], Any], int]]:
    store = wasmtime.Store()
    module = wasmtime.Module(store.engine, WAT)
    i32 = wasmtime.ValType.i32
    slow_h = wasmtime.Func(store, wasmtime.FuncType([i32(), i32()], [i32()]), lambda a, b: a + b)
    fast_h = fast.make_host_func(store, ("i32", "i32"), ("i32",), lambda a, b: a + b,
                                 fast.default_relay.on_error)
    slow_ex = wasmtime.Instance(store, module, [slow_h]).exports(store)
    fast_ex = wasmtime.Instance(store, module, [fast_h]).exports(store)

    def caller(ex: Any, name: str, kind: str) -> Callable[..., Any]:
        return fast.make_caller(store, ex[name], (kind, kind), (kind,), name=name)

    add32, add64, addf = (caller(slow_ex, f"add_{k}", k) for k in ("i32", "i64", "f64"))
    f32, f64, ff = (slow_ex[f"add_{k}"] for k in ("i32", "i64", "f64"))
    loop_slow = fast.make_caller(store, slow_ex["loop"], ("i32",), ("i32",))
    loop_fast = fast.make_caller(store, fast_ex["loop"], ("i32",), ("i32",))
    n, n_slow = 1000, 200  # fewer slow host calls: beside a busy thread each costs ms
    return {
        "add i32 Func.__call__": (lambda: f32(store, 1, 2), 1),
        "add i32 make_caller": (lambda: add32(1, 2), 1),
        "add i64 Func.__call__": (lambda: f64(store, 2**40, -5), 1),
        "add i64 make_caller": (lambda: add64(2**40, -5), 1),
        "add f64 Func.__call__": (lambda: ff(store, 1.5, 2.25), 1),
        "add f64 make_caller": (lambda: addf(1.5, 2.25), 1),
        "host i32 wasmtime.Func": (lambda: loop_slow(n_slow), n_slow),
        "host i32 make_host_func": (lambda: loop_fast(n), n),
    }


def run(cases: dict[str, tuple[Callable[[], Any], int]], budget: float,
        repeat: int) -> dict[str, float]:
    out = {}
    for label, (fn, count) in cases.items():
        out[label] = per_call(fn, count, budget, repeat)
        print(f"  {label:28s} {out[label] * 1e6:10.3f} us")
    return out


def report(idle: dict[str, float], busy: dict[str, float]) -> None:
    def check(text: str, ok: bool) -> None:
        print(f"  [{'ok' if ok else 'MISSED'}] {text}")

    print("\nratios and targets")
    for kind in ("i32", "i64", "f64"):
        slow, quick = idle[f"add {kind} Func.__call__"], idle[f"add {kind} make_caller"]
        print(f"  add {kind}: make_caller is {slow / quick:6.1f}x faster than Func.__call__")
    slow_h, fast_h = idle["host i32 wasmtime.Func"], idle["host i32 make_host_func"]
    print(f"  host i32: make_host_func is {slow_h / fast_h:6.1f}x faster than wasmtime.Func")
    add = idle["add i32 make_caller"]
    ratio = idle["add i32 Func.__call__"] / add
    check(f"python->wasm add {add * 1e6:.3f} us <= 0.8 us", add <= 0.8e-6)
    check(f"python->wasm add {ratio:.1f}x >= 30x", ratio >= 30)
    check(f"wasm->python host {fast_h * 1e6:.3f} us <= 0.5 us", fast_h <= 0.5e-6)
    check(f"wasm->python host {slow_h / fast_h:.1f}x >= 15x", slow_h / fast_h >= 15)
    for label in ("add i32 make_caller", "add i64 make_caller", "add f64 make_caller",
                  "host i32 make_host_func"):
        factor = busy[label] / idle[label]
        check(f"busy thread: {label} {factor:.2f}x idle <= 3x", factor <= 3)
    for label in ("add i32 Func.__call__", "host i32 wasmtime.Func"):
        print(f"  (for reference) busy thread: {label} {busy[label] / idle[label]:.1f}x idle")


def main() -> None:
    quick = "--quick" in sys.argv
    budget, repeat = (0.05, 5) if quick else (0.2, 9)
    fast = import_fast()
    if not fast.AVAILABLE:
        sys.exit(f"fast path unavailable: {fast.REASON}")
    print(f"wasmtime {importlib.metadata.version('wasmtime')}, Python {sys.version.split()[0]}, "
          f"median of {repeat} runs")
    cases = setup(fast)
    print("idle")
    idle = run(cases, budget, repeat)
    print("one busy Python thread beside")
    with BusyThread():
        busy = run(cases, budget, repeat)
    report(idle, busy)


if __name__ == "__main__":
    main()
