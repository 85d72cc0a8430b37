import importlib
import subprocess
import sys

import pytest

import wasmport
from wasmtest import write

ADD = '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))'


def test_install_is_idempotent_and_appends(isolated_imports):
    wasmport.install()
    wasmport.install()
    finders = [f for f in sys.meta_path if getattr(f, "__name__", "") == "WasmFinder"]
    assert len(finders) == 1
    assert sys.meta_path[-1] is finders[0]
    assert wasmport.is_installed()
    wasmport.uninstall()
    wasmport.uninstall()
    assert not wasmport.is_installed()


def test_import_wat_and_wasm(modpath):
    write(modpath, "textmod.wat", ADD)
    (modpath / "binmod.wasm").write_bytes(wasmport.compile(ADD)._asset.wasm)
    import binmod
    import textmod
    assert textmod.add(2, 3) == 5
    assert binmod.add(40, 2) == 42


def test_without_hook_nothing_is_found(isolated_imports, tmp_path):
    write(tmp_path, "nohook.wat", ADD)
    sys.path.insert(0, str(tmp_path))
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("nohook")


def test_python_files_and_packages_win(modpath):
    write(modpath, "both.wat", ADD)
    write(modpath, "both.py", "KIND = 'python'\n")
    write(modpath, "pkgwins/__init__.py", "KIND = 'package'\n")
    write(modpath, "pkgwins.wat", ADD)
    import both
    import pkgwins
    assert both.KIND == "python"
    assert pkgwins.KIND == "package"


def test_modules_in_packages(modpath):
    write(modpath, "pkg/__init__.py", "")
    write(modpath, "pkg/codec.wat", ADD)
    import pkg.codec
    from pkg import codec
    assert codec is pkg.codec
    assert codec.add(1, 1) == 2
    assert codec.__name__ == "pkg.codec"
    assert codec.__package__ == "pkg"


def test_import_system_attributes(modpath):
    path = write(modpath, "wasm_attrs.wat", ADD)
    import wasm_attrs  # a name no installed package has
    assert wasm_attrs.__name__ == "wasm_attrs"
    assert wasm_attrs.__file__ == str(path)
    assert wasm_attrs.__spec__.name == "wasm_attrs"
    assert wasm_attrs.__spec__.origin == str(path)
    assert wasm_attrs.__loader__ is wasm_attrs.__spec__.loader
    assert wasm_attrs.__loader__.get_filename("wasm_attrs") == str(path)


def test_wasm_preferred_over_wat(modpath):
    write(modpath, "dual.wat", '(module (global (export "which") i32 (i32.const 1)))')
    wasm = wasmport.compile('(module (global (export "which") i32 (i32.const 2)))')._asset.wasm
    (modpath / "dual.wasm").write_bytes(wasm)
    import dual
    assert dual.which == 2


def test_current_directory_is_never_searched(tmp_path):
    write(tmp_path, "cwdmod.wat", ADD)
    code = ("import sys; sys.path.insert(0, ''); import wasmport.auto\n"
            "try:\n    import cwdmod\nexcept ModuleNotFoundError:\n    print('not found')\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, check=False)
    assert out.stdout.strip() == "not found", out.stderr
    assert out.stderr == ""


def test_auto_installs_the_hook(isolated_imports):
    sys.modules.pop("wasmport.auto", None)
    wasmport.uninstall()
    importlib.import_module("wasmport.auto")
    assert wasmport.is_installed()


def test_importing_twice_gives_the_same_module(modpath):
    write(modpath, "twice.wat", ADD)
    first = importlib.import_module("twice")
    del sys.modules["twice"]
    assert importlib.import_module("twice") is first
