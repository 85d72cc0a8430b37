"""Component calls: wasmport's component layer against wasmtime-py's own ``wasmtime.component``.

Both sides call the same component (tests/fixtures/components/calc/calc.wasm) in one
process, with the same engine; each figure is the median of 15 runs timed in
alternation with the peer's, in CPU time of the calling thread (``thread_time``):
the machines are shared, and wall-clock figures there swing by 2-3x.  The host
import figure is per host call: ``add-many(n)`` calls the Python ``host.add`` n times
from inside one export call.  Run: ``.venv/bin/python bench/bench_components.py``.
"""

from __future__ import annotations

import ctypes
import statistics
import struct
import sys
import time
from pathlib import Path
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime import component as wc

import wasmport
from wasmport._component import compile_component, instantiate
from wasmport._engine import component as _capi

ROOT = Path(__file__).resolve().parent.parent
CALC = ROOT / "tests" / "fixtures" / "components" / "calc" / "calc.wasm"
HOST_CALLS = 1000
TEXT = "é" * 341 + "ab"  # 1 KiB of UTF-8 (2 * 341 + 2 bytes)

GOALS = {"add(u32, u32) -> u32": 15.0, "echo(string) 1 KiB": 10.0,
         "record in and out": 10.0, "host import call": 10.0}


class Host:
    @staticmethod
    def log(msg: str) -> None:
        pass

    @staticmethod
    def add(a: int, b: int) -> int:
        return (a + b) & 0xFFFFFFFF

    @staticmethod
    def offset(p: Any) -> Any:
        return p


def ours(engine: wasmtime.Engine) -> dict[str, Any]:
    code = compile_component(engine, CALC.read_bytes(), "calc.wasm")
    inst = instantiate(wasmtime.Store(engine), code, {"test:calc/host": Host, "tick": lambda: 1})
    api = inst.exports.api
    pair = api.Pair("name", 7)
    return {"add(u32, u32) -> u32": lambda: inst.exports.add(1, 2),
            "echo(string) 1 KiB": lambda: api.echo(TEXT),
            "record in and out": lambda: api.bump(pair),
            "host import call": lambda: api.add_many(HOST_CALLS)}


def theirs(engine: wasmtime.Engine) -> dict[str, Any]:
    component = wc.Component(engine, CALC.read_bytes())
    linker = wc.Linker(engine)
    with linker.root() as root:
        with root.add_instance("test:calc/host@0.1.0") as host:
            host.add_func("log", lambda store, msg: None)
            host.add_func("add", lambda store, a, b: (a + b) & 0xFFFFFFFF)
            host.add_func("offset", lambda store, p: p)
        root.add_func("tick", lambda store: 1)
    store = wasmtime.Store(engine)
    inst = linker.instantiate(store, component)
    api = inst.get_export_index(store, "test:calc/api@0.1.0")

    def func(name: str, parent: Any = None) -> Any:
        index = inst.get_export_index(store, name, parent)
        return inst.get_func(store, index)
    add, echo, bump, many = (func("add"), func("echo", api), func("bump", api),
                             func("add-many", api))
    record = wc.Record()
    record.name, record.count = "name", 7  # type: ignore[attr-defined]
    return {"add(u32, u32) -> u32": lambda: add(store, 1, 2),
            "echo(string) 1 KiB": lambda: echo(store, TEXT),
            "record in and out": lambda: bump(store, record),
            "host import call": lambda: many(store, HOST_CALLS)}


def core_add() -> Any:
    """The same add as a core module through wasmport's fast path, for the 2x goal."""
    path = ROOT / "bench" / ".cache" / "core_add.wat"
    path.parent.mkdir(exist_ok=True)
    path.write_text('(module (func (export "add") (param i32 i32) (result i32)\n'
                    '  local.get 0 local.get 1 i32.add))\n')
    mod = wasmport.load(str(path))
    return lambda: mod.add(1, 2)


