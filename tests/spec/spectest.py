"""The ``spectest`` host module that the spec scripts import.

Its fields (see the spec interpreter's ``spectest.ml``): ``print``, ``print_i32``,
``print_i64``, ``print_f32``, ``print_f64``, ``print_i32_f32``, ``print_f64_f64``,
``global_i32`` = 666, ``global_i64`` = 666, ``global_f32`` = 666.6,
``global_f64`` = 666.6, ``table`` (funcref 10..20) and ``memory`` (1..2 pages).

The scripts check that a print function imported with the wrong type is unlinkable,
so the functions must have a fixed type.  A plain Python callable in a mapping
takes whatever type the import declares, so for now the print functions are typed
no-ops defined in wasm; the memory, table and globals are wasmport objects.
When a typed host-module feature (``wasmport.HostModule``) exists, this becomes one.
"""

from __future__ import annotations

from typing import Any

import wasmport

_PRINTS = {
    "print": "",
    "print_i32": "i32",
    "print_i64": "i64",
    "print_f32": "f32",
    "print_f64": "f64",
    "print_i32_f32": "i32 f32",
    "print_f64_f64": "f64 f64",
}


def _prints_wat() -> str:
    funcs = "\n".join(
        f'  (func (export "{name}") {f"(param {params})" if params else ""})'
        for name, params in _PRINTS.items()
    )
    return f"(module\n{funcs}\n)"


def spectest_fields(realm: wasmport.Realm) -> dict[str, Any]:
    """The spectest fields, created in ``realm``."""
    prints = wasmport.compile(_prints_wat(), name="spectest", realm=realm).instantiate()
    fields: dict[str, Any] = {
        name: wasmport.instance_of(prints).exports[name] for name in _PRINTS
    }
    fields.update(
        global_i32=wasmport.Global(666, "i32", realm=realm),
        global_i64=wasmport.Global(666, "i64", realm=realm),
        global_f32=wasmport.Global(666.6, "f32", realm=realm),
        global_f64=wasmport.Global(666.6, "f64", realm=realm),
        table=wasmport.Table(10, 20, realm=realm),
        memory=wasmport.Memory(1, 2, realm=realm),
    )
    return fields
