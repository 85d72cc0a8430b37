"""examples/host_module runs with the installed package and prints what it claims."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "host_module" / "run.py"


def test_the_example_runs(tmp_path):
    out = subprocess.run([sys.executable, str(EXAMPLE)], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    lines = out.stdout.splitlines()
    assert lines[0] == "store() -> 0"
    assert "load(64) -> 15 b'hello from wasm'" in lines
    assert "stat()   -> 0 (15, 1)" in lines
    assert "bad()    -> MemoryAccessError (offset=65530, length=100, size=65536)" in lines
    assert lines[-1] == "a second instance has its own store: {}"
