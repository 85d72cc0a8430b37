"""A wheel built with a C compiler carries the extension and runs on it, and the generic
v128 conversions (CPython 3.14 and later, compilers without 128-bit integers) agree with
the ctypes layer: the wheel is built with ``-DWASMPORT_GENERIC_V128`` (wheels.py)."""

from __future__ import annotations

from pathlib import Path

from .wheels import build_wheel, run_from

CHILD = """
import random
import wasmtime
import wasmport
sys.path.append(sys.argv[2])  # after the wheel: the tests' helpers, not their wasmport
from native.conftest import around_digits, outcome
from wasmport._engine import fast
from wasmport._engine.fast import _native
info = wasmport.__debug_info__()
print(wasmport.__file__.startswith(sys.argv[1]), _native.__file__.startswith(sys.argv[1]),
      info["call layer"])
store = wasmtime.Store(wasmtime.Engine())
ex = wasmtime.Instance(store, wasmtime.Module(store.engine, '''(module
  (func (export "id") (param v128) (result v128) (local.get 0))
  (func (export "join") (param i64 i64) (result v128)
    (i64x2.replace_lane 1 (i64x2.splat (local.get 0)) (local.get 1))))'''), []).exports(store)

ident = [m.make_caller(store, ex["id"], ("v128",), ("v128",), name="id") for m in (fast, _native)]
join = [m.make_caller(store, ex["join"], ("i64", "i64"), ("v128",)) for m in (fast, _native)]
values = around_digits(14)
rng = random.Random(14)
lanes = [(rng.randrange(-2**63, 2**63), rng.randrange(-2**63, 2**63)) for _ in range(200)]
print(all(outcome(ident[0], v) == outcome(ident[1], v) for v in values), len(values))
print(all(join[0](a, b) == join[1](a, b) for a, b in lanes))
print(sum(outcome(ident[1], v)[0] == "ok" for v in values) > len(values) // 2)
"""


def test_a_wheel_with_the_extension_and_generic_v128_conversions(tmp_path: Path) -> None:
    names, site = build_wheel(tmp_path, {"CFLAGS": "-DWASMPORT_GENERIC_V128"})
    assert [n for n in names if n.startswith("wasmport/_engine/_ext.") and n.endswith(".so")]
    first, same, lanes, mostly_ok = run_from(site, CHILD, str(Path(__file__).parents[1]))
    assert first == "True True native"
    assert same.startswith("True ") and int(same.split()[1]) > 200
    assert (lanes, mostly_ok) == ("True", "True")
