"""The world block and the package blocks of the WIT text of a component."""

from __future__ import annotations

from ._names import wit_id
from ._types import Function, Interface, InterfaceName, TypeDef, Unsupported, World, WorldItem
from ._wit import func_text, interface_lines, merge, typedef_lines, use_lines


def _item_lines(direction: str, name: str, item: WorldItem) -> list[str]:
    if isinstance(item, Function):
        return [f"  {direction} {func_text(item, name)};"]
    if isinstance(item, Unsupported):
        return [f"  // {direction} {name}: a {item.what} (not described in WIT)"]
    if isinstance(item, Interface) and InterfaceName.parse(name).namespace is None:
        body = interface_lines(item, None, "    ")
        return [f"  {direction} {wit_id(name)}: interface {{", *body, "  }"]
    return [f"  {direction} {name};"]


def _world_lines(world: World, name: str) -> list[str]:
    imports = world.imports.items()
    interfaces = [i for i in imports if isinstance(i[1], Interface)]
    types = {n: td for n, td in imports if isinstance(td, TypeDef)}
    others = [i for i in imports if not isinstance(i[1], (Interface, TypeDef))]
    exports = sorted(world.exports.items(), key=lambda i: (isinstance(i[1], Interface), i[0]))
    funcs = [line for n, item in sorted(others) for line in _item_lines("import", n, item)]
    typedefs = use_lines(types, None, "  ")
    for td in types.values():
        if td.origin is None:
            if typedefs:
                typedefs.append("")
            typedefs += typedef_lines(td, _world_resource_funcs(world, td.name), "  ")
    first = [line for n, item in sorted(interfaces) for line in _item_lines("import", n, item)]
    # wasm-tools sets world types apart; function imports follow whatever came last.
    groups = [first + ([] if typedefs else funcs), typedefs + (funcs if typedefs else []),
              [line for n, item in exports if not isinstance(item, TypeDef)
               for line in _item_lines("export", n, item)]]
    body: list[str] = []
    for group in groups:
        if group:
            if body:
                body.append("")
            body.extend(group)
    return [f"world {wit_id(name)} {{", *body, "}"]


def _world_resource_funcs(world: World, resource: str) -> list[Function]:
    items = world.imports.values()
    return [f for f in items if isinstance(f, Function) and f.resource == resource]


def _packages(world: World) -> dict[str, dict[str, Interface]]:
    packages: dict[str, dict[str, Interface]] = {}
    for iface in world.interfaces():
        ident = iface.id
        if ident.package_id is None:
            continue
        members = packages.setdefault(ident.package_id, {})
        known = members.get(ident.interface)
        members[ident.interface] = merge(known, iface) if known else iface
    return packages


def render(world: World, name: str = "root") -> str:
    lines = ["package root:component;", "", *_world_lines(world, name)]
    for package, members in sorted(_packages(world).items()):
        lines.append(f"package {package} {{")
        for short, iface in sorted(members.items()):
            lines.append(f"  interface {wit_id(short)} {{")
            lines.extend(interface_lines(iface, package, "    "))
            lines.append("  }")
        lines.append("}")
    return "\n".join(lines) + "\n"
