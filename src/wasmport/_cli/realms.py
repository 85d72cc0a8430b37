"""The realm a command resolves imports in (``check``, ``inspect``): the default realm, a
plugin host's own (``--realm MODULE:FACTORY``), with WASI (``--wasi``), an import map
read from JSON over it (``--import-map``) and an allow-list narrowing it (``--allow``).

Each option that cannot be used raises :class:`RealmUsageError`, a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .._realm import Realm, default_realm
from .._resolve.specifiers import is_dotted_name
from .._wasi.config import WasiConfig


class RealmUsageError(ValueError):
    """An option naming the realm, its import map or allow-list cannot be used."""


@dataclass(frozen=True)
class RealmChoice:
    """The realm, and what to put over its policy."""

    realm: Realm
    import_map: dict[str, str] | None
    allow_imports: frozenset[str] | None


def add_realm_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("the realm imports resolve in (default: the default realm)")
    group.add_argument("--realm", metavar="MODULE:FACTORY", help="a plugin host's realm: "
                       "import MODULE (the current directory is searched for it) and call "
                       "FACTORY(), which returns a wasmport.Realm (or name a Realm itself)")
    group.add_argument("--import-map", metavar="FILE.json", help="import map entries over "
                       "the realm's: {\"name\": \"specifier\", ...} or {\"imports\": {...}}; "
                       "./relative specifiers are relative to the file")
    group.add_argument("--allow", nargs="+", action="extend", metavar="NAME",
                       help="allow wasm modules to import only these module names (narrows "
                       "the realm's allow_imports); repeatable")
    group.add_argument("--wasi", action="store_true", help="give the realm WASI, as "
                       "`wasmport run` does (without --realm)")


def choose_realm(args: argparse.Namespace) -> RealmChoice:
    """The realm and policy the options ask for; RealmUsageError when one cannot be used."""
    if args.wasi and args.realm:
        raise RealmUsageError("--wasi: give the realm WASI in the --realm factory "
                              "(Realm(wasi=wasmport.WasiConfig(...))), not both")
    realm = _factory_realm(args.realm) if args.realm else default_realm()
    if args.wasi:
        realm = realm.child(wasi=WasiConfig())
    import_map = read_import_map(args.import_map) if args.import_map else None
    allowed = frozenset(args.allow) if args.allow is not None else None
    return RealmChoice(realm, import_map, allowed)


def _factory_realm(spec: str) -> Realm:
    modname, colon, attr = spec.partition(":")
    if not colon or not is_dotted_name(modname) or not all(
            p.isidentifier() for p in attr.split(".")):
        raise RealmUsageError(f"--realm {spec}: give MODULE:FACTORY, such as "
                              "myapp.plugins:make_realm")
    with _cwd_on_path():
        try:
            module = importlib.import_module(modname)
        except ModuleNotFoundError as err:
            raise RealmUsageError(f"--realm {spec}: {err} (searched the current directory "
                                  "and sys.path)") from err
        except Exception as err:  # the host's own code: no check without its realm
            raise RealmUsageError(f"--realm {spec}: importing {modname} raised "
                                  f"{type(err).__name__}: {err}") from err
    return _realm_from(spec, module, attr)


def _realm_from(spec: str, module: Any, attr: str) -> Realm:
    found: Any = module
    for part in attr.split("."):
        if not hasattr(found, part):
            raise RealmUsageError(f"--realm {spec}: {getattr(found, '__name__', found)!r} has "
                                  f"no attribute {part!r}")
        found = getattr(found, part)
    try:
        made = found if isinstance(found, Realm) or not callable(found) else found()
    except Exception as err:
        raise RealmUsageError(f"--realm {spec}: {attr}() raised {type(err).__name__}: "
                              f"{err}") from err
    if not isinstance(made, Realm):
        raise RealmUsageError(f"--realm {spec}: gave {type(made).__name__} {made!r:.60}, not "
                              "a wasmport.Realm; FACTORY() must return one")
    return made


@contextmanager
def _cwd_on_path() -> Iterator[None]:
    """The current directory on sys.path while the factory's module is imported (as
    uvicorn and gunicorn find an application), and only then: wasm imports never
    search it (docs/design.md, "The import protocol")."""
    cwd = os.getcwd()
    sys.path.insert(0, cwd)
    try:
        yield
    finally:
        if cwd in sys.path:
            sys.path.remove(cwd)


def read_import_map(path: str) -> dict[str, str]:
    """An import map from JSON: ``{name: specifier}``, or a browser's ``{"imports":
    {...}}``; ./relative specifiers become paths relative to the file's directory."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as err:
        raise RealmUsageError(f"--import-map {path}: cannot read it: {err}") from err
    if isinstance(data, dict) and isinstance(data.get("imports"), dict):
        if set(data) - {"imports"}:
            extra = ", ".join(sorted(set(data) - {"imports"}))
            raise RealmUsageError(f"--import-map {path}: only \"imports\" is supported, not "
                                  f"{extra} (scopes are a browser's)")
        data = data["imports"]
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise RealmUsageError(f"--import-map {path}: give an object of import module names "
                              "to specifiers (strings), such as {\"env\": \"./env.wasm\"}")
    base = os.path.dirname(os.path.abspath(path))
    return {name: _from(base, spec) for name, spec in data.items()}


def _from(base: str, specifier: str) -> str:
    if specifier.startswith(("./", "../")):
        return os.path.normpath(os.path.join(base, specifier))
    return specifier
