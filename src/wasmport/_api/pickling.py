"""Pickling by reference, as Python pickles functions and modules (docs/distributed.md).

::

    what                              pickles as                      unpickles as
    --------------------------------  ------------------------------  --------------------------
    Module from a file                (name, path, sha256)            the default realm's Module
    Module from bytes                 (name, None, sha256, bytes)     one Module per content
    instance-phase module of import   (name, path, sha256)            the default realm's own
      or load() in the default realm                                    instance: its own state
    its Function exports              (name, path, sha256, export)    that instance's export
    Module.instantiate()'s, Instance, TypeError: live state, and what to pickle instead
      Memory, Global, Table, Tag, Realm

The receiving process finds the file at the path, else by the module name on its own
``sys.path``, and accepts it only when its content has the digest: a missing file is a
``ModuleNotFoundError``, a file whose content changed a ``CompileError``
(``reason="changed"``).  The bytes compile through the on-disk code cache; compiled
machine code never travels (deserializing it trusts its input).
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

from .._compile.assets import Asset, asset_for_file, asset_from_bytes
from .._compile.module import Module, asset_of, owner_of
from .._compile.refs import set_hooks
from .._errors import CompileError
from .._exports.base import ExternValue
from .._exports.function import Function
from .._exports.instance import Instance, origin_of
from .._exports.namespace import InstanceModule, instance_or_none
from .._realm import Realm, cached_instance, default_realm, load_asset
from .._resolve.specifiers import find_module_file, is_dotted_name

# -- the receiving side: these names are what a pickle refers to ---------------------------


def restore_module(name: str, path: str | None, digest: str, wasm: bytes | None) -> Module:
    """The default realm's source-phase Module for this content."""
    if wasm is not None:
        return _module_from_bytes(name, digest, wasm)
    module: Module = load_asset(default_realm(), find_asset(name, path, digest), name, "source")
    return module


def restore_instance(name: str, path: str, digest: str) -> InstanceModule:
    """The default realm's instance-phase module of this file (made here if needed)."""
    asset = find_asset(name, path, digest)
    namespace: InstanceModule = load_asset(default_realm(), asset, name, "instance")
    return namespace


def restore_function(name: str, path: str, digest: str, export: str) -> Function:
    """Export ``export`` of the default realm's instance of this file."""
    instance = instance_or_none(restore_instance(name, path, digest))
    assert instance is not None
    function = instance.export(export)
    if not isinstance(function, Function):
        raise TypeError(f"{path}: export {export!r} is a {type(function).__name__} here, "
                        "not a function")
    return function


def find_asset(name: str, path: str | None, digest: str) -> Asset:
    """The asset whose content has ``digest``: at ``path``, else found by ``name``."""
    at_path = _asset_or_none(path)
    if at_path is not None and at_path.digest == digest:
        return at_path
    by_name = _asset_or_none(_file_named(name))
    if by_name is not None and by_name.digest == digest:
        return by_name
    found = at_path or by_name
    if found is None:
        raise ModuleNotFoundError(
            f"{path}: no such WebAssembly file in this process, nor a module {name!r} on "
            f"sys.path; the pickled module (sha256 {digest[:16]}) needs the same file here: "
            "give every process the same files (a shared or copied directory)",
            name=name, path=path)
    raise CompileError(
        f"{found.where}: its content changed since module {name!r} was pickled (sha256 "
        f"{digest[:16]} then, {found.digest[:16]} now); give every process the same file, "
        "or pickle the module again", path=found.path, reason="changed")


def _asset_or_none(path: str | None) -> Asset | None:
    if path is None:
        return None
    try:
        return asset_for_file(path)
    except ModuleNotFoundError:
        return None


def _file_named(name: str) -> str | None:
    if not is_dotted_name(name) or name.startswith("."):
        return None
    try:
        return find_module_file(name)
    except ImportError:  # a parent package that is not here
        return None


_from_bytes: dict[str, Module] = {}


def _module_from_bytes(name: str, digest: str, wasm: bytes) -> Module:
    realm = default_realm()
    module = _from_bytes.get(digest)
    if module is None or owner_of(module) is not realm:
        asset = asset_from_bytes(wasm, name=name)
        if asset.digest != digest:
            raise CompileError(f"<{name}>: the pickled bytes do not have their digest "
                               f"(sha256 {digest[:16]}); the pickle is damaged",
                               reason="changed")
        module = _from_bytes[digest] = Module(asset, realm, name)
    return module


