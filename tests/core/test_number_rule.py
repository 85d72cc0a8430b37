"""One number rule on every call path (_engine/numbers.py): integers are int or
__index__, never bool; floats are float or an integer, never bool nor another object
with only __float__ (Fraction, Decimal).  The same table on the native, ctypes and
checked paths, for arguments, host results, globals, memories and tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

import wasmport

WAT = """(module
  (import "env" "hi" (func $hi (result i32)))
  (import "env" "hf" (func $hf (result f64)))
  (memory (export "m") 1 3) (table (export "t") 1 4 funcref)
  (global (export "gi") (mut i32) (i32.const 0)) (global (export "gf") (mut f64) (f64.const 0))
  (func (export "i32") (param i32) (result i32) local.get 0)
  (func (export "i64") (param i64) (result i64) local.get 0)
  (func (export "f32") (param f32) (result f32) local.get 0)
  (func (export "f64") (param f64) (result f64) local.get 0)
  (func (export "v128") (param v128) (result v128) local.get 0)
  (func (export "call_hi") (result i32) call $hi)
  (func (export "call_hf") (result f64) call $hf))"""


class Index:
    def __index__(self) -> int:
        return 7


class Floaty:
    def __float__(self) -> float:
        return 2.5


VALUES: dict[str, Any] = {"True": True, "3": 3, "2.5": 2.5, "Index": Index(), "Floaty": Floaty(),
                          "Fraction": Fraction(5, 2), "Decimal": Decimal("2.5"), "str": "3"}
INTS = {"3": 3, "Index": 7}  # what an integer slot accepts (and gives back)
FLOATS = {"3": 3.0, "2.5": 2.5, "Index": 7.0}  # what a float slot accepts


def _outcome(fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except TypeError:
        return "TypeError"
    except (IndexError, ValueError, wasmport.WasmportError) as err:  # taken, then refused
        return type(err).__name__


def outcomes(limits: bool) -> dict[str, dict[str, Any]]:
    """Every value through every way in, on this process's call path."""
    realm = wasmport.Realm(limits=wasmport.Limits(fuel=10**9) if limits else None)
    box: list[Any] = [0]
    inst = wasmport.instance_of(wasmport.compile(WAT, realm=realm).instantiate(
        {"env": {"hi": lambda: box[0], "hf": lambda: box[0]}}))
    ex = inst.exports

    def via(export: str) -> Any:
        def call(value: Any) -> Any:
            box[0] = value
            return ex[export]()
        return call

    def setter(name: str) -> Any:
        def put(value: Any) -> Any:
            ex[name].value = value
            return ex[name].value
        return put

    ways = {kind: ex[kind] for kind in ("i32", "i64", "f32", "f64", "v128")}
    ways |= {"host i32": via("call_hi"), "host f64": via("call_hf"),
             "global i32": setter("gi"), "global f64": setter("gf"),
             "read offset": lambda v: len(ex["m"].read(v, 1)),
             "read length": lambda v: len(ex["m"].read(0, v)),
             "table index": lambda v: ex["t"][v] is None and "ok",
             "memory grow": lambda v: ex["m"].grow(v),
             "table grow": lambda v: ex["t"].grow(v)}
    out = {name: {label: _outcome(fn, value) for label, value in VALUES.items()}
           for name, fn in ways.items()}
    realm.close()
    return out


def _expected(name: str) -> dict[str, Any]:
    floats = name.endswith(("f32", "f64"))
    accepted = FLOATS if floats else INTS
    if name.startswith(("read", "table index", "memory grow", "table grow")):
        accepted = {"3": "?", "Index": "?"}  # accepted: the result depends on the state
    return {label: accepted.get(label, "TypeError") for label in VALUES}


WAYS = 14  # the ways in that outcomes() tries: a table missing some would check less


def _check(table: dict[str, dict[str, Any]]) -> int:
    """Assert every outcome of ``table``; the number of outcomes checked."""
    checked = 0
    for name, row in table.items():
        expected = _expected(name)
        for label, found in row.items():
            if expected[label] == "?":
                assert found != "TypeError", (name, label)
            else:
                assert found == expected[label], (name, label, found)
            checked += 1
    return checked


@pytest.mark.parametrize("limits", [False, True], ids=["fast", "checked"])
def test_the_number_rule_in_this_process(limits: bool) -> None:
    assert _check(outcomes(limits)) == WAYS * len(VALUES)


@pytest.mark.parametrize("env", ["WASMPORT_NO_NATIVE", "WASMPORT_NO_FAST"])
def test_the_number_rule_on_the_other_paths(env: str) -> None:
    code = ("import json, sys; sys.path.insert(0, 'tests'); "
            "from core.test_number_rule import outcomes; "
            "print(json.dumps([outcomes(False), outcomes(True)]))")
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root, env={**os.environ, env: "1"}, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    for table in json.loads(out.stdout):
        assert _check(table) == WAYS * len(VALUES)


@pytest.mark.parametrize(("call", "text"), [
    (lambda m: m.read(True, 1), "offset: expected an int, got bool"),
    (lambda m: m.read(0, 1.0), "length: expected an int, got float"),
    (lambda m: m.write(True, b"x"), "offset: expected an int, got bool"),
    (lambda m: m.grow(1.5), r"grow\(\): expected an int, got float"),
    (lambda m: m.grow(False), r"grow\(\): expected an int, got bool"),
])
def test_memory_numbers_are_type_errors_naming_the_argument(call: Any, text: str) -> None:
    with wasmport.Realm() as realm:
        memory = wasmport.Memory(1, 2, realm=realm)
        with pytest.raises(TypeError, match=text):
            call(memory)
        assert len(memory) == 65536  # nothing happened
