"""Damaged component bytes are a CompileError, never a crash (checked in a child process)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import FIXTURES

SCRIPT = """
import random, sys
import wasmtime
from wasmport._component import compile_component, instantiate
from wasmport._errors import WasmportError
engine = wasmtime.Engine()
paths = sys.argv[1:]
rng = random.Random(20261203)
compiled = refused = 0
for path in paths:
    data = open(path, "rb").read()
    for _ in range(60):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(8, len(damaged))] = rng.randrange(256)
        if rng.random() < 0.2:
            damaged = damaged[:rng.randrange(8, len(damaged))]
        try:
            code = compile_component(engine, bytes(damaged), "fuzz.wasm")
            _ = code.wit
            compiled += 1
        except WasmportError:
            refused += 1
print(compiled, refused)
"""


def test_damaged_components_never_crash() -> None:
    paths = [str(FIXTURES / name / f"{name}.wasm") for name in ("calc", "values", "resources")]
    done = subprocess.run([sys.executable, "-c", SCRIPT, *paths], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    compiled, refused = map(int, done.stdout.split())
    assert compiled + refused == 180 and refused > 0
