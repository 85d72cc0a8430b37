"""Wheels of this checkout, built for real (pip and the project's own build backend) from a
copy of the sources, and a child interpreter that imports the unpacked wheel first."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_wheel(tmp_path: Path, env: dict[str, str]) -> tuple[list[str], str]:
    """Build a wheel with `env` added to the environment and unpack it: (its file names,
    the folder it was unpacked into)."""
    source = tmp_path / "source"  # pip builds in the tree: not in the checkout
    shutil.copytree(ROOT / "src", source / "src",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                            str(source), "-w", str(tmp_path)], env={**os.environ, **env},
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("wasmport-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path / "site")
        return archive.namelist(), str(tmp_path / "site")


def run_from(site: str, code: str, *args: str) -> list[str]:
    """Run `code` (argv[1] is `site`, then `args`) with the unpacked wheel ahead of the
    development install; the lines it printed."""
    done = subprocess.run([sys.executable, "-c", "import sys\n" + code, site, *args],
                          env={**os.environ, "PYTHONPATH": site}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()
