"""Without a C compiler the package still builds, installs and runs, on the ctypes layer.

The wheel is built for real (pip, the project's own build backend) from a copy of the
sources with ``CC=false``, so the optional extension fails to compile; the unpacked wheel
is then imported in a child process ahead of the development install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

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
    source = tmp_path / "source"  # pip builds in the tree: not in the checkout
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    env = {**os.environ, "CC": "false"}
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            str(source), "-w", str(tmp_path)], env=env, capture_output=True,
                           text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("wasmport-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        assert not [n for n in names if n.endswith((".so", ".pyd"))]
        archive.extractall(tmp_path / "site")
    site = str(tmp_path / "site")
    done = subprocess.run([sys.executable, "-c", "import sys\n" + CHILD, site],
                          env={**os.environ, "PYTHONPATH": site}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    first, reason, result, overflow = done.stdout.splitlines()
    assert first == "True ctypes"
    assert "the C extension wasmport._engine._ext is not built" in reason
    assert (result, overflow) == ("5", "OverflowError")
