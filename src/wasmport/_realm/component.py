"""Components in the module system: the source phase (``wasmport.Component``) and the
instance-phase module, as ``wasmport.Module`` and ``InstanceModule`` are for core modules.

::

    from wasmport.source import app     ->  Component   .name .path .imports .exports .wit
    import app / wasmport.load("./app.wasm")  ->  ComponentModule: root exports and
                                              interface namespaces as attributes
    wasmport.instance_of(app)           ->  the ComponentInstance: .exports["ns:pkg/i@1.0"]

A component compiles through the asset and its code cache (``Asset.component``, records
of kind "component"); the realm keeps one Component and one instance-phase module per
asset, like core modules.  ``Component.instantiate`` makes a new instance every time.
"""

from __future__ import annotations

import base64
import functools
import pickle
import types
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import wasmtime

from .._compile.assets import Asset
from .._component import (
    ComponentCode,
    ComponentInstance,
    compile_component,
    deserialize_component,
    deserialize_component_file,
)
from .._component._instance import hidden
from .._component._types import World
from .._engine.store import StoreContext, context_for
from .._version import __version__

if TYPE_CHECKING:
    from .._engine.limits import Limits
    from .._wasi.config import WasiConfig


class _Build:
    """How the code cache compiles and loads a component (``ComponentBuild``)."""

    def compile(self, engine: wasmtime.Engine, wasm: bytes, where: str) -> ComponentCode:
        return compile_component(engine, wasm, where)

    def load(self, engine: wasmtime.Engine, artifact: str | bytes, where: str,
             source: str | bytes) -> ComponentCode:
        if isinstance(artifact, bytes):
            return deserialize_component(engine, artifact, where, source)
        return deserialize_component_file(engine, artifact, where, source)

    def describe(self, code: ComponentCode) -> dict[str, Any]:
        """The world, pickled: reading it again costs ~30 ms for a componentize-py guest;
        unpickling ~1 ms.  (The record is as trusted as the machine code beside it.)"""
        world = base64.b64encode(pickle.dumps(code.world, protocol=5)).decode()
        return {"world": world, "wasmport": __version__}

    def restore(self, code: ComponentCode, extra: dict[str, Any]) -> None:
        if extra.get("wasmport") != __version__ or not isinstance(extra.get("world"), str):
            return  # another wasmport's type model: read the world again when asked
        try:
            world = pickle.loads(base64.b64decode(extra["world"]))
        except Exception:  # noqa: BLE001 - a damaged record only costs a reading
            return
        if isinstance(world, World):
            code.adopt_world(world)


BUILD = _Build()


class Component:
    """A compiled component, not linked: the source phase of a component.

    Get one with ``from wasmport.source import app``, ``wasmport.load("./app.wasm",
    phase="source")`` or :func:`wasmport.compile` of component bytes.  ``imports`` and
    ``exports`` map WIT names to the world's items; ``wit`` is the world as WIT text.
    :meth:`instantiate` makes a new instance each call, in a store of its own.
    """

    def __init__(self, asset: Asset, realm: Any, name: str | None = None) -> None:
        self._asset = asset
        self._ctx: StoreContext = context_for(realm)
        self._owner = realm
        self._code: ComponentCode = asset.component(self._ctx.engine_config, BUILD)
        self.name = name or asset.name
        self.path = asset.path

    @property
    def where(self) -> str:
        return self.path or f"<{self.name}>"

    @property
    def imports(self) -> dict[str, Any]:
        """WIT name -> imported item (Interface, Function or TypeDef), in order."""
        return self._code.imports

    @property
    def exports(self) -> dict[str, Any]:
        """WIT name -> exported item (componentize-py's own ``exports.init`` left out)."""
        return {k: v for k, v in self._code.exports.items() if not hidden(k, v)}

    @property
    def wit(self) -> str:
        """The world as WIT text (close to ``wasm-tools component wit``)."""
        return self._code.wit

    @property
    def world(self) -> Any:
        """The type model of the world (``_component._types.World``)."""
        return self._code.world

    def __wasm_component_declared__(self) -> dict[str, Any]:
        """What a dry run links another component's import to: the WIT items exported."""
        return self.exports

    def instantiate(self, imports: Mapping[str, Any] | None = None, *, realm: Any = None,
                    wasi: WasiConfig | None = None, limits: Limits | None = None) -> Any:
        """A new instance-phase module of this component.

        ``imports`` maps an import's WIT name (with or without ``@version``; a
        world-level function by its name) to its implementation; imports it leaves out
        resolve the realm's way (import map, registered implementations, WASI).
        Raises LinkError when an import cannot be satisfied, Trap when starting traps.
        """
        target = self._owner if realm is None else realm
        return target.instantiate(self, imports, wasi=wasi, limits=limits)

    def __repr__(self) -> str:
        where = f" from {self.path!r}" if self.path else ""
        return f"<wasm source component {self.name!r}{where}>"


def code_of(component: Component) -> ComponentCode:
    """The compiled code of a Component."""
    return component._code


def component_asset(component: Component) -> Asset:
    return component._asset


def component_context(component: Component) -> StoreContext:
    return component._ctx


def component_owner(component: Component | None) -> Any:
    """The realm a Component belongs to (None for None)."""
    return None if component is None else component._owner


class ComponentModule(types.ModuleType):
    """A component instance seen as a Python module: root exports, interface namespaces
    and world-level types are attributes (read-only)."""

    __slots__ = ("_wasm_component",)

    def __init__(self, name: str, path: str | None) -> None:
        super().__init__(name)
        object.__setattr__(self, "_wasm_component", None)
        if path is not None:
            self.__dict__["__file__"] = path

    def _wasm_fill(self, instance: ComponentInstance, component: Component) -> None:
        object.__setattr__(self, "_wasm_component", instance)
        exports = instance.exports
        names = exports.public()
        for name in names:
            self.__dict__[name] = getattr(exports, name)
        self.__dict__["__all__"] = sorted(names)
        self.__dict__["__wasm_component__"] = component
        self.__dict__["__wasm_component_exports__"] = functools.partial(_exports, instance)

    def _is_export(self, name: str) -> bool:
        instance = object.__getattribute__(self, "_wasm_component")
        return instance is not None and name in instance.exports.public()

    def __setattr__(self, name: str, value: Any) -> None:
        if self._is_export(name):
            raise AttributeError(f"component {self.__name__!r}: export {name!r} is read-only")
        super().__setattr__(name, value)

    def __delattr__(self, name: str) -> None:
        if self._is_export(name):
            raise AttributeError(f"component {self.__name__!r}: export {name!r} is read-only")
        super().__delattr__(name)

    def __getattr__(self, name: str) -> Any:
        instance = object.__getattribute__(self, "_wasm_component")
        if instance is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(instance.exports, name)  # its AttributeError lists the members

    def __repr__(self) -> str:
        where = self.__dict__.get("__file__")
        return f"<wasm component {self.__name__!r}" + (f" from {where!r}>" if where else ">")


def _exports(instance: ComponentInstance) -> Any:
    return instance.exports


def component_instance_or_none(module: Any) -> ComponentInstance | None:
    """The component instance behind an instance-phase module (None for anything else)."""
    if isinstance(module, ComponentModule):
        found: ComponentInstance | None = object.__getattribute__(module, "_wasm_component")
        return found
    return None


def fill_component(module: ComponentModule, instance: ComponentInstance,
                   component: Component) -> None:
    """Make ``module`` show ``instance``'s exports."""
    module._wasm_fill(instance, component)
