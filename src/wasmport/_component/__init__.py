"""The component model: components as Python objects, with WIT types (self-contained).

This package talks to wasmtime's component C API itself and imports nothing of
wasmport but ``_errors``; the realm, the import hook, the code cache, limits and the
CLI are wired on top of it.  The way in::

    code = compile_component(engine, wasm_bytes, where="app.wasm")   # CompileError
    blob = code.serialize()                    # for the code cache (same engine config)
    code = deserialize_component_file(engine, path, where, source="app.wasm")
                  # mmap; trusted input only; source (bytes or path, read lazily) names
                  # the world's own types, which the artifact does not keep
    code.world    # the type model (World: imports/exports of Interface, Function, TypeDef)
    code.wit      # the world as WIT text, close to `wasm-tools component wit`
    code.imports, code.exports                 # {WIT name: Interface | Function | ...}

    inst = instantiate(store, code, {"test:demo/host": impl, "tick": fn},
                       wasi=wasmtime.WasiConfig() or None, wasi_http=False,
                       where="app.wasm", release_gil=False)    # LinkError, Trap
    inst.exports.add(1, 2)                     # root functions (snake_case)
    inst.exports.my_api.get_point()            # exported interfaces, short names
    inst.exports["ns:pkg/my-api@1.0.0"]        # ... always by full name too
    inst.exports.my_api.Point, .Counter        # generated types, resource classes
    inst.poisoned, inst.flush()

Rules the integration must keep:

- One ``wasmtime.Store`` per component instance.  wasmtime 50 poisons every component
  instance of a store after a trap or host exception in any of them (core instances
  there are unaffected); a store of its own confines a failure to its instance.
- ``wasi`` is set on the store by ``instantiate`` itself, right before WASI is added
  to the linker: the store then always has a WASI context when a component can call
  WASI (wasmtime aborts the process otherwise).  It replaces the store's WASI context.
- Calls hold the GIL (``release_gil=True`` for calls that must not, e.g. with a
  timeout ticker thread); the engine must have been created by wasmtime-py, and a
  store of another engine than the code's is a ValueError.
- An instance keeps its store alive; nothing global keeps either (an instance nobody
  refers to goes, with its store if nobody else holds that).

Values: ``Some``, ``Ok``, ``Err`` in ``wasmport._component.values``; names: ``_names``.
"""

from ._code import (
    ComponentCode,
    compile_component,
    deserialize_component,
    deserialize_component_file,
    is_component,
)
from ._instance import ComponentInstance, instantiate
from ._namespace import Namespace
from .values import Err, Ok, Some

__all__ = [
    "ComponentCode",
    "ComponentInstance",
    "Err",
    "Namespace",
    "Ok",
    "Some",
    "compile_component",
    "deserialize_component",
    "deserialize_component_file",
    "instantiate",
    "is_component",
]
