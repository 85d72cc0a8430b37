"""Helpers for the cache tests: a probe in a new process, and a fresh load in this one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import wasmport
from wasmport._compile import assets as _assets
from wasmport._compile import codecache as _codecache
from wasmport._compile.cacherecords import unsealed, write_json

PROBE = textwrap.dedent("""
    import json, sys, wasmport
    mod = wasmport.load(sys.argv[1])
    asset = wasmport.instance_of(mod).module._asset
    print(json.dumps({"f": mod.f(), "compiles": asset.compiles,
                      "read_source": asset._wasm is not None}))
""")


def probe(path: Path, cache: Path, **env: str) -> tuple[dict[str, int], str]:
    """Load ``path`` in a new process: its ``f()``, compile count and whether it read the
    source; and its stderr."""
    full = dict(os.environ, WASMPORT_CACHE_DIR=str(cache), **env)
    out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True,
                         text=True, env=full, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), out.stderr


def fresh_load(path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
               ) -> tuple[int, int, list[str]]:
    """Load ``path`` here as a new process would (no asset or cache verdict in memory): its
    ``f()``, its compile count and the warnings."""
    monkeypatch.setenv("WASMPORT_CACHE_DIR", str(cache))
    monkeypatch.setattr(_codecache, "_caches", {})
    monkeypatch.setattr(_assets, "_cache", {})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with wasmport.Realm() as realm:
            mod = wasmport.load(str(path), realm=realm)
            result = mod.f()
            compiles = wasmport.instance_of(mod).module._asset.compiles
    return result, compiles, [f"{w.category.__name__}: {w.message}" for w in caught]


def entry_of(cache: Path, before: Iterable[Path] = ()) -> tuple[Path, Path]:
    """The one artifact (not in ``before``) and its record."""
    [artifact] = set((cache / "v1" / "code").glob("*.cwasm")) - set(before)
    return artifact, artifact.with_suffix(".json")


def read_record(path: Path) -> dict[str, Any]:
    """A record's fields (its checksum must match)."""
    value = unsealed(json.loads(path.read_bytes()))
    assert value is not None, f"{path}: checksum does not match"
    return value


def forge_record(path: Path, value: dict[str, Any]) -> None:
    """Write a record as wasmport would (with a matching checksum): a forgery or a racy
    write that only the stat and content checks can catch."""
    assert write_json(str(path), value) is not None
