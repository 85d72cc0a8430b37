"""What the tool commands (stubs, inspect, compat) take: FILE or MODULE, as ``run`` does.

A word that names an existing file, or ends in .wasm/.wat, is a path; a dotted name is a
module found the way ``import`` finds it (the hook's finder: sys.path or the package's
``__path__``, .py files first), without importing the packages above it.
"""

from __future__ import annotations

import argparse
import importlib.machinery
import os
import sys
import traceback
from typing import Any

from .._errors import one_line
from .._importer.finder import install, is_installed, uninstall
from .._link.python import find_quietly
from .._resolve.specifiers import SUFFIXES, is_dotted_name


def module_file(word: str) -> str:
    """The file a FILE or MODULE word names; FileNotFoundError when there is none."""
    return module_target(word)[0]


def module_target(word: str) -> tuple[str, str | None]:
    """The file a FILE or MODULE word names, and the module's dotted name (None for a
    path); FileNotFoundError when there is none."""
    if os.path.exists(word) or word.endswith(SUFFIXES) or not is_dotted_name(word):
        if not os.path.isfile(word):
            raise FileNotFoundError(f"{word}: no such file")
        return word, None
    spec = _find_spec(word)
    if spec is None or not getattr(spec.loader, "is_wasmport_loader", False) or not spec.origin:
        found = "" if spec is None else f" (it is {spec.origin or 'a namespace package'})"
        raise FileNotFoundError(f"{word}: no WebAssembly module of that name on sys.path"
                                f"{found}; give the file's path instead")
    path = os.path.relpath(spec.origin) if _under_cwd(spec.origin) else spec.origin
    return path, word


def _find_spec(word: str) -> importlib.machinery.ModuleSpec | None:
    """The spec the hook's finder gives ``word``, leaving sys.meta_path as it was, and
    running nothing: the packages above it are looked up, not imported, as linking does
    (``wasmport check pkg.plugin`` must not run ``pkg/__init__.py``)."""
    was_installed = is_installed()
    install()
    try:
        return find_quietly(word)[0]
    finally:
        if not was_installed:
            uninstall()


def _under_cwd(path: str) -> bool:
    return os.path.abspath(path).startswith(os.getcwd() + os.sep)


def report_error(args: argparse.Namespace, err: BaseException, code: int) -> int:
    """Print an error as main() does (one line, or the traceback) and return ``code``:
    for commands whose exit codes say more than "failed"."""
    if getattr(args, "traceback", False):
        traceback.print_exc()
    else:
        print(f"wasmport: error: {one_line(err)}", file=sys.stderr)
    return code


def colour(stream: Any) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (no-color.org)."""
    return not os.environ.get("NO_COLOR") and bool(getattr(stream, "isatty", lambda: False)())


def bold(text: str, stream: Any) -> str:
    return f"\033[1m{text}\033[0m" if colour(stream) else text
