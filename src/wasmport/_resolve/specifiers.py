"""Specifiers -> files.

A specifier is a dotted module name (``pkg.codec``), an absolute path, or a path
starting with ``./`` or ``../`` relative to a base directory.  A ``?module`` or
``?source`` suffix asks for the source phase.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from .locations import find_in, is_file

SUFFIXES = (".wasm", ".wat")
_PHASES = ("instance", "source")
_PHASE_SUFFIXES = {"?module": "source", "?source": "source", "?instance": "instance"}
_DOTTED = re.compile(r"^\.*[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


@dataclass(frozen=True)
class Resolved:
    """Where a specifier led: the file, the module name to give it, and the phase asked for."""

    path: str
    name: str
    phase: str | None


def split_phase(specifier: str) -> tuple[str, str | None]:
    for suffix, phase in _PHASE_SUFFIXES.items():
        if specifier.endswith(suffix):
            return specifier[: -len(suffix)], phase
    return specifier, None


def is_path(specifier: str) -> bool:
    return specifier.startswith(("/", "./", "../")) or specifier.endswith(SUFFIXES)


def is_dotted_name(name: str) -> bool:
    return bool(_DOTTED.match(name))


def resolve(specifier: str, *, base_dir: str | None, package: str | None = None) -> Resolved:
    """Resolve a specifier to a file.

    Raises ModuleNotFoundError when no file matches, naming where it looked.
    """
    spec, phase = split_phase(specifier)
    if is_path(spec):
        path = _resolve_path(spec, base_dir)
        return Resolved(path, os.path.splitext(os.path.basename(path))[0], phase)
    if not is_dotted_name(spec):
        raise ModuleNotFoundError(f"{specifier!r} is neither a module name nor a path to a "
                                  ".wasm/.wat file", name=spec)
    fullname = importlib.util.resolve_name(spec, package) if spec.startswith(".") else spec
    found = find_module_file(fullname)
    if found is None:
        raise ModuleNotFoundError(f"no WebAssembly module named {fullname!r} "
                                  f"(looked for {_leaf(fullname)}.wasm and .wat on "
                                  f"{_where(fullname)})", name=fullname)
    return Resolved(found, fullname, phase)


def _resolve_path(spec: str, base_dir: str | None) -> str:
    if spec.startswith("/"):
        path = spec
    elif spec.startswith(("./", "../")):
        path = os.path.join(base_dir if base_dir is not None else os.getcwd(), spec)
    else:
        raise ModuleNotFoundError(f"{spec!r}: a relative path must start with ./ or ../",
                                  name=spec)
    path = os.path.normpath(path)
    if not is_file(path):
        raise ModuleNotFoundError(f"{spec}: no such file ({path})", name=spec, path=path)
    return path


def _leaf(fullname: str) -> str:
    return fullname.rpartition(".")[2]


def _where(fullname: str) -> str:
    parent = fullname.rpartition(".")[0]
    return f"the __path__ of package {parent!r}" if parent else "sys.path"


def search_path(fullname: str) -> Iterable[str]:
    """The directories a module of this name is looked for in, as the import system would."""
    parent = fullname.rpartition(".")[0]
    if not parent:
        # The empty entry means the current directory: never search it (see docs/design.md).
        return [entry for entry in sys.path if entry and isinstance(entry, str)]
    package = importlib.import_module(parent)
    return list(getattr(package, "__path__", None) or [])


def find_module_file(fullname: str, path: Iterable[str] | None = None) -> str | None:
    """The .wasm (preferred) or .wat file of module ``fullname`` on ``path`` (default: where
    the import system would look), in a directory or a zip archive; None if none."""
    directories = search_path(fullname) if path is None else path
    return find_in(directories, _leaf(fullname), SUFFIXES)


def choose_phase(specifier: str, phase: str | None, from_suffix: str | None) -> str:
    """The phase a load asks for: ``phase=`` or the specifier's suffix (never both
    disagreeing); the instance phase by default."""
    if phase is not None and phase not in _PHASES:
        raise ValueError(f"phase must be 'instance' or 'source', not {phase!r}")
    if phase is not None and from_suffix is not None and phase != from_suffix:
        raise ValueError(f"{specifier!r} asks for the {from_suffix} phase but phase={phase!r}")
    return phase or from_suffix or "instance"