# -- the sending side ----------------------------------------------------------------------


def reduce(value: Any) -> tuple[Any, tuple[Any, ...]]:
    """``__reduce__`` of every wasmport value: a reference, or a TypeError."""
    if isinstance(value, Module):
        asset = asset_of(value)
        wasm = asset.wasm if asset.path is None else None
        return restore_module, (value.name, asset.path, asset.digest, wasm)
    if isinstance(value, InstanceModule):
        return restore_instance, _instance_ref(value)
    if isinstance(value, Function):
        return restore_function, _function_ref(value)
    raise TypeError(_live_state(value))


def _instance_ref(module: InstanceModule) -> tuple[str, str, str]:
    instance = instance_or_none(module)
    if instance is None:
        raise TypeError(f"{module!r} is not linked yet; pickle it once its import is done")
    asset, realm = asset_of(instance.module), instance.realm
    if realm is not default_realm() or cached_instance(realm, asset) is not module:
        raise TypeError(_live_state(module))
    assert asset.path is not None  # the default realm caches instances of files only
    return module.__name__, asset.path, asset.digest


def _function_ref(function: Function) -> tuple[str, str, str, str]:
    origin = origin_of(function)
    if origin is None:
        raise TypeError(f"{function!r} cannot be pickled: it is not an export of a module "
                        "(a table element, a funcref result or a host function); pickle "
                        "the module that exports it and look it up by name in the worker")
    instance, export = origin
    namespace = _namespace_of(instance)
    if namespace is None:
        raise TypeError(f"{function!r}: {_live_state(instance)}")
    return (*_instance_ref(namespace), export)


def _namespace_of(instance: Instance) -> InstanceModule | None:
    realm = instance.realm
    if realm is not default_realm():
        return None
    module = cached_instance(realm, asset_of(instance.module))
    return module if instance_or_none(module) is instance else None


_REMEDY = {
    InstanceModule: "pickle the source-phase Module and instantiate it in the receiving "
                    "process, or pickle a module from import/load() in the default realm, "
                    "which each process loads for itself",
    Instance: "pickle its instance-phase module (from import or load()) instead",
    Realm: "create the realm in the receiving process (a pool initializer, a worker "
           "plugin) and pickle Modules or module names instead",
}
_EXTERN_REMEDY = ("pickle the module that exports it (from import or load()) and read the "
                  "export in the receiving process, or send the values (bytes, numbers)")


def _live_state(value: Any) -> str:
    remedy = next((text for cls, text in _REMEDY.items() if isinstance(value, cls)),
                  _EXTERN_REMEDY)
    if isinstance(value, InstanceModule):
        what = (f"{value!r} was made by Module.instantiate(), load(imports=...), or in a "
                "realm other than the default one, and")
    else:
        what = f"{value!r}"
    return f"{what} cannot be pickled: it holds live state (a store in this process); {remedy}"


# -- tokens (Dask) ---------------------------------------------------------------------------


def token(value: Any) -> Any:
    """``__dask_tokenize__``: the reference itself, so equal in every process; a fresh
    token for values with live state (as Dask does for what it cannot hash)."""
    try:
        restore, args = reduce(value)
    except TypeError:
        return ("wasmport", type(value).__name__, uuid.uuid4().hex)
    if restore is restore_module:
        return ("wasmport.Module", args[2])
    return (f"wasmport.{type(value).__name__}", args[0], args[2], *args[3:])


def register_dask_tokens() -> None:
    """Make Dask's ``normalize_token`` ask wasmport's values for their token: needed for
    Function, a ``functools.partial`` subclass that Dask would otherwise take apart."""
    from dask.tokenize import normalize_token

    types = (Function, Module, InstanceModule, ExternValue)
    register = normalize_token.register(types)  # type: ignore[no-untyped-call]
    register(lambda value: value.__dask_tokenize__())


set_hooks(reduce=reduce, token=token)
if "dask.tokenize" in sys.modules:  # dask came first; otherwise wasmport.dask registers
    register_dask_tokens()
