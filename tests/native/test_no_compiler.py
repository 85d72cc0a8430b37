"""Without a C compiler the package still builds, installs and runs, on the ctypes layer.

The wheel is built for real from a copy of the sources with ``CC=false``, so the optional
extension fails to compile; the unpacked wheel is then imported in a child process ahead
of the development install (wheels.py).
"""

from __future__ import annotations

from pathlib import Path

from .wheels import build_wheel, run_from

CHILD = """
import wasmport
info = wasmport.__debug_info__()
print(wasmport.__file__.startswith(sys.argv[1]), info["call layer"])
print(info["layers off"]["native"])
m = wasmport.compile('(module (func (export "add") (param i32 i32) (result i32)'
                     ' local.get 0 local.get 1 i32.add))').instantiate()
print(m.add(2, 3))
try:
    m.add(2**32, 0)
except OverflowError:
    print("OverflowError")
"""


def test_a_wheel_built_without_a_compiler_runs_on_ctypes(tmp_path: Path) -> None:
    names, site = build_wheel(tmp_path, {"CC": "false"})
    assert not [n for n in names if n.endswith((".so", ".pyd"))]
    first, reason, result, overflow = run_from(site, CHILD)
    assert first == "True ctypes"
    assert "the C extension wasmport._engine._ext is not built" in reason
    assert (result, overflow) == ("5", "OverflowError")
