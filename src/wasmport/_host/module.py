"""``wasmport.HostModule`` and ``@wasmport.export``: Python classes that wasm imports."""

from __future__ import annotations

import inspect
import sys
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, TypeVar, overload

from .._errors import HostSignatureError
from .._exports.instance import Instance
from .._exports.namespace import instance_of
from .kinds import shown
from .plan import SignaturePlan, build_plan

F = TypeVar("F", bound=Callable[..., Any])
H = TypeVar("H", bound="HostModule")

_MARK = "__wasm_export__"


@overload
def export(fn: F, /) -> F: ...
@overload
def export(name: str | None = None, /) -> Callable[[F], F]: ...
@overload
def export(*, name: str) -> Callable[[F], F]: ...
def export(fn: Any = None, /, name: str | None = None) -> Any:
    """Mark a method of a :class:`HostModule` as a function wasm can import.

    ``@export`` exports it under its own name, ``@export("get_len")`` (or
    ``@export(name="get_len")``) under another.  The method stays an ordinary method.
    Its annotations are checked when the class is created.
    """
    if isinstance(fn, str):
        fn, name = None, fn
    if fn is None:
        if name is not None and not isinstance(name, str):
            raise TypeError(f"export(name=...) takes a str, not {type(name).__name__}")
        return lambda f: _mark(f, name)
    return _mark(fn, name)


def _mark(fn: Any, name: str | None) -> Any:
    if not inspect.isfunction(fn):
        what = shown(fn)
        raise HostSignatureError(f"{what}: @wasmport.export decorates a method defined with "
                                 f"def, not a {type(fn).__name__}", method=str(what))
    setattr(fn, _MARK, fn.__name__ if name is None else name)
    return fn


@dataclass(frozen=True)
class HostFunction:
    """One exported method: the import field name, the Python attribute and its plan."""

    export: str
    attr: str
    function: Callable[..., Any]
    plan: SignaturePlan


@dataclass(frozen=True)
class HostSpec:
    """What a HostModule class offers wasm: its import module name, memory and functions."""

    cls: type
    name: str | None
    memory: str
    functions: Mapping[str, HostFunction]


class HostModule:
    """Base class of typed host modules.

    ``class Store(wasmport.HostModule, name="kv", memory="memory")`` declares the import
    module ``"kv"``; its methods marked :func:`wasmport.export` become ``"kv"``'s
    functions.  Pointer-like parameters (Bytes, String, Array, Pointer, Buffer) use the
    calling instance's memory, exported under ``memory`` (default ``"memory"``).

    Give the class to a realm (``Realm(host_modules=[Store])``, ``realm.register(Store)``)
    or to ``Module.instantiate(imports={"kv": Store})``: every instance that imports
    ``"kv"`` then gets its own ``Store()``.  Give ``Store.factory(...)`` to pass
    constructor arguments, or a ``Store`` object to share that one object.
    """

    __wasm_host__: ClassVar[HostSpec]

    def __init_subclass__(cls, *, name: str | None = None, memory: str | None = None,
                          **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        parent = _inherited(cls)
        for key, value in (("name", name), ("memory", memory)):
            if value is not None and not isinstance(value, str):
                raise HostSignatureError(f"{shown(cls)}: {key}= takes a str, not "
                                         f"{type(value).__name__}", owner=shown(cls))
        if memory == "":
            raise HostSignatureError(f"{shown(cls)}: memory= names an export; it "
                                     "cannot be empty", owner=shown(cls))
        # String annotations (from __future__ import annotations) may name things local
        # to the function that runs the class statement, as unquoted ones can.
        caller = sys._getframe(1)
        localns = {**caller.f_locals, **vars(cls)} if caller.f_code.co_name != "<module>" else (
            dict(vars(cls)))
        cls.__wasm_host__ = HostSpec(cls, parent.name if name is None else name,
                                     memory or parent.memory, _functions(cls, localns))

    @classmethod
    def factory(cls: type[H], *args: Any, **kwargs: Any) -> HostFactory:
        """A factory making ``cls(*args, **kwargs)`` for each importing instance."""
        return HostFactory(cls, args, kwargs)

    @classmethod
    def of(cls: type[H], module: Any) -> H:
        """The host object of this class that the instance behind ``module`` imported.

        ``module`` is an instance-phase module or a :class:`wasmport.Instance`.
        LookupError if it imported none.
        """
        instance = module if isinstance(module, Instance) else instance_of(module)
        for obj in _bound_objects.get(instance, {}).values():
            if isinstance(obj, cls):
                return obj
        raise LookupError(f"{instance!r} imported no {shown(cls)} host module")


HostModule.__wasm_host__ = HostSpec(HostModule, None, "memory", MappingProxyType({}))

#: instance -> {import module name: host object}, for HostModule.of().
_bound_objects: weakref.WeakKeyDictionary[Any, dict[str, HostModule]] = (
    weakref.WeakKeyDictionary())


def bind_object(instance: Instance, module_name: str, obj: HostModule) -> None:
    """Record that ``instance`` imported ``obj`` as ``module_name`` (for HostModule.of)."""
    _bound_objects.setdefault(instance, {})[module_name] = obj


class HostFactory:
    """Makes one host object per importing instance: ``cls(*args, **kwargs)``."""

    __slots__ = ("cls", "args", "kwargs")

    def __init__(self, cls: type[HostModule], args: tuple[Any, ...],
                 kwargs: Mapping[str, Any]) -> None:
        self.cls, self.args, self.kwargs = cls, args, dict(kwargs)

    def __call__(self) -> HostModule:
        return self.cls(*self.args, **self.kwargs)

    def __repr__(self) -> str:
        return f"<host module factory {shown(self.cls)}.factory(...)>"


def _inherited(cls: type) -> HostSpec:
    for base in cls.__mro__[1:]:
        spec = base.__dict__.get("__wasm_host__")
        if isinstance(spec, HostSpec):
            return spec
    return HostModule.__wasm_host__


def _inherited_function(klass: type, fn: Any) -> HostFunction | None:
    """The base class's planned function, so inherited exports are planned once."""
    spec = klass.__dict__.get("__wasm_host__")
    if isinstance(spec, HostSpec):
        for function in spec.functions.values():
            if function.function is fn:
                return function
    return None


def _functions(cls: type, localns: dict[str, Any]) -> Mapping[str, HostFunction]:
    """Every exported method of ``cls`` and its bases, planned, by export name."""
    marked: dict[str, tuple[str, Any, type]] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            name = getattr(value, _MARK, None) if inspect.isfunction(value) else None
            if name is not None:
                marked[attr] = (name, value, klass)
            elif attr in marked:
                raise HostSignatureError(
                    f"{shown(klass)}.{attr} overrides the export {marked[attr][0]!r} "
                    "without @wasmport.export; decorate the override too",
                    owner=shown(klass), method=attr)
    functions: dict[str, HostFunction] = {}
    for attr, (name, fn, klass) in marked.items():
        if name in functions:
            raise HostSignatureError(
                f"{shown(cls)}: {functions[name].attr}() and {attr}() are both exported "
                f"as {name!r}; give one another name with @wasmport.export('...')",
                owner=shown(cls), method=attr)
        functions[name] = _inherited_function(klass, fn) or HostFunction(
            name, attr, fn, build_plan(shown(klass), attr, name, fn, localns))
    return MappingProxyType(functions)
