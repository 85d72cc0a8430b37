"""``wasmport compat OLD NEW``: is NEW a drop-in replacement for OLD? (docs/compat.md)

The first line is the verdict word (patch, minor or major), then one line per change.
Exit codes as cargo-semver-checks: 0 drop-in (patch or minor), 1 breaking (major),
2 usage errors or a module that cannot be read.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from .._tools.compat import compat
from .targets import module_file, report_error

EXIT_BREAKING, EXIT_UNREADABLE = 1, 2


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "compat", help="is NEW a drop-in replacement for OLD? (semver: patch, minor, major)",
        description="Compare two versions of a module: patch (same interface), minor "
        "(only additions no user can notice), major (something breaks a host or an "
        "importer). Prints the verdict, then each change with its reason (docs/compat.md).",
        epilog="Exit status: 0 drop-in (patch or minor); 1 breaking (major); 2 usage "
        "errors or unreadable input.")
    p.add_argument("old", metavar="OLD", help="the version in use: a file or module name")
    p.add_argument("new", metavar="NEW", help="the candidate: a file or module name")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON "
                   "(schema in docs/cli.md)")
    p.set_defaults(handler=compat_command)


def compat_command(args: argparse.Namespace) -> int:
    try:
        old, new = module_file(args.old), module_file(args.new)
        verdict = compat(old, new)
    except (OSError, ImportError, ValueError, TypeError) as err:
        return report_error(args, err, EXIT_UNREADABLE)
    if args.json:
        print(json.dumps({**verdict.to_json(), "old": old, "new": new}, indent=2))
    else:
        print(verdict.level)
        for change in verdict.changes:
            print(f"  {change}")
    return 0 if verdict.drop_in else EXIT_BREAKING
