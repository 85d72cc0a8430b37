"""What each way of loading a cached artifact costs, each in a new process (the figures of
docs/cache.md).

    python bench/cache_copy_options.py [--quick]

The artifact is the 5 MB module of goal 3 (1 MB with --quick), compiled once into a
temporary cache.  Only the load is timed (the page cache is warm, as on a warm import):

    mapped      Module.deserialize_file(cache file): the engine maps the file itself
                (unsafe: a write to the file changes the code of running processes)
    bytes       read the file, Module.deserialize(bytes): wasmtime-py copies the bytes into
                a ctypes array, and the engine copies them again into its own mapping
    readinto    read into a ctypes buffer, wasmtime_module_deserialize (one copy fewer)
    tmpfile     copy into an unlinked O_TMPFILE beside the artifact, deserialize_file that
    memfd       copy into a memfd, seal it, deserialize_file it (what wasmport does)
"""

from __future__ import annotations

import argparse
import glob
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import big_module, python  # noqa: E402

CHILD = r"""
import ctypes, fcntl, os, sys, time
import wasmtime
from wasmtime import _ffi as ffi
from wasmport._engine.config import get_engine
engine = get_engine()
path, how = sys.argv[1], sys.argv[2]

def copy(out, fd, size):
    offset = 0
    while offset < size:
        offset += os.sendfile(out, fd, offset, size - offset)

def load():
    if how == "mapped":
        return wasmtime.Module.deserialize_file(engine, path)
    if how == "bytes":
        with open(path, "rb") as f:
            return wasmtime.Module.deserialize(engine, f.read())
    fd = os.open(path, os.O_RDONLY)
    size = os.fstat(fd).st_size
    if how == "readinto":
        buf = (ctypes.c_uint8 * size)()
        os.preadv(fd, [buf], 0)
        out = ctypes.POINTER(ffi.wasmtime_module_t)()
        assert not ffi.wasmtime_module_deserialize(engine.ptr(), buf, size, ctypes.byref(out))
        return wasmtime.Module._from_ptr(out)
    if how == "tmpfile":
        private = os.open(os.path.dirname(path), os.O_TMPFILE | os.O_RDWR, 0o600)
    else:
        private = os.memfd_create("artifact", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    copy(private, fd, size)
    if how == "memfd":
        fcntl.fcntl(private, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK
                    | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE)
    return wasmtime.Module.deserialize_file(engine, f"/proc/self/fd/{private}")

start = time.perf_counter()
load()
print(time.perf_counter() - start)
"""
OPTIONS = ("mapped", "bytes", "readinto", "tmpfile", "memfd")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    module = str(big_module(1 if quick else 5))
    runs = 3 if quick else 9
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, WASMPORT_CACHE_DIR=cache)
        subprocess.run([python(), "-c", "import sys, wasmport; wasmport.load(sys.argv[1])",
                        module], check=True, env=env)
        [artifact] = glob.glob(os.path.join(cache, "v1", "code", "*.cwasm"))
        times: dict[str, list[float]] = {how: [] for how in OPTIONS}
        for _ in range(runs):  # interleaved, so that load on the machine spreads evenly
            for how in OPTIONS:
                out = subprocess.run([python(), "-c", CHILD, artifact, how], check=True,
                                     capture_output=True, text=True, env=env)
                times[how].append(float(out.stdout))
        size = os.path.getsize(artifact) / 1e6
    print(f"artifact of a {os.path.getsize(module) / 1e6:.1f} MB module: {size:.1f} MB; "
          f"median of {runs} new processes")
    for how in OPTIONS:
        print(f"  {how:9} {statistics.median(times[how]) * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
