"""Component calls: wasmport's component layer against wasmtime-py's own ``wasmtime.component``.

Both sides call the same component (tests/fixtures/components/calc/calc.wasm) in one
process, with the same engine; each figure is the median of 15 runs timed in
alternation with the peer's, in CPU time of the calling thread (``thread_time``):
the machines are shared, and wall-clock figures there swing by 2-3x.  The host
import figure is per host call: ``add-many(n)`` calls the Python ``host.add`` n times
from inside one export call.  Each goal prints YES or NO; where a goal is below what
the engine's own call costs, the table says so (the "engine's share" lines).

    .venv/bin/python bench/bench_components.py [--markdown bench/RESULTS-components.md]
"""

from __future__ import annotations

import argparse
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import header  # noqa: E402

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
    written and nothing lifted (what no converter can go below), called from C through
    the extension's bare call when it is built (else through ctypes)."""
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
    nothing = ffi.wasmtime_component_val_t()  # a bool: val_delete has nothing to free
    out["free nothing"] = lambda: _capi.val_delete(ctypes.addressof(nothing))
    out["_keep"] = (store, inst, data, nothing)
    return out


def _raw_call(func: Any, store: wasmtime.Store, args: Any, count: int, owns: bool) -> Any:
    results = ffi.wasmtime_component_val_t()
    where, kind, delete = ctypes.addressof(results), memoryview(results).cast("B"), \
        _capi.val_delete
    f, ctx, a = (ctypes.addressof(func._func), ctypes.addressof(store._context().contents),
                 ctypes.addressof(args))
    keep = (func, args)  # the owners of the addresses above
    one: Any = 1
    if _capi.NATIVE is not None:
        call: Any = _capi.NATIVE.component_call
    else:
        call, f, ctx, a, count, where, one = (  # type: ignore[assignment]
            _capi.func_call, ctypes.c_void_p(f), ctypes.c_void_p(ctx), ctypes.c_void_p(a),
            ctypes.c_size_t(count), ctypes.c_void_p(where), ctypes.c_size_t(1))

    def run() -> None:
        call(f, ctx, a, count, where, one)
        if owns:  # a string result is the engine's: free it, as any caller must
            delete(ctypes.addressof(results))
            kind[0] = 0
        assert keep
    return run


def measure(scale: float = 1.0) -> dict[str, Any]:
    """Every figure, from one process: ours, the peer's, the core add, the engine's share
    (`scale` < 1: fewer calls, for a smoke run)."""
    runs, many = max(1, int(15 * scale)), max(2, int(2000 * scale))
    engine = wasmtime.Engine()
    mine, peer = ours(engine), theirs(engine)
    for name in GOALS:  # same answers before any timing
        got, want = mine[name](), _plain(peer[name]())
        assert (got.name, got.count) == want if name == "record in and out" else got == want
    rows = []
    for name, goal in GOALS.items():
        number = max(1, int(20 * scale)) if name == "host import call" else many
        a, b = interleaved(mine[name], peer[name], number=number, repeat=runs)
        if name == "host import call":
            a, b = a / HOST_CALLS, b / HOST_CALLS
        rows.append((name, a, b, goal))
    core, add_again = interleaved(core_add(), mine["add(u32, u32) -> u32"], number=many,
                                  repeat=runs)
    floor = floors(engine)
    bare = {name: interleaved(floor[name], peer[name], number=many, repeat=max(1, runs // 2))
            for name in ("add(u32, u32) -> u32", "echo(string) 1 KiB")}
    # the echo floor frees its result through ctypes: take that call's own cost off
    spent = cpu_time(floor["free nothing"], 10 * many)
    floor_echo, peer_echo = bare["echo(string) 1 KiB"]
    bare["echo(string) 1 KiB"] = (floor_echo - spent, peer_echo)
    return {"rows": rows, "core": core, "add": add_again, "bare": bare}


def report(m: dict[str, Any]) -> str:
    layer = "the C extension" if _capi.NATIVE is not None else \
        f"the ctypes layer ({_capi.NATIVE_REASON})"
    lines = [f"{header()}; calls through {layer}", "",
             "| call | wasmport | wasmtime.component | ratio | goal | holds |",
             "|---|---|---|---|---|---|"]
    for name, a, b, goal in m["rows"]:
        lines.append(f"| {name} | {_us(a)} | {_us(b)} | {b / a:.1f}x | >= {goal:.0f}x | "
                     f"{_holds(b / a >= goal)} |")
    core, add, (floor_add, _peer) = m["core"], m["add"], m["bare"]["add(u32, u32) -> u32"]
    lines.append(f"| add(u32, u32) -> u32 vs wasmport's core-module add(i32, i32) | {_us(add)} "
                 f"| {_us(core)} (core) | {add / core:.1f}x slower | within 2x | "
                 f"{_holds(add <= 2 * core)} |")
    lines += ["", "The engine's share: `wasmtime_component_func_call` alone, arguments written "
              "beforehand, nothing lifted, called from C (what no converter can go below):", ""]
    for name, (floor_time, peer_time) in m["bare"].items():
        lines.append(f"- {name}: {_us(floor_time)}, so at most {peer_time / floor_time:.1f}x "
                     "faster than wasmtime.component through this C API")
    lines.append(f"- a component add can be at best {floor_add / core:.1f}x a core-module add "
                 f"({_us(floor_add)} vs {_us(core)}): the 2x goal is below the engine's own "
                 "cost" if floor_add > 2 * core else "")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", type=Path, help="also write the table there "
                        "under a Components heading (bench/run.py puts it in bench/RESULTS.md)")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    text = report(measure(0.02 if args.quick else 1.0))
    print(text, end="")
    if args.markdown:
        args.markdown.write_text(f"## Components\n\nMade by `python bench/bench_components.py "
                                 f"--markdown {args.markdown}`.\n\n{text}")
    return 0


def _us(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} µs"


def _holds(ok: bool) -> str:
    return "YES" if ok else "NO"


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
