"""Guests for host-module tests, written as .wat and compiled at test time.

``forwarder`` makes a module that imports functions from a host module and exports
a function of the same name and type that just calls the import, so a test can
drive each host function with exact wasm values from Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import wasmport

Sig = tuple[tuple[str, ...], tuple[str, ...]]


def _sig(params: Iterable[str], results: Iterable[str]) -> str:
    p = " ".join(params)
    r = " ".join(results)
    return (f" (param {p})" if p else "") + (f" (result {r})" if r else "")


def forwarder_wat(funcs: Mapping[str, Sig], *, module: str = "t", pages: int | None = 1,
                  memory: str = "memory", data: Iterable[tuple[int, bytes]] = (),
                  extra: str = "") -> str:
    lines = ["(module"]
    for i, (name, (params, results)) in enumerate(funcs.items()):
        lines.append(f'  (import "{module}" "{name}" (func $f{i}{_sig(params, results)}))')
    if pages is not None:
        lines.append(f'  (memory (export "{memory}") {pages})')
    for offset, blob in data:
        text = "".join(f"\\{b:02x}" for b in blob)
        lines.append(f'  (data (i32.const {offset}) "{text}")')
    for i, (name, (params, results)) in enumerate(funcs.items()):
        gets = " ".join(f"(local.get {j})" for j in range(len(params)))
        lines.append(f'  (func (export "{name}"){_sig(params, results)} (call $f{i} {gets}))')
    lines.append(extra)
    lines.append(")")
    return "\n".join(lines)


def forwarder(realm: wasmport.Realm, funcs: Mapping[str, Sig], imports: Any = None,
              **kw: Any) -> Any:
    """An instance-phase module forwarding each export to the host function of its name."""
    module = wasmport.compile(forwarder_wat(funcs, **kw), name="guest", realm=realm)
    return module.instantiate(imports)


def memory_of(mod: Any, name: str = "memory") -> wasmport.Memory:
    memory: wasmport.Memory = wasmport.instance_of(mod).exports[name]
    return memory


I32 = ("i32",)
I64 = ("i64",)
PTR_LEN = ("i32", "i32")
PAGE = 65536
