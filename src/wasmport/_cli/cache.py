"""``wasmport cache info|clear|warm|prune``: look after the compiled-code cache."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterator
from typing import Any

from .._compile import codecache as _codecache
from .._compile.assets import asset_for_file
from .._compile.progress import human_size
from .._engine.config import EngineConfig

_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4,
          "kb": 1000, "mb": 1000**2, "gb": 1000**3, "tb": 1000**4,
          "kib": 1024, "mib": 1024**2, "gib": 1024**3, "tib": 1024**4}
_SUFFIXES = (".wasm", ".wat")


def parse_size(text: str) -> int:
    """``500M``, ``2G``, ``1.5GiB``, ``100MB`` or plain bytes: K/M/G and KiB/MiB/GiB are
    powers of 1024 (as du and docker), KB/MB/GB powers of 1000."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*", text)
    unit = _UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size; give bytes or a number with K, M, G or T (e.g. 500M)")
    return int(float(match.group(1)) * unit)


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "cache", help="show, fill, prune or clear the compiled-code cache",
        description="The compiled-code cache keeps the engine's machine code for each "
        "module, so a module compiles once per content, wasmtime version and engine "
        "configuration. WASMPORT_CACHE_DIR moves it; WASMPORT_CACHE=0 turns it off.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("info", help="where the cache is, how many entries, how big")
    actions.add_parser("clear", help="remove every cached entry")
    warm = actions.add_parser(
        "warm", help="compile modules into the cache now (for container images and CI)",
        description="Compile each .wasm/.wat file (directories: every one below them) into "
        "the cache, so that the first import does not compile. Exits 1 if any fails.")
    warm.add_argument("files", nargs="+", metavar="FILE", help="a .wasm/.wat file or a folder")
    warm.add_argument("--fuel", action="store_true",
                      help="compile for realms with Limits(fuel=...) instead")
    warm.add_argument("--timeout", action="store_true",
                      help="compile for realms with Limits(timeout=...) instead")
    prune = actions.add_parser(
        "prune", help="remove the least recently used entries until the cache fits",
        description="Remove entries, least recently used first, until the cache holds at "
        "most SIZE; also leftovers (records without code, source records of removed files).")
    prune.add_argument("--max-size", required=True, type=parse_size, metavar="SIZE",
                       help="e.g. 500M, 2G (powers of 1024), 1GB (of 1000) or bytes")
    p.set_defaults(handler=run_cache)


def run_cache(args: argparse.Namespace) -> int:
    cache = _codecache.CodeCache(_codecache.default_directory())
    if args.action == "clear":
        print(f"removed {cache.clear()} files from {cache.directory}")
        return 0
    if args.action == "warm":
        return _warm(args)
    if args.action == "prune":
        return _prune(cache, args.max_size)
    return _info(cache)


def _info(cache: _codecache.CodeCache) -> int:
    info = cache.info()
    state = "on" if info["enabled"] else "off (WASMPORT_CACHE=0)"
    print(f"directory: {info['directory']}")
    print(f"cache: {state}")
    if info["refused"]:
        print(f"refused: {info['refused']}")
    print(f"entries: {info['entries']} ({info['bytes'] / 1e6:.1f} MB)")
    print(f"wasmtime: {info['wasmtime']}")
    return 0


def _prune(cache: _codecache.CodeCache, max_bytes: int) -> int:
    done = cache.prune(max_bytes)
    print(f"removed {done.removed} entries ({done.removed_bytes / 1e6:.1f} MB); "
          f"{done.kept} left ({done.kept_bytes / 1e6:.1f} MB) in {cache.directory}")
    return 0


def _warm(args: argparse.Namespace) -> int:
    cache = _codecache.current()
    if cache is None:
        raise RuntimeError("the compiled-code cache is off (WASMPORT_CACHE=0); "
                           "unset WASMPORT_CACHE to warm it")
    if not cache.usable():
        raise RuntimeError(f"the compiled-code cache cannot be used: {cache.refused}")
    config = EngineConfig(consume_fuel=args.fuel, epoch_interruption=args.timeout)
    failed = 0
    for path in _module_files(args.files):
        try:
            print(f"{path}: {_warm_one(cache, path, config)}", flush=True)
        except Exception as err:  # each file on its own line; the others still warm
            text = " ".join(str(err).split()) or type(err).__name__
            print(f"wasmport: error: {text}", file=sys.stderr, flush=True)
            failed += 1
    return 1 if failed else 0


def _warm_one(cache: _codecache.CodeCache, path: str, config: EngineConfig) -> str:
    asset = asset_for_file(path)
    start, before = time.perf_counter(), asset.compiles
    asset.compiled(config)
    if asset.compiles == before:
        return "already cached"
    if not cache.has_code(config.key(), asset.digest):
        raise OSError(f"{path}: compiled, but the cache at {cache.directory} could not be "
                      "written (is the disk full?)")
    return f"compiled ({human_size(len(asset.wasm))}) in {time.perf_counter() - start:.1f} s"


def _module_files(names: list[str]) -> Iterator[str]:
    for name in names:
        if not os.path.isdir(name):
            yield name
            continue
        for folder, dirs, files in os.walk(name):
            dirs.sort()
            yield from (os.path.join(folder, f) for f in sorted(files) if f.endswith(_SUFFIXES))
