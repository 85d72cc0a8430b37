"""First use of an export: one native look-up, and Function calls without a tuple."""

from __future__ import annotations

import functools
import sys

import pytest
import wasmtime

from wasmport._engine.fast import _native, _native_exports
from wasmport._engine.raw import export_get
from wasmport._engine.valtypes import func_sig_of

EXPORTS = """(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "mixed") (param i64 f32 funcref) (result f64 externref)
    f64.const 1 ref.null extern)
  (func (export "nop"))
  (memory (export "memory") 1)
  (global (export "g") i32 (i32.const 7))
  (func (export "\u00e9t\u00e9") (result i32) i32.const 1))"""


@pytest.mark.parametrize("name", ["add", "mixed", "nop", "\u00e9t\u00e9"])
def test_export_func_finds_what_the_ctypes_look_up_finds(store, instantiate, name) -> None:
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, EXPORTS), [])
    func, params, results = _native_exports.export_func(store, instance, name)
    theirs = export_get(store, instance, name)
    assert (params, results) == func_sig_of(store, theirs)
    assert bytes(func._func) == bytes(theirs._func)
    args = {"i32": 1, "i64": 2, "f32": 0.5, "funcref": None}
    values = [args[p] for p in params]
    assert func(store, *values) == theirs(store, *values)


@pytest.mark.parametrize("name", ["memory", "g", "missing", ""])
def test_export_func_is_none_for_other_kinds_and_missing_names(store, name) -> None:
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, EXPORTS), [])
    assert _native_exports.export_func(store, instance, name) is None


HAVE_VECTORCALL = 1 << 11  # Py_TPFLAGS_HAVE_VECTORCALL


def test_a_partial_subclass_gets_vectorcall_unless_it_overrides_call() -> None:
    class Plain(functools.partial):  # type: ignore[type-arg]
        pass

    class Own(functools.partial):  # type: ignore[type-arg]
        def __call__(self, *args: object, **kwargs: object) -> object:
            return ("own", args)

    assert _native.enable_vectorcall(Plain) is True
    # Before 3.12 it leaves a class with its own __call__ alone; from 3.12 CPython decides
    # (3.12 keeps the flag, 3.13 clears it) and enable_vectorcall only reports the flag.
    expected = bool(Own.__flags__ & HAVE_VECTORCALL) if sys.version_info >= (3, 12) else False
    assert _native.enable_vectorcall(Own) is expected
    assert Own(print)(1) == ("own", (1,))  # its __call__ still runs
    assert Plain(divmod, 17)(5) == (3, 2) and Plain(dict, a=1)(b=2) == {"a": 1, "b": 2}
    with pytest.raises(TypeError):
        Plain(divmod)(1)
    with pytest.raises(TypeError, match="takes a class"):
        _native.enable_vectorcall(Plain(print))  # type: ignore[arg-type]
