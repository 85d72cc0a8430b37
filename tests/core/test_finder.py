"""The finder: cached directory listings (as FileFinder), and modules inside zip archives
(a zipapp, a zipped package) through the same string paths zipimport uses."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import wasmport
from wasmport._importer.finder import WasmFinder
from wasmport._resolve import locations

SQUARE = ('(module (func (export "square") (param i32) (result i32)'
          ' local.get 0 local.get 0 i32.mul))')
SRC = Path(__file__).resolve().parents[2] / "src"


def count_calls(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    calls: list[str] = []
    real = getattr(os, name)
    monkeypatch.setattr(os, name, lambda path, *a, **k: calls.append(str(path)) or real(
        path, *a, **k))
    return calls


def test_a_failed_lookup_lists_each_directory_once(modpath: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [e for e in sys.path if e]
    WasmFinder.find_spec("no_such_module_a")  # lists every directory once
    listed, stats = count_calls(monkeypatch, "listdir"), count_calls(monkeypatch, "stat")
    for name in ("no_such_module_b", "no_such_module_c"):
        assert WasmFinder.find_spec(name) is None
    assert listed == []  # nothing changed: the cached listings answer
    assert len(stats) <= 2 * len(entries)  # one stat per entry and lookup, as FileFinder


def test_a_new_file_is_found_and_invalidate_caches_forgets(modpath: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    assert WasmFinder.find_spec("late") is None
    (modpath / "late.wat").write_text(SQUARE)  # the directory's mtime changes
    assert WasmFinder.find_spec("late") is not None
    listed = count_calls(monkeypatch, "listdir")
    importlib.invalidate_caches()  # reaches WasmFinder.invalidate_caches
    assert WasmFinder.find_spec("late") is not None
    assert str(modpath) in listed


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


def test_a_zipapp_imports_its_wasm(tmp_path: Path) -> None:
    main = textwrap.dedent("""
        import wasmport.auto
        import mathlib, helpers
        print(mathlib.square(7), helpers.twice(4), mathlib.__file__.endswith("app.pyz/mathlib.wat"))
    """)
    helpers = ('(module (import "./mathlib.wat" "square" (func $sq (param i32) (result i32)))'
               ' (func (export "twice") (param i32) (result i32)'
               ' (i32.add (call $sq (local.get 0)) (call $sq (local.get 0)))))')
    app = _zip(tmp_path / "app.pyz", {"__main__.py": main, "mathlib.wat": SQUARE,
                                      "helpers.wat": helpers})
    env = dict(os.environ, PYTHONPATH=str(SRC))
    out = subprocess.run([sys.executable, str(app)], capture_output=True, text=True, env=env,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["49", "32", "True"]


def test_a_zipped_package_imports_in_both_phases(tmp_path: Path, isolated_imports: None) -> None:
    archive = _zip(tmp_path / "lib.zip", {"pkg/__init__.py": "", "pkg/codec.wat": SQUARE})
    sys.path.insert(0, str(archive))
    wasmport.install()
    from pkg import codec  # type: ignore[import-not-found]
    from wasmport.source.pkg import codec as Codec  # type: ignore[import-not-found]

    assert codec.square(9) == 81
    assert isinstance(Codec, wasmport.Module) and wasmport.instance_of(codec).module is Codec
    assert wasmport.load("pkg.codec") is codec


def test_a_changed_archive_is_read_again(tmp_path: Path, isolated_imports: None) -> None:
    archive = _zip(tmp_path / "lib.zip", {"m.wat": SQUARE})
    path = str(archive / "m.wat")
    first = wasmport.load(path, phase="source")
    _zip(archive, {"m.wat": SQUARE.replace("i32.mul", "i32.add")})
    os.utime(archive, ns=(1, os.stat(archive).st_mtime_ns + 10**9))
    with wasmport.Realm() as realm:
        changed = realm.load(path)
        assert changed.square(5) == 10
    assert first.instantiate().square(5) == 25
    assert locations.is_file(path) and not locations.is_file(str(archive / "missing.wat"))
