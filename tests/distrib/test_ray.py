"""Ray with a plain wrapper, on a real single-machine cluster of two worker processes.

The driver runs in a process of its own (ray_driver.py says why).  Ray's ``local_mode``,
which ran tasks in the driver, is gone from Ray 2.60 ("no longer supported"); Ray has
no wheels for every Python wasmport supports, hence the skip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="Ray has no wheel for this Python (see pyproject.toml)")


def test_ray_tasks_call_wasm_with_plain_objects() -> None:
    driver = Path(__file__).with_name("ray_driver.py")
    tests = str(Path(__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([tests, *sys.path])}
    done = subprocess.run([sys.executable, str(driver)], capture_output=True, text=True,
                          timeout=180, check=False, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["squares"] == [x * x for x in range(20)]
    assert result["applied"] == [[x * x, x * x] for x in range(6)]
    assert result["driver"] not in result["pids"]  # the calls ran in worker processes
    assert "wasm `unreachable` instruction executed" in result["trap"]
