"""The native call layer (issue 16): every goal as a ratio measured in this one run.

    python bench/bench_native.py            # about a minute
    python bench/bench_native.py --quick    # a smoke run

Three columns per row: wasmport with the native layer wired in (tests/native/wiring.py,
the wiring the lead adopts), wasmport on today's ctypes layer, and the goal's reference
(``operator.add(1, 2)``, wasmtime-py, ``bytes.decode``).  Both wasmport columns go through
the public API (``mod.add(1, 2)``): realms made before the wiring is installed keep the
ctypes layer.  Per-call figures come from ``timeit`` on the bare statement (``f(1, 2)``),
the same harness for every column, so the ratios compare like with like.  The exit
status is 0 even when a goal does not hold: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import operator
import statistics
import sys
import timeit
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests" / "native")]

import bench_calls_api as calls  # noqa: E402
import wasmtime  # noqa: E402
from _common import header, many_exports  # noqa: E402

import wasmport  # noqa: E402


@dataclass
class Result:
    what: str
    native: float
    ctypes: float | None
    reference: float
    ref_name: str
    goal: str
    holds: bool

    def cells(self) -> list[str]:
        ct = _fmt(self.ctypes) if self.ctypes is not None else "-"
        ratio = self.native / self.reference
        shown = f"{ratio:.1f}x" if ratio >= 1 else f"1/{1 / ratio:.0f}"
        return [self.what, _fmt(self.native), ct, f"{_fmt(self.reference)} ({self.ref_name})",
                shown, self.goal, "yes" if self.holds else "NO"]


def _fmt(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    return f"{seconds * 1e3:.2f} ms"


def per_call(stmt: str, names: dict[str, Any], number: int) -> float:
    """Median seconds per execution of `stmt` (7 repeats of `number`)."""
    runs = timeit.Timer(stmt, globals=names).repeat(7, number)
    return statistics.median(runs) / number


def per_inner(fn: Any, count: int, repeat: int = 7) -> float:
    """Seconds per inner iteration of ``fn(count)`` (a wasm loop making `count` calls)."""
    return statistics.median(timeit.Timer(lambda: fn(count)).repeat(repeat, 1)) / count


class Guests:
    """The bench_calls_api guests in two realms (host functions: a lock) and the raw peer."""

    def __init__(self) -> None:
        self.host_realm = wasmport.Realm()
        self.mod = wasmport.compile(calls._guest(), realm=self.host_realm).instantiate(
            {"env": calls.Env})
        self.compute_realm = wasmport.Realm()
        self.compute = wasmport.compile(calls.COMPUTE, realm=self.compute_realm).instantiate()
        for fn, args in ((self.compute.add, (1, 2)), (self.mod.add, (1, 2)),
                         (self.mod.add64, (1, 2)), (self.mod.addf, (1.0, 2.0)),
                         (self.mod.pair, (1,))):
            fn(*args)  # build each call now, on the layer wired at this moment

    def close(self) -> None:
        self.host_realm.close()
        self.compute_realm.close()


def call_rows(native: Guests, ctypes: Guests, n: int, loops: int) -> list[Result]:
    floor = per_call("f(1, 2)", {"f": operator.add}, n)
    store, raw = calls._raw(wasmport._engine.get_engine())
    theirs = per_call("f(s, 1, 2)", {"f": raw["add"], "s": store}, max(n // 50, 200))
    out = []

    def both(attr: str, module: str, args: str) -> tuple[float, float]:
        return tuple(per_call(f"f({args})", {"f": getattr(getattr(g, module), attr)}, n)
                     for g in (native, ctypes))  # type: ignore[return-value]

    add_n, add_c = both("add", "compute", "1, 2")
    out.append(Result("Python->wasm add(i32, i32)", add_n, add_c, floor, "operator.add",
                      "<= 5x", add_n <= 5 * floor))
    out.append(Result("the same vs wasmtime-py", add_n, add_c, theirs, "wasmtime-py",
                      ">= 150x faster", theirs / add_n >= 150))
    for attr, args, label in (("add64", "1, 2", "add(i64, i64)"),
                              ("addf", "1.0, 2.0", "add(f64, f64)"),
                              ("pair", "1", "pair(i32) -> (i32, i64)")):
        mine, old = both(attr, "mod", args)
        out.append(Result(f"Python->wasm {label} (lock engaged)", mine, old, floor,
                          "operator.add", "<= 7x", mine <= 7 * floor))
    locked_n, locked_c = both("add", "mod", "1, 2")
    out.append(Result("add(i32, i32) with the store's lock engaged", locked_n, locked_c, floor,
                      "operator.add", "<= 6x", locked_n <= 6 * floor))
    return out + host_rows(native, ctypes, store, raw, loops)


def host_rows(native: Guests, ctypes: Guests, store: Any, raw: Any, loops: int) -> list[Result]:
    host_n, host_c = (per_inner(g.mod.host_loop, loops) for g in (native, ctypes))
    raw_host = per_inner(lambda c: raw["host_loop"](store, c), loops // 10, 5)
    out = [Result("wasm->Python typed host (i32, i32) -> i32", host_n, host_c, raw_host,
                  "wasmtime-py", ">= 60x faster", raw_host / host_n >= 60)]
    text = calls.ASCII.encode()
    decode = per_call("t.decode('utf-8')", {"t": text}, 20_000)
    bytes_n, bytes_c = (per_inner(lambda c, g=g: g.mod.bytes_loop(c, 1024), loops)
                        for g in (native, ctypes))
    out.append(Result("host Bytes parameter of 1 KiB", bytes_n, bytes_c, decode,
                      "bytes.decode", "<= 3x", bytes_n <= 3 * decode))
    str_n, str_c = (per_inner(lambda c, g=g: g.mod.string_loop(c, 0, 1024), loops)
                    for g in (native, ctypes))
    out.append(Result("host ASCII String parameter of 1 KiB", str_n, str_c, decode,
                      "bytes.decode", "<= 3x", str_n <= 3 * decode))
    return out


def memory_rows(native: Guests, ctypes: Guests, n: int) -> list[Result]:
    copy = per_call("bytes(v)", {"v": memoryview(bytearray(1024))}, n)
    read_n, read_c = (per_call("r(0, 1024)", {"r": g.mod.memory.read}, n)
                      for g in (native, ctypes))
    data = bytes(1024)
    write_n, write_c = (per_call("w(0, d)", {"w": g.mod.memory.write, "d": data}, n)
                        for g in (native, ctypes))
    return [Result("Memory.read of 1 KiB", read_n, read_c, copy, "bytes(memoryview)",
                   "(no goal)", True),
            Result("Memory.write of 1 KiB", write_n, write_c, copy, "bytes(memoryview)",
                   "(no goal)", True)]


def first_use(count: int) -> float:
    """Load a module with `count` exports and call each once (each is wrapped then)."""
    path = str(many_exports(count))

    def once() -> None:
        with wasmport.Realm() as realm:
            mod = wasmport.load(path, realm=realm)
            for name in wasmport.instance_of(mod).module.export_names:
                getattr(mod, name)()

    return statistics.median(timeit.Timer(once).repeat(3, 1))


def instance_cost(number: int) -> tuple[float, float]:
    """One more instance (7 x number of them: a store holds at most 10,000)."""
    wat = ('(module (memory (export "memory") 1) (global (export "g") (mut i32) (i32.const 0))'
           ' (func (export "f") (param i32) (result i32) local.get 0))')
    with wasmport.Realm() as realm:
        mod = wasmport.compile(wat, realm=realm)
        ours = per_call("f()", {"f": mod.instantiate}, number)
    engine = wasmport._engine.get_engine()
    store = wasmtime.Store(engine)
    pre = wasmtime.Linker(engine).instantiate_pre(wasmtime.Module(engine, wat))
    return ours, per_call("f(s)", {"f": pre.instantiate, "s": store}, number)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args(argv)
    n, loops, count = (20_000, 2_000, 1000) if args.quick else (200_000, 20_000, 4000)
    ctypes_guests = Guests()
    use_c = first_use(count)
    inst_c, raw_pre = instance_cost(200 if args.quick else 1000)
    import wiring

    wiring.install()
    native_guests = Guests()
    rows = call_rows(native_guests, ctypes_guests, n, loops)
    rows += memory_rows(native_guests, ctypes_guests, n)
    use_n = first_use(count)
    inst_n, raw_pre2 = instance_cost(200 if args.quick else 1000)
    rows.append(Result(f"import + first use of all {count} exports", use_n, use_c, 20e-3,
                       "the goal", "<= 20 ms", use_n <= 20e-3))
    rows.append(Result("one more instance of a small module", inst_n, inst_c,
                       min(raw_pre, raw_pre2), "raw InstancePre", "<= 1.2x",
                       inst_n <= 1.2 * min(raw_pre, raw_pre2)))
    native_guests.close()
    ctypes_guests.close()
    head = ["what", "native", "ctypes (today)", "reference", "native/reference", "goal",
            "holds"]
    print(f"{header()}{' (quick)' if args.quick else ''}\n")
    print("| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row.cells()) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
