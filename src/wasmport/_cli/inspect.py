"""``wasmport inspect FILE|MODULE [--json]``: what a module is, needs and gives, and how
each import would resolve in the realm (as ``wasmport check`` finds it: the module and
its wasm dependencies are compiled, none is run; ``--no-resolve`` compiles nothing).
``--json``: schema in docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._tools.inspect import report
from .realms import RealmUsageError, add_realm_options, choose_realm
from .targets import bold, module_target, report_error

EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "inspect", help="show a module's kind, sections, imports and exports",
        description="Show what a module is (core or component), its size and custom "
        "sections, its imports and exports with their types and limits, the Python "
        "each export becomes, whether its compiled code is in the cache, and how each "
        "import would resolve in the realm (as wasmport check finds it, running nothing).")
    p.add_argument("module", metavar="FILE_OR_MODULE",
                   help="a .wasm/.wat file, or a module name found on sys.path")
    p.add_argument("--json", action="store_true", help="print the report as JSON "
                   "(schema in docs/cli.md)")
    p.add_argument("--no-resolve", action="store_true", help="do not say how imports "
                   "resolve: read the binary only, compile nothing")
    add_realm_options(p)
    p.set_defaults(handler=inspect_command)


def inspect_command(args: argparse.Namespace) -> int:
    path, name = module_target(args.module)
    if args.no_resolve and (args.realm or args.import_map or args.allow or args.wasi):
        return report_error(args, RealmUsageError(
            "--no-resolve: the realm options say where imports resolve; give one or the "
            "other"), EXIT_USAGE)
    if args.no_resolve:
        found = report(path, resolve=False)
    else:
        try:
            choice = choose_realm(args)
        except RealmUsageError as err:
            return report_error(args, err, EXIT_USAGE)
        found = report(path, realm=choice.realm, name=name, import_map=choice.import_map,
                       allow_imports=choice.allow_imports)
    if args.json:
        print(json.dumps(found, indent=2))
    else:
        sys.stdout.write("".join(f"{line}\n" for line in render(found, sys.stdout)))
    return 0


def render(r: dict[str, Any], stream: Any) -> list[str]:
    head = [f"{r['file'] or '<bytes>'}: {r['kind']}"
            f"{' module' if r['kind'] == 'core' else ''}, {r['size']} bytes",
            f"sha256: {r['sha256']}"]
    realm = f", resolved as realm {r['realm']!r} would" if r.get("realm") else ""
    if r["kind"] == "component":
        return [*head, *_about(r), *_component(r, realm, stream)]
    return [*head, *_about(r), "", bold(f"imports ({len(r['imports'])}){realm}", stream),
            *_table([(f'"{i["module"]}"."{i["name"]}"', i["type"]["text"], *_resolved(i))
                     for i in r["imports"]]),
            "", bold(f"exports ({len(r['exports'])})", stream),
            *_table([(json.dumps(e["name"]) if not e["name"].isidentifier() else e["name"],
                      e["type"]["text"], _extra(e)) for e in r["exports"]])]


def _about(r: dict[str, Any]) -> list[str]:
    sections = ", ".join(f"{c['name']} ({c['size']} bytes)" for c in r["custom_sections"])
    lines = [f"custom sections: {sections or 'none'}"]
    lines += [f"{field}: {', '.join(t['name'] + ' ' + t['version'] for t in tools)}"
              for field, tools in r["producers"].items()]
    if r["module_name"]:
        lines.append(f"name: {r['module_name']}")
    lines.append(f"start function: {'yes' if r['start'] else 'no'}")
    if r.get("embedded"):
        lines += [f"embeds ({len(r['embedded'])}):", *(f"  {_embedded(e)}"
                                                       for e in r["embedded"])]
    return [*lines, f"compiled code: {_cache(r['cache'])}"]


def _embedded(item: dict[str, Any]) -> str:
    tools = [t["name"] + (f" {t['version']}" if t["version"] else "")
             for ts in item["producers"].values() for t in ts]
    made = f"; {', '.join(tools)}" if tools else ""
    return f"{item['kind']} {item['name'] or '(unnamed)'} ({item['size']} bytes{made})"


def _component(r: dict[str, Any], realm: str, stream: Any) -> list[str]:
    """The imports (with how each resolves), the exports (with what Python gets), and
    the world as WIT."""
    return ["", bold(f"imports ({len(r['imports'])}){realm}", stream),
            *_table([(i["name"], _kind_of(i["type"]), *_resolved(i)) for i in r["imports"]]),
            "", bold(f"exports ({len(r['exports'])})", stream),
            *_table([(e["name"], _kind_of(e["type"]), f"-> {e['python']}")
                     for e in r["exports"]]),
            "", bold("world", stream), *[f"  {line}" if line else ""
                                         for line in r["wit"].splitlines()]]


def _kind_of(ty: dict[str, Any]) -> str:
    if ty["kind"] == "interface":
        count = len(ty["functions"])
        return f"interface ({count} function{'' if count == 1 else 's'})"
    return str(ty["text"]) if ty["kind"] == "func" else str(ty["kind"])


def _cache(cache: dict[str, Any]) -> str:
    if not cache["enabled"]:
        return "the cache is off (WASMPORT_CACHE=0)"
    hits = [e["engine"] for e in cache["engines"] if e["cached"]]
    where = f" ({cache['directory']})"
    return ("in the cache for " + "; ".join(hits) if hits else "not in the cache") + where


def _resolved(imp: dict[str, Any]) -> tuple[str, ...]:
    """The resolution column: the provider, or why the import would not link (a wasm
    dependency's own failure in full, with its location)."""
    found = imp["resolution"]
    if found is None:
        return ()
    shown = found["detail"] or ""
    if found["file"] and found["file"] not in shown:
        shown += f" ({found['file']})"
    if found["ok"]:
        return (f"<- {shown}" + (f"; {found['note']}" if found["note"] else ""),)
    if found["inherited"]:
        return (f"<- {shown}, which would not link: {found['error']}",)
    if "module" not in imp:  # a component's: the layer's message, without its location
        return ("<- FAILS: import " + found["error"].split(": import ", 1)[-1],)
    site = f'import "{imp["module"]}"."{imp["name"]}": '
    return (f"<- FAILS: {found['error'].split(site, 1)[-1]}",)


def _extra(export: dict[str, Any]) -> str:
    names = export.get("param_names")
    params = f"({', '.join(names)}) " if names else ""
    return f"{params}-> {export['python']}"


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows as aligned columns (the last one unpadded)."""
    if not rows:
        return ["  none"]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    padded = ([c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)] for row in rows)
    return ["  " + "  ".join([*cells, row[-1]]).rstrip()
            for cells, row in zip(padded, rows, strict=True)]
