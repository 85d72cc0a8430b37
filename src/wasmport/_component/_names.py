"""The one mapping from WIT names to Python names, as componentize-py spells them.

    WIT                         Python
    get-point  (function)       get_point
    http-url   (field, param)   http_url
    from       (a keyword)      from_
    dark-blue  (type)           DarkBlue          HTTP-thing -> HttpThing
    dark-blue  (enum, flag)     DARK_BLUE
    shape.none (variant case)   Shape_None_       (the case's camel name, keyword-escaped)
    ns:pkg/my-api@1.0.0         my_api            (interface namespace attribute)

Converters, generated types, host-implementation checks and (later) stubs and docs
all take names from here.
"""

from __future__ import annotations

import keyword

from ._types import InterfaceName


def _escape(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) else name


def _words(name: str) -> list[str]:
    return [word for word in name.split("-") if word]


def snake(name: str) -> str:
    """Functions, parameters, record fields: ``get-point`` -> ``get_point``."""
    return _escape("_".join(word.lower() for word in _words(name)))


def camel(name: str) -> str:
    """Types and resources: ``dark-blue`` -> ``DarkBlue``, ``HTTP-thing`` -> ``HttpThing``."""
    return _escape("".join(word[:1].upper() + word[1:].lower() for word in _words(name)))


def upper(name: str) -> str:
    """Enum members and flags: ``dark-blue`` -> ``DARK_BLUE``."""
    return _escape("_".join(word.upper() for word in _words(name)))


def case_class(type_name: str, case: str) -> str:
    """The class of one variant case: ``shape``, ``circle`` -> ``Shape_Circle``."""
    return f"{camel(type_name)}_{camel(case)}"


def namespace(interface: str) -> str:
    """The short attribute of an interface: ``ns:pkg/my-api@1.0.0`` -> ``my_api``."""
    return snake(InterfaceName.parse(interface).interface)


# Words WIT reserves: a name spelled like one is written ``%name`` in WIT text.
WIT_KEYWORDS = frozenset("""
as async bool borrow char constructor enum error-context export f32 f64 flags from func
future import include interface list option own package record resource result s16 s32
s64 s8 static stream string tuple type u16 u32 u64 u8 use variant with world
""".split())


def wit_id(name: str) -> str:
    """A name as WIT text writes it (``%from`` for the keyword ``from``)."""
    return f"%{name}" if name in WIT_KEYWORDS else name


_PY_PRIMS = {"bool": "bool", "char": "str", "string": "str", "f32": "float", "f64": "float"}


def annotation(ty: object, *, returned: bool = False) -> str:
    """The Python annotation of a WIT type, as the generated types and stubs spell it.

    ``returned`` is for a function's own result, where ``result<T, E>`` is ``T`` (the
    error is raised as ``Err``); anywhere else it is ``Ok[T] | Err[E]``.
    """
    from ._types import (
        HandleType,
        ListType,
        OptionType,
        Prim,
        ResultType,
        TupleType,
        UnsupportedType,
    )
    if ty is None:
        return "None"
    if isinstance(ty, Prim):
        return _PY_PRIMS.get(ty.kind, "int")
    if isinstance(ty, ListType):
        return "bytes" if ty.element == Prim("u8") else f"list[{annotation(ty.element)}]"
    if isinstance(ty, TupleType):
        return f"tuple[{', '.join(annotation(t) for t in ty.items) or '()'}]"
    if isinstance(ty, OptionType):
        inner = annotation(ty.some)
        return f"Some[{inner}] | None" if isinstance(ty.some, OptionType) else f"{inner} | None"
    if isinstance(ty, ResultType):
        if returned:
            return annotation(ty.ok)
        return f"Ok[{annotation(ty.ok)}] | Err[{annotation(ty.err)}]"
    if isinstance(ty, HandleType):
        return camel(ty.resource.name or "resource")
    if isinstance(ty, UnsupportedType):
        return "object"
    return camel(getattr(ty, "name", None) or "object")
