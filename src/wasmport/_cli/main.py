"""The ``wasmport`` command line: ``wasmport <command> ...`` (also ``python -m wasmport``).

Commands live in their own modules, listed in COMMANDS; each has
``register(subparsers)``, which adds its subparser and sets ``handler`` (a function
taking the parsed arguments and returning the exit code).  To add a command, write
such a module and add its name here.  Words after the first ``--`` arrive as
``args.rest``, for a command that sets ``takes_rest=True``.

Errors print one line, ``wasmport: error: <message>``, and exit with 1 (usage errors:
2); ``--traceback`` prints the whole traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from .._errors import one_line

COMMANDS = (
    "wasmport._cli.run",
    "wasmport._cli.cache",
    "wasmport._cli.stubs",
    "wasmport._cli.compat",
    "wasmport._cli.inspect",
    "wasmport._cli.check",
)

#: The exit code of a wasm trap, as ``wasmtime run`` on Unix (128 + SIGABRT).
EXIT_TRAP = 134
EXIT_ERROR = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wasmport", description="Run and inspect WebAssembly modules with wasmport.")
    parser.add_argument("--traceback", action="store_true",
                        help="on an error, print the full traceback, not one line")
    from .._version import __version__

    parser.add_argument("--version", action="version", version=f"wasmport {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); the exit code."""
    parser = build_parser()
    words = list(sys.argv[1:] if argv is None else argv)
    # Everything after the first "--" is the program's, whatever it looks like.
    split = words.index("--") if "--" in words else len(words)
    args, extra = parser.parse_known_args(words[:split])
    # Positional words after an option (``run x.wasm --env A=1 arg``) come back as
    # extras; they belong to the program too.  Unknown options are still errors.
    unknown = [w for w in extra if w.startswith("-")]
    if unknown or (extra and not getattr(args, "takes_rest", False)):
        parser.error(f"unrecognized arguments: {' '.join(unknown or extra)}")
    args.rest = extra + words[split + 1:]
    if args.rest and not getattr(args, "takes_rest", False):
        parser.error(f"{args.command} takes no arguments after --")
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # every error ends here: one line, or the traceback
        if args.traceback:
            traceback.print_exc()
        else:
            print(f"wasmport: error: {one_line(err)}", file=sys.stderr)
        from .._errors import Trap

        return EXIT_TRAP if isinstance(err, Trap) else EXIT_ERROR
