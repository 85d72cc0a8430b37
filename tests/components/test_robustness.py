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


EXIT_SCRIPT = """
import wasmtime
from wasmport._component import compile_component, instantiate
engine = wasmtime.Engine()
def load(name):
    return compile_component(engine, open(f"{FIXTURES}/{name}/{name}.wasm", "rb").read(), name)
class Blob:
    def __init__(self, data): self.data = data
    def size(self): return len(self.data)
    def append(self, more): pass
    @staticmethod
    def concat(a, b): return Blob(a.data + b.data)
class Host:
    Blob = Blob
    log = staticmethod(print)
    add = staticmethod(lambda a, b: a + b)
    offset = staticmethod(lambda p: p)
res = instantiate(wasmtime.Store(engine), load("resources"), {"test:res/host": Host})
kept = [res.exports.api.Counter(1), res.exports.api.make_blob(3), res.exports.api.Counter(2)]
calc = instantiate(wasmtime.Store(engine), load("calc"), {"test:calc/host": Host,
                                                          "tick": lambda: 1})
print(calc.exports.api.call_add(1, 2), res.exports.api.blob_size(kept[1]))
"""


def test_exit_with_live_instances_is_quiet() -> None:
    script = f"FIXTURES = {str(FIXTURES)!r}\n" + EXIT_SCRIPT
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.split() == ["3", "3"]
    assert done.stderr == ""
