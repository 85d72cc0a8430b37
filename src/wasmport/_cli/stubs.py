"""``wasmport stubs``: write (or check) the ``.pyi`` stub of each module (docs/cli.md).

Exit codes: 0 done (or every stub up to date); 1 a stub is missing or stale with
``--check``, or a module cannot be read; 2 usage errors.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from .._resolve.specifiers import SUFFIXES
from .._tools.compstubs import component_world, render_component
from .._tools.source import read_binary
from .._tools.stubs import recorded_sha256, render
from .targets import module_file


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "stubs", help="write .pyi stubs so type checkers know a module's exports",
        description="Write foo.pyi beside foo.wasm (or foo.wat): the instance phase's exports "
        "with their Python types, for mypy and pyright. The header records the module's "
        "sha256; --check fails when a stub is missing or stale (for CI and pre-commit).",
        epilog="Exit status: 0 done or up to date; 1 missing or stale (--check) or an "
        "unreadable module; 2 usage errors.")
    p.add_argument("modules", nargs="*", metavar="FILE_OR_MODULE",
                   help="a .wasm/.wat file, or a module name found on sys.path")
    p.add_argument("--package", metavar="PKG", action="append", default=[],
                   help="every module of this Python package and its subpackages; repeatable")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="write the stub here ('-' for standard output); one module only")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 when a stub is missing or not what would be "
                   "written now")
    p.set_defaults(handler=stubs_command, parser=p)


def stubs_command(args: argparse.Namespace) -> int:
    if not args.modules and not args.package:
        args.parser.error("give a FILE_OR_MODULE or --package PKG")
    if args.output is not None and (len(args.modules) != 1 or args.package or args.check):
        args.parser.error("-o takes exactly one FILE_OR_MODULE, without --package or --check")
    jobs = [(module_file(w), f"wasmport stubs {w}") for w in args.modules]
    for package in args.package:
        jobs += [(path, f"wasmport stubs --package {package}") for path in package_modules(package)]
    problems = [p for path, command in jobs
                if (p := _one(path, command, args.output, args.check)) is not None]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def _one(path: str, command: str, output: str | None, check: bool) -> str | None:
    binary = read_binary(path)
    source = os.path.basename(path)
    if binary.kind == "component":
        text = render_component(component_world(path), source=source, sha256=binary.sha256)
    else:
        text = render(binary.interface(), source=source, sha256=binary.sha256)
    target = output or os.path.splitext(path)[0] + ".pyi"
    if check:
        return _stale(target, text, binary.sha256, command)
    if target == "-":
        sys.stdout.write(text)
    else:
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        print(f"wrote {target}")
    return None


def _stale(target: str, text: str, sha256: str, command: str) -> str | None:
    try:
        with open(target, encoding="utf-8") as f:
            found = f.read()
    except FileNotFoundError:
        return f"{target}: missing; run `{command}`"
    if found == text:
        return None
    recorded = recorded_sha256(found)
    if recorded != sha256:
        return (f"{target}: stale: written for sha256 {str(recorded)[:12]}, the module is now "
                f"{sha256[:12]}; run `{command}`")
    return (f"{target}: not what this wasmport writes for the module (edited, or written by "
            f"another version); run `{command}`")


def package_modules(package: str) -> list[str]:
    """Every .wasm/.wat module of a Python package and its subpackages (the .wasm where
    both exist, as the import hook picks it)."""
    found = importlib.import_module(package)
    paths = getattr(found, "__path__", None)
    if paths is None:
        raise ValueError(f"--package {package}: a module, not a package; give its files")
    return sorted({m for directory in paths for m in _walk(directory)})


def _walk(directory: str) -> Iterator[str]:
    names = sorted(os.listdir(directory))
    for name in names:
        full = os.path.join(directory, name)
        stem, suffix = os.path.splitext(name)
        if suffix in SUFFIXES and stem.isidentifier() and os.path.isfile(full):
            if suffix == ".wasm" or stem + ".wasm" not in names:
                yield full
        elif name.isidentifier() and os.path.isfile(os.path.join(full, "__init__.py")):
            yield from _walk(full)
