"""The ``spectest`` host module that the spec scripts import.

Its fields (see the spec interpreter's ``spectest.ml``): ``print``, ``print_i32``,
``print_i64``, ``print_f32``, ``print_f64``, ``print_i32_f32``, ``print_f64_f64``,
``global_i32`` = 666, ``global_i64`` = 666, ``global_f32`` = 666.6,
``global_f64`` = 666.6, ``table`` (funcref 10..20), ``table64`` (the same with an i64
index), ``memory`` (1..2 pages) and, for the threads proposal, ``shared_memory`` (1..2
pages, shared).

The scripts check that a print function imported with the wrong type is unlinkable,
so the functions must have fixed types: they are the exported methods of a typed
:class:`wasmport.HostModule`.  A host module offers only functions, so ``spectest``
is registered as a mapping: those bound methods beside a wasmport Memory, Table and
Globals created in the script's realm.  wasmport's Table and Memory constructors make
neither an i64-indexed table nor a shared memory, so those two are the exports of a
small wasm module instantiated in the same realm.
"""

from __future__ import annotations

from typing import Any

import wasmport
from wasmport.types import Float32, Float64, Int32, Int64

PRINTS = ("print", "print_i32", "print_i64", "print_f32", "print_f64", "print_i32_f32",
          "print_f64_f64")


class Spectest(wasmport.HostModule, name="spectest"):
    """The print functions; each call is recorded in ``printed`` (the scripts only link
    and call them, so nothing is written to stdout)."""

    def __init__(self) -> None:
        self.printed: list[tuple[str, tuple[Any, ...]]] = []

    @wasmport.export
    def print(self) -> None:
        self.printed.append(("print", ()))

    @wasmport.export
    def print_i32(self, value: Int32) -> None:
        self.printed.append(("print_i32", (value,)))

    @wasmport.export
    def print_i64(self, value: Int64) -> None:
        self.printed.append(("print_i64", (value,)))

    @wasmport.export
    def print_f32(self, value: Float32) -> None:
        self.printed.append(("print_f32", (value,)))

    @wasmport.export
    def print_f64(self, value: Float64) -> None:
        self.printed.append(("print_f64", (value,)))

    @wasmport.export
    def print_i32_f32(self, a: Int32, b: Float32) -> None:
        self.printed.append(("print_i32_f32", (a, b)))

    @wasmport.export
    def print_f64_f64(self, a: Float64, b: Float64) -> None:
        self.printed.append(("print_f64_f64", (a, b)))


def spectest_fields(realm: wasmport.Realm, host: Spectest | None = None,
                    features: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The spectest fields, created in ``realm``; the print functions are ``host``'s."""
    host = Spectest() if host is None else host
    fields: dict[str, Any] = {name: getattr(host, name) for name in PRINTS}
    fields.update(
        global_i32=wasmport.Global(666, "i32", realm=realm),
        global_i64=wasmport.Global(666, "i64", realm=realm),
        global_f32=wasmport.Global(666.6, "f32", realm=realm),
        global_f64=wasmport.Global(666.6, "f64", realm=realm),
        table=wasmport.Table(10, 20, realm=realm),
        memory=wasmport.Memory(1, 2, realm=realm),
    )
    fields.update(_wasm_fields(realm, shared="threads" in features))
    return fields


def _wasm_fields(realm: wasmport.Realm, shared: bool) -> dict[str, Any]:
    memory = '(memory (export "shared_memory") 1 2 shared)' if shared else ""
    text = f'(module (table (export "table64") i64 10 20 funcref) {memory})'
    instance = wasmport.compile(text, name="spectest", realm=realm).instantiate(realm=realm)
    return dict(wasmport.instance_of(instance).exports)