def floors(engine: wasmtime.Engine) -> dict[str, Any]:
    """The engine's own share: ``wasmtime_component_func_call`` with the arguments already
    written and nothing lifted (what no Python-side converter can go below)."""
    component = wc.Component(engine, CALC.read_bytes())
    linker = wc.Linker(engine)
    with linker.root() as root:
        with root.add_instance("test:calc/host@0.1.0") as host:
            for name in ("log", "add", "offset"):
                host.add_func(name, lambda store, *a: None)
        root.add_func("tick", lambda store: 1)
    store = wasmtime.Store(engine)
    inst = linker.instantiate(store, component)
    api = inst.get_export_index(store, "test:calc/api@0.1.0")
    data = TEXT.encode()
    out = {}
    for label, func, values in (
            ("add(u32, u32) -> u32", inst.get_func(store, "add"), [(6, 1), (6, 2)]),
            ("echo(string) 1 KiB", inst.get_func(store, inst.get_export_index(store, "echo", api)),
             [(12, data)])):
        args = (ffi.wasmtime_component_val_t * len(values))()
        view = memoryview(args).cast("B")
        for i, (kind, value) in enumerate(values):
            if isinstance(value, bytes):
                struct.pack_into("<B7xQQ", view, 32 * i, kind, len(value), id(value) + 32)
            else:
                struct.pack_into("<B7xI", view, 32 * i, kind, value)
        out[label] = _raw_call(func, store, args, len(values), owns=label.startswith("echo"))
    out["_keep"] = (store, inst, data)
    return out


def _raw_call(func: Any, store: wasmtime.Store, args: Any, count: int, owns: bool) -> Any:
    results = ffi.wasmtime_component_val_t()
    f, ctx, a, n, r, one = (ctypes.c_void_p(ctypes.addressof(func._func)),
                            ctypes.c_void_p(ctypes.addressof(store._context().contents)),
                            ctypes.byref(args), ctypes.c_size_t(count), ctypes.byref(results),
                            ctypes.c_size_t(1))
    where, kind, call, delete = ctypes.addressof(results), memoryview(results).cast("B"), \
        _capi.func_call, _capi.val_delete
    keep = (func, args)  # the owners of the addresses above

    def run() -> None:
        call(f, ctx, a, n, r, one)
        if owns:  # a string result is the engine's: free it, as any caller must
            delete(where)
            kind[0] = 0
        assert keep
    return run


def main() -> int:
    engine = wasmtime.Engine()
    mine, peer = ours(engine), theirs(engine)
    for name in GOALS:  # same answers before any timing
        got, want = mine[name](), _plain(peer[name]())
        assert (got.name, got.count) == want if name == "record in and out" else got == want
    rows = []
    for name, goal in GOALS.items():
        number = 20 if name == "host import call" else 2000
        a, b = interleaved(mine[name], peer[name], number=number, repeat=15)
        if name == "host import call":
            a, b = a / HOST_CALLS, b / HOST_CALLS
        rows.append((name, a, b, b / a, goal))
    core, add_again = interleaved(core_add(), mine["add(u32, u32) -> u32"], number=2000,
                                  repeat=15)
    floor = floors(engine)
    bare = {name: interleaved(floor[name], peer[name], number=2000, repeat=9)
            for name in ("add(u32, u32) -> u32", "echo(string) 1 KiB")}
    print("| call | wasmport | wasmtime.component | ratio | goal |")
    print("|---|---|---|---|---|")
    for name, a, b, ratio, goal in rows:
        mark = "yes" if ratio >= goal else "NO"
        print(f"| {name} | {a * 1e6:.2f} µs | {b * 1e6:.2f} µs | {ratio:.1f}x | "
              f">= {goal:.0f}x: {mark} |")
    print(f"\ncomponent add {add_again * 1e6:.2f} µs vs wasmport core-module add "
          f"{core * 1e6:.2f} µs: {add_again / core:.1f}x (goal: within 2x)")
    print("\nthe engine's share (func_call with arguments pre-written, nothing lifted, "
          "through ctypes):")
    for name, (floor_time, peer_time) in bare.items():
        print(f"  {name}: {floor_time * 1e6:.2f} µs, so at most {peer_time / floor_time:.1f}x "
              "faster than wasmtime.component through this C API")
    return 0


def cpu_time(fn: Any, number: int) -> float:
    """CPU seconds per call of this thread: other processes on a busy machine don't count."""
    start = time.thread_time()
    for _ in range(number):
        fn()
    return (time.thread_time() - start) / number


def interleaved(a: Any, b: Any, *, number: int, repeat: int) -> tuple[float, float]:
    """Medians of a and b timed in alternation, so that what drifts hits both alike."""
    runs_a, runs_b = [], []
    for _ in range(repeat):
        runs_a.append(cpu_time(a, number))
        runs_b.append(cpu_time(b, number))
    return statistics.median(runs_a), statistics.median(runs_b)


def _plain(value: Any) -> Any:
    if isinstance(value, wc.Record):
        return (value.name, value.count)  # type: ignore[attr-defined]
    return value


if __name__ == "__main__":
    sys.exit(main())
