"""``wasmport cache info|clear``: look at or empty the compiled-code cache."""

from __future__ import annotations

import argparse
from typing import Any

from .._compile import codecache as _codecache


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "cache", help="show or clear the compiled-code cache",
        description="The compiled-code cache keeps the engine's machine code for each "
        "module, so a module compiles once per content, wasmtime version and engine "
        "configuration. WASMPORT_CACHE_DIR moves it; WASMPORT_CACHE=0 turns it off.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("info", help="where the cache is, how many entries, how big")
    actions.add_parser("clear", help="remove every cached entry")
    p.set_defaults(handler=run_cache)


def run_cache(args: argparse.Namespace) -> int:
    cache = _codecache.CodeCache(_codecache.default_directory())
    if args.action == "clear":
        print(f"removed {cache.clear()} files from {cache.directory}")
        return 0
    info = cache.info()
    state = "on" if info["enabled"] else "off (WASMPORT_CACHE=0)"
    print(f"directory: {info['directory']}")
    print(f"cache: {state}")
    if info["refused"]:
        print(f"refused: {info['refused']}")
    print(f"entries: {info['entries']} ({info['bytes'] / 1e6:.1f} MB)")
    print(f"wasmtime: {info['wasmtime']}")
    return 0
