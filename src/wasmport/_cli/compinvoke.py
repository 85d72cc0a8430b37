"""``wasmport run app.wasm --invoke 'add(1, 2)'`` on a component.

The call is WIT-typed: its arguments are read against the export's parameter types in
WAVE, the value syntax ``wasmtime run --invoke`` uses for components, and the result is
printed in WAVE.  A root export is named as the world names it (``add``); a function of
an exported interface as ``INTERFACE#FUNC``, the interface by its full name, with or
without its version, or its short name (``test:calc/api@0.1.0#call-add``,
``api#call-add``; ``api.call-add`` too), or by its bare name when one exported interface
alone has a function of that name (as ``wasmtime run --invoke`` searches).  A function
without parameters may leave out its ``()``, and trailing ``option`` arguments that are
``none`` may be left out, as WAVE allows.

Exit status: 0, with the result printed (nothing for a function without one); 1 when a
function whose result is a ``result`` returns its error case (printed as ``err(...)``);
a trap is the caller's (134).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .._component import ComponentInstance, Err, Ok
from .._component._types import Function, Interface, InterfaceName, OptionType, ResultType
from .._component.wave import WaveError, WaveReader, to_wave


class ComponentInvokeError(ValueError):
    """An --invoke text that does not fit the component: a usage error."""


def invoke_component(instance: ComponentInstance, text: str, words: list[str],
                     where: str) -> int:
    """Call the export ``text`` names on a component instance, print the result."""
    prefix = f"{where}: --invoke {text!r}"
    if words:
        raise ComponentInvokeError(
            f"{prefix}: a component's arguments are WAVE values inside the call text, as "
            f"in --invoke 'add(1, 2)', not words after it ({' '.join(words)})")
    try:
        call, func, args = _parse_call(instance, text)
    except WaveError as err:
        raise ComponentInvokeError(f"{prefix}: {err}") from None
    try:
        result = call(*args)
    except Err as err:
        if not isinstance(func.type.result, ResultType):
            raise
        print(to_wave(err, func.type.result, instance.code.types))
        return 1
    if func.type.result is not None:
        if isinstance(func.type.result, ResultType):
            result = Ok(result)
        print(to_wave(result, func.type.result, instance.code.types))
    return 0


def _parse_call(instance: ComponentInstance, text: str) -> tuple[Any, Function, list[Any]]:
    reader = WaveReader(text, instance.code.types)
    name = _name(reader)
    call, func = _find(instance, name, reader)
    args: list[Any] = []
    if reader.take("("):
        for i, (param, ty) in enumerate(func.type.params):
            if _omitted(reader, func.type.params[i:], i > 0):
                args += [None] * (len(func.type.params) - i)
                break
            if i:
                reader.expect(",", f"before parameter {param!r} ({len(func.type.params)} "
                                   "parameters)")
            args.append(reader.value(ty))
        reader.take(",")
        if not reader.take(")"):
            raise reader.fail(f"{name} takes {len(func.type.params)} parameter"
                              f"{'' if len(func.type.params) == 1 else 's'}; expected ')', "
                              f"got {reader.shown()}")
    elif func.type.params:
        raise reader.fail(f"expected '(' and the {len(func.type.params)} argument(s) of {name}")
    reader.end()
    return call, func, args


def _omitted(reader: WaveReader, rest: Sequence[tuple[str, Any]], comma: bool) -> bool:
    """Whether the call closes here with only ``option`` parameters left (each none)."""
    at = reader.pos
    if comma:
        reader.take(",")
    ends = reader.peek(")")
    reader.pos = at
    return ends and all(isinstance(ty, OptionType) for _, ty in rest)


def _name(reader: WaveReader) -> str:
    """The function name at the start: everything up to ``(`` (or the end)."""
    reader.skip()
    start = reader.pos
    end = reader.text.find("(", start)
    end = len(reader.text) if end < 0 else end
    name = reader.text[start:end].strip()
    if not name:
        raise reader.fail("expected the name of an exported function")
    reader.pos = end
    return name


def _find(instance: ComponentInstance, name: str, reader: WaveReader) -> tuple[Any, Function]:
    world, exports = instance.code.world, instance.exports
    item = world.exports.get(name)
    if isinstance(item, Function):
        return exports[name], item
    iface_name, sep, fname = name.rpartition("#")
    if not sep:
        iface_name, sep, fname = name.rpartition(".")
    full = _interface(world.exports, iface_name) if sep else None
    if full is not None:
        iface = world.exports[full]
        assert isinstance(iface, Interface)
        func = iface.functions.get(fname)
        if func is not None and func.kind == "freestanding":
            return exports[full][fname], func
    found = [] if sep else _search(world.exports, name)
    if len(found) == 1:
        full, func = found[0]
        return exports[full][name], func
    if found:
        raise reader.fail(f"{name!r} is exported by more than one interface: name one, as "
                          f"{' or '.join(f'{_short(f)}#{name}' for f, _ in found)}", 0)
    raise reader.fail(f"no exported function {name!r}; the component exports "
                      f"{', '.join(_callable(world.exports)) or 'none'}", 0)


def _interface(items: dict[str, Any], name: str) -> str | None:
    """The full name of the exported interface ``name`` names (full, unversioned, short)."""
    for full, item in items.items():
        if not isinstance(item, Interface):
            continue
        parsed = InterfaceName.parse(full)
        if name in (full, parsed.unversioned, parsed.interface):
            return full
    return None


def _search(items: dict[str, Any], name: str) -> list[tuple[str, Function]]:
    """Every exported interface with a freestanding function ``name``."""
    return [(full, item.functions[name]) for full, item in items.items()
            if isinstance(item, Interface) and name in item.functions
            and item.functions[name].kind == "freestanding"]


def _short(full: str) -> str:
    return InterfaceName.parse(full).interface


def _callable(items: dict[str, Any]) -> list[str]:
    out = []
    for full, item in items.items():
        if isinstance(item, Function):
            out.append(full)
        elif isinstance(item, Interface):
            out += [f"{_short(full)}#{f}" for f, func in item.functions.items()
                    if func.kind == "freestanding"]
    return out
