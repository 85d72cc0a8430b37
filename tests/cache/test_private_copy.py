"""A process running code from the cache survives its artifact being changed in place.

Each test starts a process that loads a module from a warm cache, then damages the
artifact in place (the writes that a careless ``cp`` or ``truncate`` make), then lets the
process call its code.  With the artifact mapped, this was SIGBUS, SIGSEGV or SIGTRAP.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wasmtest import write

# Enough functions that the code spans several pages, each one called after the damage.
FUNCS = 200
WAT_A = "(module " + " ".join(
    f'(func (export "f{i}") (param i32) (result i32) local.get 0 i32.const {i} i32.add)'
    for i in range(FUNCS)) + ")"
WAT_B = WAT_A.replace("i32.add", "i32.sub")

CHILD = textwrap.dedent("""
    import json, sys, wasmport
    from wasmport._compile import cachecopy
    if sys.argv[3] == "bytes":  # as where there is no memfd (macOS, Windows, a sandbox)
        cachecopy._memfd_usable = lambda: False
    mod = wasmport.load(sys.argv[1])
    asset = wasmport.instance_of(mod).module._asset
    print(json.dumps({"compiles": asset.compiles}), flush=True)
    sys.stdin.readline()
    print(json.dumps([getattr(mod, f"f{i}")(1000) for i in range(int(sys.argv[2]))]), flush=True)
""")


def _warm(path: Path, cache: Path) -> None:
    env = dict(os.environ, WASMPORT_CACHE_DIR=str(cache))
    subprocess.run([sys.executable, "-c", "import sys, wasmport; wasmport.load(sys.argv[1])",
                    str(path)], check=True, env=env, timeout=60)


def _artifact_of(cache: Path, before: set[Path]) -> Path:
    [artifact] = set((cache / "v1" / "code").glob("*.cwasm")) - before
    return artifact


def _damage(artifact: Path, how: str, other: bytes) -> None:
    size = artifact.stat().st_size
    with open(artifact, "r+b") as f:  # in place: the same inode the process read
        if how == "truncate":
            f.truncate(0)
        elif how == "zero-fill":
            f.write(bytes(size))
        else:
            f.write(other)
            f.truncate(len(other))


@pytest.mark.parametrize("copy", ["memfd", "bytes"])
@pytest.mark.parametrize("how", ["truncate", "zero-fill", "another-artifact"])
def test_changing_the_artifact_under_a_running_process_does_not_crash_it(tmp_path, how, copy):
    cache = tmp_path / "cache"
    a = write(tmp_path, "a.wat", WAT_A)
    b = write(tmp_path, "b.wat", WAT_B)
    _warm(b, cache)
    artifact_b = _artifact_of(cache, set())
    _warm(a, cache)
    artifact_a = _artifact_of(cache, {artifact_b})
    env = dict(os.environ, WASMPORT_CACHE_DIR=str(cache))
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(a), str(FUNCS), copy],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None and proc.stdin is not None
        assert json.loads(proc.stdout.readline()) == {"compiles": 0}  # loaded from the cache
        _damage(artifact_a, how, artifact_b.read_bytes())
        out, err = proc.communicate("go\n", timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, f"exit {proc.returncode}: {err}"
    assert json.loads(out) == [1000 + i for i in range(FUNCS)]
    assert err == ""


@pytest.mark.skipif(sys.platform != "linux", reason="memfd seals are Linux's")
def test_the_copy_is_sealed_against_everyone(tmp_path):
    from wasmport._compile.cachecopy import PrivateCopy

    source = tmp_path / "artifact"
    source.write_bytes(b"x" * 10_000)
    with open(source, "rb") as f:
        copy = PrivateCopy(f.fileno(), 10_000)
    try:
        assert copy._memfd is not None
        again = f"/proc/self/fd/{copy._memfd}"  # how another process of this user would
        with pytest.raises(PermissionError):
            with open(again, "r+b") as w:
                w.write(b"y")
        with pytest.raises(PermissionError):
            os.truncate(again, 0)
        source.write_bytes(b"z" * 10_000)  # the cache file changes: the copy does not
        with open(again, "rb") as r:
            assert r.read() == b"x" * 10_000
    finally:
        copy.close()
