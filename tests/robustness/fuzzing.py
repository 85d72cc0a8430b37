"""Hostile input for wasmport: seed modules, mutations, and the one rule.

The rule: whatever bytes or text come in, wasmport answers with CompileError,
LinkError or Trap (ResourceLimitError is a Trap), or it works.  Anything else --
another exception, a crash, a hang -- is a bug.  One more outcome is legitimate:
a Python host function whose result does not fit a (mutated) import type makes
wasmport raise TypeError or OverflowError at the caller, naming the host import.

``run_module`` drives one input through both phases: compile, inspect imports and
exports, instantiate against the ``env`` host module below, then call every
exported function with boundary arguments and read every global, memory and table.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import wasmport

ALLOWED = (wasmport.CompileError, wasmport.LinkError, wasmport.Trap)
PY_HOST_IMPORT = 'import "env"."py"'  # the env's one Python callable
EXAMPLES = int(os.environ.get("WASMPORT_FUZZ_EXAMPLES", "60"))

I32 = (0, 1, -1, 2**31 - 1, -(2**31), 2**32 - 1, 2**31)
I64 = (0, 1, -1, 2**63 - 1, -(2**63), 2**64 - 1, 2**63)
F = (0.0, -0.0, 1.5, float("inf"), float("-inf"), float("nan"), 3.4e38, 1e-45, 1.8e308)
BOUNDARY = {"i32": I32, "i64": I64, "f32": F, "f64": F, "funcref": (None,),
            "externref": (None, object(), 0)}

# Seeds: small valid modules that use every kind of import and export, segments,
# start functions, traps and exceptions.  None has a loop, so a mutation rarely makes one
# (and with fuel limits available, an endless loop stops anyway).
SEEDS = {
    "arith": """(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "wide") (param i64 f32 f64) (result i64 f64)
    (i64.trunc_f64_s (local.get 2)) (f64.promote_f32 (local.get 1)))
  (func (export "conv") (param f64) (result i32) (i32.trunc_f64_u (local.get 0)))
  (global (export "g") i64 (i64.const -7))
  (global (export "mg") (mut f32) (f32.const 1.5)))""",
    "imports": """(module
  (import "env" "f" (func $f (param i32) (result i32)))
  (import "env" "py" (func $py (param i32 i64) (result i32)))
  (import "env" "memory" (memory 1 2))
  (import "env" "g" (global $g i32))
  (import "env" "mg" (global $mg (mut i64)))
  (import "env" "table" (table 2 funcref))
  (func $start (drop (call $f (global.get $g))))
  (start $start)
  (func (export "call") (param i32) (result i32) (call $py (local.get 0) (global.get $mg)))
  (func (export "load") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))""",
    "segments": """(module
  (memory (export "mem") 1)
  (data (i32.const 8) "hello")
  (table (export "tab") 3 funcref)
  (elem (i32.const 0) $a $b)
  (type $t (func (result i32)))
  (func $a (result i32) (i32.const 1))
  (func $b (result i32) (i32.const 2))
  (func (export "ind") (param i32) (result i32) (call_indirect (type $t) (local.get 0)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1)
    (local.get 2)))
  (func (export "deep") (param i32) (result i32) (call 4 (local.get 0))))""",
    "refs": """(module
  (table $t (export "t") 1 externref)
  (func (export "keep") (param externref) (table.set $t (i32.const 0) (local.get 0)))
  (func (export "get") (result externref) (table.get $t (i32.const 0)))
  (func $f (result i32) (i32.const 3))
  (elem declare func $f)
  (func (export "fref") (result funcref) (ref.func $f))
  (func (export "isnull") (param funcref) (result i32) (ref.is_null (local.get 0))))""",
    "tags": """(module
  (tag $e (export "e") (param i32))
  (func (export "throw") (param i32) (throw $e (local.get 0)))
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $e $h) (throw $e (local.get 0)))
      (i32.const -1)))
  (func (export "trap") unreachable))""",
}


def seed_bytes() -> dict[str, bytes]:
    """The seeds as binaries (compiled from text at test time)."""
    import wasmtime

    return {name: bytes(wasmtime.wat2wasm(text)) for name, text in SEEDS.items()}


# -- mutations ------------------------------------------------------------------------------

_INTERESTING = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x40, 0x60, 0x70, 0x6F, 0x0B, 0x41)


def mutate(data: bytes, seed: int, steps: int) -> bytes:
    """``steps`` random edits of ``data``: flips, interesting bytes, inserts, deletions,
    duplicated or truncated ranges.  Deterministic for a given ``seed``."""
    rng = random.Random(seed)
    buf = bytearray(data)
    for _ in range(steps):
        if not buf:
            buf.extend(b"\0asm")
        op = rng.randrange(7)
        i = rng.randrange(len(buf))
        if op == 0:
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[i] = rng.choice(_INTERESTING)
        elif op == 2:
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        elif op == 3:
            del buf[i:i + rng.randint(1, 8)]
        elif op == 4:
            j = rng.randrange(len(buf))
            buf[j:j] = buf[i:i + rng.randint(1, 16)]
        elif op == 5:
            del buf[rng.randint(8, max(8, len(buf))):]
        else:
            buf[i] = rng.randrange(256)
    return bytes(buf)


# -- the environment a hostile module runs in ----------------------------------------------


def _host_env(realm: wasmport.Realm) -> dict[str, Any]:
    helper = wasmport.compile('(module (func (export "f") (param i32) (result i32) '
                              '(i32.add (local.get 0) (i32.const 1))))', name="env-helper",
                              realm=realm).instantiate()
    return {
        "f": wasmport.instance_of(helper).exports["f"],
        "py": lambda a, b: (a + b) & 0x7FFFFFFF,
        "memory": wasmport.Memory(1, 2, realm=realm),
        "g": wasmport.Global(42, "i32", realm=realm),
        "mg": wasmport.Global(-1, "i64", mutable=True, realm=realm),
        "table": wasmport.Table(2, 10, realm=realm),
    }


def fuzz_realm() -> wasmport.Realm:
    """A realm with ``env`` registered, fuel and memory limits (when wasmport has them),
    and no other imports reachable (so a mutated import name never imports Python code)."""
    kw: dict[str, Any] = {"name": "fuzz"}
    limits = getattr(wasmport, "Limits", None)
    if limits is not None:
        kw["limits"] = limits(fuel=200_000, max_memory=4 << 20, max_table_elements=10_000,
                              max_instances=20)
        kw["allow_imports"] = ["env"]
    realm = wasmport.Realm(**kw)
    realm.register("env", _host_env(realm))
    return realm


def can_run_code() -> bool:
    """Calling exports of mutated modules needs a fuel limit: a mutation can make a loop."""
    return hasattr(wasmport, "Limits")


@contextmanager
def allowed_errors() -> Iterator[None]:
    """Swallow only what the rule allows; anything else propagates and fails the test."""
    try:
        yield
    except ALLOWED:
        pass
    except (TypeError, OverflowError) as err:
        if PY_HOST_IMPORT not in str(err):
            raise


def run_module(load: Callable[[wasmport.Realm], Any], call: bool = True) -> str:
    """Load (``load(realm)`` gives a source-phase Module), instantiate, call, inspect.

    Returns how far it got: "compile", "link", "run" or "ok"."""
    with fuzz_realm() as realm:
        stage = "compile"
        with allowed_errors():
            module = load(realm)
            if isinstance(module, wasmport.Component):
                return stage  # mutated into a component: test_fuzz_components covers it
            _inspect(module)
            stage = "link"
            ns = module.instantiate()
            stage = "run"
            instance = wasmport.instance_of(ns)
            if call and can_run_code():
                for export in instance.exports.values():
                    _exercise(export)
            stage = "ok"
        return stage


def _inspect(module: wasmport.Module) -> None:
    repr(module)
    for desc in module.imports + module.exports:
        assert isinstance(desc.type, str) and desc.kind in (
            "func", "memory", "global", "table", "tag"), desc


def _exercise(export: Any) -> None:
    if isinstance(export, wasmport.Function):
        for k in range(3):
            args = [BOUNDARY[p][(k * 3 + i) % len(BOUNDARY[p])]
                    for i, p in enumerate(export.params)]
            with allowed_errors():
                export(*args)
    elif isinstance(export, wasmport.Global):
        _ = export.value
    elif isinstance(export, wasmport.Memory):
        size = len(export)
        if size:
            export.read(size - 1, 1)
    elif isinstance(export, wasmport.Table):
        if len(export):
            _ = export[len(export) - 1]
    repr(export)
