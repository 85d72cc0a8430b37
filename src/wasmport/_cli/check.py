"""``wasmport check FILE|MODULE``: would every import link in the realm?  Nothing runs.

Exit codes: 0 every import of the module and its wasm dependencies would link; 1 some
would not (one location-first line each on stdout, with the remedy) or the module does
not compile; 2 the check cannot run (usage errors, no such file, a --realm or
--import-map that cannot be used).
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any

from .._tools.check import CheckReport, check
from .realms import add_realm_options, choose_realm
from .targets import module_target, report_error

EXIT_PROBLEMS, EXIT_CANNOT_CHECK = 1, 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "check", help="would every import link in the realm? (compiles, runs nothing)",
        description="Resolve every import of a module as the realm would (import map, host "
        "modules, WASI, ./relative files, the Python import system), compiling and "
        "type-checking, and checking wasm dependencies the same way, but running nothing: "
        "no instance is made, so no start function or _initialize runs, and no Python "
        "module is imported unless it opts in with __wasm_exports__.",
        epilog="Exit status: 0 every import would link; 1 one would not (a line each: "
        "WHERE: import \"M\".\"F\": WHY; REMEDY) or the module does not compile; 2 the "
        "check cannot run (usage errors, no such file).")
    p.add_argument("module", metavar="FILE_OR_MODULE",
                   help="a .wasm/.wat file, or a module name found on sys.path")
    add_realm_options(p)
    p.add_argument("--json", action="store_true", help="print the report as JSON "
                   "(schema in docs/cli.md)")
    p.set_defaults(handler=check_command)


def check_command(args: argparse.Namespace) -> int:
    try:
        path, name = module_target(args.module)
        choice = choose_realm(args)
    except (OSError, ImportError, ValueError, TypeError) as err:
        return report_error(args, err, EXIT_CANNOT_CHECK)
    report = check(path, realm=choice.realm, name=name, import_map=choice.import_map,
                   allow_imports=choice.allow_imports)
    if getattr(args, "traceback", False):
        _tracebacks(report)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        _print(report)
    return 0 if report.ok else EXIT_PROBLEMS


def _print(report: CheckReport) -> None:
    for line in report.problems:
        print(line)
    imports = sum(len(m.imports) for m in report.modules)
    modules = len(report.modules)
    counted = (f"{imports} import{'s' if imports != 1 else ''} of {modules} "
               f"module{'s' if modules != 1 else ''}")
    if report.ok:
        print(f"{report.where}: ok: {counted} resolve in realm {report.realm!r}; nothing ran")
        return
    problems = len(report.problems)
    print(f"wasmport check: {problems} problem{'s' if problems != 1 else ''} "
          f"({counted} checked in realm {report.realm!r})", file=sys.stderr)


def _tracebacks(report: CheckReport) -> None:
    errors = [report.error] if report.error is not None else [
        i.error for m in report.modules for i in m.imports
        if i.error is not None and not i.inherited]
    for err in errors:
        if err is not None:
            traceback.print_exception(type(err), err, err.__traceback__)
