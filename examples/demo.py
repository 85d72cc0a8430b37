"""wasmport in one screen: import wasm like Python, link modules, call back into Python."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import wasmport.auto  # noqa: E402,F401  (installs the import hook)

import wasmport  # noqa: E402

import mathlib  # noqa: E402  mathlib.wat, compiled and instantiated on import
import app  # noqa: E402  app.wat: links mathlib (wasm->wasm) and console.py (wasm->Python)

print("mathlib:", mathlib, "exports", sorted(mathlib.__all__))
print("square(12) =", mathlib.square(12))
print("app.sum_of_squares(4):")
print("  result:", app.sum_of_squares(4))
print("mathlib.calls (a live mutable global, bumped by app's calls):", mathlib.calls)

from wasmport.source import mathlib as MathLib  # noqa: E402  the source phase: compiled, unlinked

fresh = MathLib.instantiate()
print("a fresh instance has its own globals:", fresh.calls, "vs", mathlib.calls)
print("MathLib.exports:", [f"{e.name}: {e.type}" for e in MathLib.exports])

try:
    mathlib.square(2**32)
except OverflowError as err:
    print("range-checked:", err)
