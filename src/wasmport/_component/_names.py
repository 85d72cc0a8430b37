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
