"""Externs -> instance: the last phase of ``import foo``.

::

    Module --resolve_imports (_link)--> externs --engine--> raw instance --> Instance
                                          guard: limits      bind host objects,
                                                             watch memories (limits),
                                                             fill the namespace, _initialize

A module being instantiated is on the realm's :class:`Linking` stack until its raw
instance exists; needing it again on the way (directly or through a chain of imports)
is an import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import wasmtime

from ._compile.assets import Asset
from ._compile.module import (
    Module,
    asset_of,
    compiled_of,
    has_initialize,
    instance_maker,
    memory_exports,
    note_initialize,
    preinstantiated,
)
from ._engine import interrupt, stack
from ._engine.boundary import has_parked, raise_boundary_error
from ._engine.raw import Preinstantiated, export_get, instance_new
from ._engine.store import StoreContext
from ._errors import (
    ImportCycleError,
    IncompatibleImportError,
    LinkError,
    ResourceLimitError,
    ThreadStackError,
)
from ._exports.exceptions import raise_failure
from ._exports.function import Function, codec
from ._exports.instance import Instance
from ._exports.namespace import InstanceModule, fill
from ._link.policy import LinkPolicy, Load
from ._link.resolver import resolve_imports


class Linking:
    """The assets being instantiated in one realm right now, innermost last."""

    def __init__(self) -> None:
        self._stack: list[Asset] = []

    def enter(self, asset: Asset) -> None:
        if asset in self._stack:
            raise _cycle(self._stack[self._stack.index(asset):], asset)
        self._stack.append(asset)

    def leave(self) -> None:
        self._stack.pop()


def _cycle(chain_assets: list[Asset], asset: Asset) -> ImportCycleError:
    chain = tuple(a.where for a in chain_assets) + (asset.where,)
    kind = "imports itself" if len(chain) == 2 else "is part of an import cycle"
    return ImportCycleError(f"{asset.where}: {kind}: {' -> '.join(chain)}; wasm modules "
                            "cannot import each other in a cycle", chain=chain,
                            path=asset.where)


def instantiate(ctx: StoreContext, policy: LinkPolicy, load: Load, module: Module,
                explicit: Mapping[str, Any], linking: Linking,
                namespace: InstanceModule | None = None) -> InstanceModule:
    """Link ``module`` and make an instance of it in ``ctx``'s store, shown as a module."""
    pre = preinstantiated(module) if ctx.guard is None else None
    if pre is not None:  # no imports, no limits: nothing to link, no cycle to find
        instance = Instance(module, ctx, _pre_instance(ctx, module, pre))
    else:
        instance = _linked_instance(ctx, policy, load, module, explicit, linking)
    if namespace is None:
        namespace = InstanceModule(module.name, module.path, instance)
    else:
        fill(namespace, instance)
    if has_initialize(module) is not False:
        _run_initialize(module, instance)  # a reactor that traps here is not cached
    return namespace


def _linked_instance(ctx: StoreContext, policy: LinkPolicy, load: Load, module: Module,
                     explicit: Mapping[str, Any], linking: Linking) -> Instance:
    linking.enter(asset_of(module))
    try:
        externs, binders = resolve_imports(ctx, policy, load, module, explicit)
        raw = _new_instance(ctx, module, externs)
    finally:
        linking.leave()
    instance = Instance(module, ctx, raw)
    for bind in binders:  # typed host modules: bind the importer's memory
        bind(instance)
    _watch_memories(ctx, module, raw)
    return instance


def _pre_instance(ctx: StoreContext, module: Module, pre: Preinstantiated) -> wasmtime.Instance:
    try:
        return pre.at(ctx.address, module.where)  # type: ignore[no-any-return]
    except ThreadStackError:
        raise
    except BaseException as err:
        _failed(ctx, module.where, err)


def _new_instance(ctx: StoreContext, module: Module, externs: list[Any]) -> wasmtime.Instance:
    _before_wasm(module)
    guard = ctx.guard
    if guard is None:
        return _engine_instance(ctx, module, externs, instance_maker(module))
    guard.instance_allowed(module.where)
    with guard.entered(module.where):  # start functions let other threads run
        raw = _engine_instance(ctx, module, externs, _nogil_instance)
    guard.instance_made()  # only now: a failed instantiation does not count
    return raw


def _before_wasm(module: Module) -> None:
    interrupt.install()  # a handler set since the store was made: Ctrl-C still stops wasm
    stack.check(module.where)  # start functions: never on a stack too small for wasm


def _nogil_instance(store: wasmtime.Store, module: wasmtime.Module,
                    externs: list[Any]) -> wasmtime.Instance:
    return instance_new(store, module, externs, release_gil=True)  # type: ignore[no-any-return]


def _watch_memories(ctx: StoreContext, module: Module, raw: wasmtime.Instance) -> None:
    """Limits explain traps at max_memory from the exported memories: only those are
    looked up, never the other exports."""
    guard = ctx.guard
    if guard is None or guard.limits.max_memory is None:
        return
    for name in memory_exports(module):
        guard.watch(name, export_get(ctx.store, raw, name))


def _engine_instance(ctx: StoreContext, module: Module, externs: list[Any],
                     make: Any) -> wasmtime.Instance:
    try:
        return make(ctx.store, compiled_of(module), externs)  # type: ignore[no-any-return]
    except BaseException as err:
        _failed(ctx, module.where, err)


def _failed(ctx: StoreContext, where: str, err: BaseException) -> NoReturn:
    """What making an instance raised, as wasmport's error."""
    if isinstance(err, wasmtime.Trap):
        raise_failure(codec(ctx), err, f"{where}: instantiation")
    if isinstance(err, wasmtime.WasmtimeError):
        interrupt.raise_if_interrupted(err)  # Ctrl-C in a start function
        text = str(err)
        if "wasm trap" in text or "Wasm exception" in text or has_parked():  # a start
            raise_failure(codec(ctx), err, f"{where}: instantiation")  # function failed
        raise _link_failure(text, where) from err
    raise_boundary_error(err, f"{where}: instantiation")  # a host exception: unparked


def _link_failure(text: str, where: str) -> LinkError | ResourceLimitError:
    if "instance count too high" in text:
        return ResourceLimitError(
            f"{where}: instantiation refused: the realm's store holds {ENGINE_INSTANCES:,} "
            "instances, the engine's cap per store (wasmtime frees an instance only with "
            "its store, so dropped ones count too); close the realm and use a new one, or "
            "make short-lived instances in a realm of their own", limit="max_instances",
            value=ENGINE_INSTANCES)
    if "shared memory support is disabled" in text:
        return LinkError(f"{where}: a shared memory needs the threads proposal; load it in "
                         "a Realm(features={'threads'})", path=where)
    if "incompatible import type" in text:  # a pass-through the engine refused
        return IncompatibleImportError(
            f"{where}: {_engine_cause(text)}; give an export of the import's type", path=where)
    return LinkError(f"{where}: instantiation failed: {text.strip()}", path=where)


ENGINE_INSTANCES = 10_000  # wasmtime's default instance limit of a store


def _engine_cause(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    head = lines[0] if lines else "incompatible import type"
    cause = lines[-1] if len(lines) > 1 else ""
    return f"{head} ({cause})" if cause and cause != head else head


def _run_initialize(module: Module, instance: Instance) -> None:
    known = has_initialize(module)
    if known is None:  # learnt from the first instance, without wrapping anything
        known = instance.has_export("_initialize")
        note_initialize(module, known)
    if not known:
        return
    init = instance.exports.get("_initialize")
    if isinstance(init, Function) and not init.params and not init.results:
        init()
