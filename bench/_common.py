"""Shared pieces of the benchmarks: timing, generated modules, the results table."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import wasmtime

CACHE = Path(__file__).resolve().parent / ".cache"


def _runs(fn: Callable[[], object], number: int, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return runs


def median_time(fn: Callable[[], object], *, number: int, repeat: int) -> float:
    """Median seconds per call of ``fn`` over ``repeat`` runs of ``number`` calls."""
    return statistics.median(_runs(fn, number, repeat))


def min_time(fn: Callable[[], object], *, number: int, repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``number`` calls, per call: what a call costs when
    nothing else on the machine takes the core (other load only adds time)."""
    return min(_runs(fn, number, repeat))


@dataclass
class Row:
    goal: str
    what: str
    wasmport: float
    raw: float | None
    unit: str
    target: str
    holds: bool
    extra: str = ""

    def cells(self) -> list[str]:
        ratio = f"{self.raw / self.wasmport:.1f}x" if self.raw else "-"
        raw = _fmt(self.raw, self.unit) if self.raw is not None else "-"
        return [self.goal, self.what, _fmt(self.wasmport, self.unit), raw, ratio, self.target,
                "yes" if self.holds else "NO", self.extra]


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        if value < 1e-6:
            return f"{value * 1e9:.0f} ns"
        if value < 1e-3:
            return f"{value * 1e6:.2f} µs"
        if value < 1:
            return f"{value * 1e3:.2f} ms"
        return f"{value:.2f} s"
    return f"{value:,.0f} {unit}"


def header() -> str:
    return (f"wasmport benchmarks — {time.strftime('%Y-%m-%d %H:%M')} — "
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"wasmtime-py {version('wasmtime')}, {platform.platform(terse=True)}, "
            f"load average {_load()} at the start (other processes share the cores)")


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def table(rows: list[Row]) -> str:
    head = ["goal", "what", "wasmport", "raw wasmtime-py", "ratio", "target", "holds", "notes"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r.cells()) + " |" for r in rows]
    return "\n".join(lines)


def _body(i: int, count: int) -> str:
    """A function with what real code has: a loop, loads and stores, branches, a
    br_table and a call (straight-line arithmetic would compile unrealistically fast)."""
    callee = (i * 7 + 3) % count
    return f"""(func $f{i} (param $a i32) (param $b i32) (result i32)
  (local $i i32) (local $acc i32)
  (local.set $acc (local.get $a))
  (block $out (loop $top
    (br_if $out (i32.ge_u (local.get $i) (local.get $b)))
    (local.set $acc (i32.add (local.get $acc)
      (i32.load offset={i % 64 * 4} (i32.and (local.get $i) (i32.const 1020)))))
    (if (i32.and (local.get $acc) (i32.const {i % 7 + 1}))
      (then (local.set $acc (i32.xor (local.get $acc) (i32.const {i * 2654435761 % 2**31}))))
      (else (local.set $acc (i32.rotl (local.get $acc) (i32.const {i % 31 + 1})))))
    (i32.store offset={i % 32 * 8} (i32.and (local.get $acc) (i32.const 1020)) (local.get $i))
    (block $b0 (block $b1 (block $b2
      (br_table $b0 $b1 $b2 (i32.and (local.get $acc) (i32.const 3))))
      (local.set $acc (i32.mul (local.get $acc) (i32.const 31))) (br $b0))
      (local.set $acc (i32.sub (local.get $acc) (i32.const {i}))))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br $top)))
  (if (result i32) (i32.lt_u (local.get $b) (i32.const 2))
    (then (local.get $acc))
    (else (call $f{callee} (local.get $acc) (i32.shr_u (local.get $b) (i32.const 1))))))"""


def big_module(megabytes: float) -> Path:
    """A generated module of about ``megabytes`` MB of code (cached under bench/.cache)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"code{megabytes:g}mb.wasm"
    if not path.exists():
        count = int(5200 * megabytes)
        funcs = "\n".join(_body(i, count) for i in range(count))
        wat = f'(module (memory 1) {funcs} (export "f0" (func $f0)))'
        path.write_bytes(bytes(wasmtime.wat2wasm(wat)))
    return path


def many_exports(count: int) -> Path:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"exports{count}.wasm"
    if not path.exists():
        funcs = " ".join(f'(func (export "f{i}") (result i32) i32.const {i})' for i in range(count))
        path.write_bytes(bytes(wasmtime.wat2wasm(f"(module {funcs})")))
    return path


def python() -> str:
    return sys.executable
