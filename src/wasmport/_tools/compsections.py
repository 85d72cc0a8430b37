"""A component's own sections, read from its binary: the custom sections at its top
level (``producers``, ``component-name``), whether it has a start function, and the
core modules and components it embeds (each one's name and producers).

The component has been validated (compiled) before; custom sections are not validated
by anyone, so a malformed ``producers`` or name is ignored, as engines ignore it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._compile.binary import Reader
from .._compile.sections import read_interface

_CUSTOM, _CORE_MODULE, _COMPONENT, _START = 0, 1, 4, 9
Producers = tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


@dataclass
class ComponentSections:
    name: str | None = None
    start: bool = False
    customs: list[tuple[str, int]] = field(default_factory=list)  # (name, size)
    producers: Producers = ()
    embedded: list[dict[str, Any]] = field(default_factory=list)


def read_sections(wasm: bytes, nested: bool = True) -> ComponentSections:
    """The sections of a component binary (``nested``: with its embedded items)."""
    found, r = ComponentSections(), Reader(wasm, 8)
    while r.pos < r.end:
        sid, size = r.byte(), r.uleb()
        start = r.pos
        r.skip(size)
        if sid == _CUSTOM:
            _custom(Reader(wasm, start, start + size), found)
        elif sid == _START:
            found.start = True
        elif nested and sid in (_CORE_MODULE, _COMPONENT):
            found.embedded.append(_embedded(wasm[start:start + size], sid))
    return found


def _custom(r: Reader, found: ComponentSections) -> None:
    start = r.pos
    name = r.name()
    found.customs.append((name, r.end - start))
    try:
        if name == "producers":
            found.producers = _producers(r)
        elif name == "component-name":
            found.name = _own_name(r)
    except (ValueError, IndexError, UnicodeDecodeError):
        pass  # a malformed custom section means nothing


def _producers(r: Reader) -> Producers:
    fields = []
    for _ in range(r.uleb()):
        name = r.name()
        fields.append((name, tuple((r.name(), r.name()) for _ in range(r.uleb()))))
    return tuple(fields)


def _own_name(r: Reader) -> str | None:
    """Subsection 0 of a ``component-name`` section: the component's own name."""
    while r.pos < r.end:
        sub, size = r.byte(), r.uleb()
        if sub == 0:
            return r.name()
        r.skip(size)
    return None


def _embedded(wasm: bytes, sid: int) -> dict[str, Any]:
    name: str | None = None
    producers: Producers = ()
    try:
        if sid == _CORE_MODULE:
            iface = read_interface(wasm)
            name, producers = iface.module_name, iface.producers
        else:
            inner = read_sections(wasm, nested=False)
            name, producers = inner.name, inner.producers
    except (ValueError, IndexError, UnicodeDecodeError):
        pass
    return {"kind": "module" if sid == _CORE_MODULE else "component", "name": name,
            "size": len(wasm), "producers": producers_json(producers)}


def producers_json(producers: Producers) -> dict[str, list[dict[str, str]]]:
    return {name: [{"name": tool, "version": version} for tool, version in tools]
            for name, tools in producers}
