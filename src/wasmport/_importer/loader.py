"""Loaders: compile in create_module, link and instantiate in exec_module.

What ``create_module`` found (the asset) travels to ``exec_module`` in
``spec.loader_state``, as importlib's own loaders do, so nothing is looked up twice.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
from types import ModuleType
from typing import Any

from .._compile.assets import asset_for_file
from .._exports.namespace import InstanceModule, instance_or_none
from .._realm import cached_instance, default_realm, load_asset
from .._realm.component import ComponentModule, component_instance_or_none


class WasmLoader(importlib.abc.Loader):
    """Loads the instance phase of a wasm asset into the default realm."""

    is_wasmport_loader = True

    def __init__(self, path: str) -> None:
        self.path = path

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        realm, asset = default_realm(), asset_for_file(self.path)
        load_asset(realm, asset, spec.name, "source")  # compiles; CompileError surfaces here
        spec.loader_state = asset
        cached = cached_instance(realm, asset)
        if cached is not None:
            return cached
        kind = ComponentModule if asset.is_component else InstanceModule
        return kind(spec.name, self.path)

    def exec_module(self, module: ModuleType) -> None:
        assert isinstance(module, (InstanceModule, ComponentModule))
        if instance_or_none(module) is not None or component_instance_or_none(module):
            return  # already linked: the same object as wasmport.load() gave
        asset = module.__spec__.loader_state if module.__spec__ is not None else None
        if asset is None:  # a spec made by hand, without create_module's asset
            asset = asset_for_file(self.path)
        load_asset(default_realm(), asset, module.__name__, "instance", namespace=module)

    def get_filename(self, fullname: str) -> str:
        return self.path

    def __repr__(self) -> str:
        return f"<wasmport.WasmLoader {self.path!r}>"


class SourceLoader(importlib.abc.Loader):
    """Loads ``wasmport.source.<name>``: the asset's one source-phase Module."""

    is_wasmport_loader = True

    def __init__(self, path: str, target_name: str) -> None:
        self.path = path
        self.target_name = target_name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Any:
        return load_asset(default_realm(), asset_for_file(self.path), self.target_name,
                          "source")

    def exec_module(self, module: Any) -> None:
        """Nothing to run: the source phase never links or starts anything."""


class PackageShim(importlib.abc.Loader):
    """``wasmport.source.pkg`` for a Python package ``pkg``: a container of source modules."""

    def __init__(self, target_name: str) -> None:
        self.target_name = target_name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        shim = ModuleType(spec.name, f"source-phase view of package {self.target_name!r}")
        shim.__path__ = []
        return shim

    def exec_module(self, module: ModuleType) -> None:
        """The shim holds only the submodules imported through it."""
