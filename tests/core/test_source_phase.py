import importlib
import sys

import pytest

import wasmport
from wasmtest import write

COUNTER = """(module
  (import "env" "tick" (func $tick))
  (global $n (export "n") (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (func (export "bump") (result i32) global.get $n i32.const 1 i32.add global.set $n global.get $n)
  (func $start call $tick)
  (start $start))"""

PLAIN = '(module (global $n (export "n") (mut i32) (i32.const 0)) (memory (export "memory") 1)' \
        ' (func (export "bump") (result i32) global.get $n i32.const 1 i32.add global.set $n' \
        ' global.get $n))'


def test_from_wasmport_source_import_without_hook(isolated_imports, tmp_path):
    write(tmp_path, "srcmod.wat", COUNTER)
    sys.path.insert(0, str(tmp_path))
    assert not wasmport.is_installed()
    from wasmport.source import srcmod  # type: ignore[attr-defined]
    assert isinstance(srcmod, wasmport.Module)
    assert srcmod.name == "srcmod"
    assert srcmod.path == str(tmp_path / "srcmod.wat")


def test_source_phase_resolves_nothing_and_runs_nothing(isolated_imports, tmp_path):
    write(tmp_path, "nostart.wat", COUNTER)  # "env" does not exist: linking would fail
    sys.path.insert(0, str(tmp_path))
    Module = wasmport.load("nostart", phase="source")
    ticks = []
    inst = Module.instantiate({"env": {"tick": lambda: ticks.append(1)}})
    assert ticks == [1]
    assert inst.bump() == 1


def test_dotted_source_import(isolated_imports, tmp_path):
    write(tmp_path, "spkg/__init__.py", "")
    write(tmp_path, "spkg/codec.wat", PLAIN)
    sys.path.insert(0, str(tmp_path))
    import wasmport.source.spkg.codec as Codec  # type: ignore[import-not-found]
    from wasmport.source.spkg import codec  # type: ignore[import-not-found]
    assert Codec is codec
    assert isinstance(Codec, wasmport.Module)
    assert Codec is wasmport.load("spkg.codec?source")


def test_descriptors(realm):
    mod = wasmport.compile(COUNTER, name="counter", realm=realm)
    assert [(i.module, i.name, i.kind, i.type) for i in mod.imports] == [
        ("env", "tick", "func", "func () -> nil")]
    assert [(e.name, e.kind, e.type) for e in mod.exports] == [
        ("n", "global", "global mut i32"), ("memory", "memory", "memory 1"),
        ("bump", "func", "func () -> i32")]


def test_instances_are_independent(realm):
    mod = wasmport.compile(PLAIN, realm=realm)
    a, b = mod.instantiate(), mod.instantiate()
    assert a is not b
    a.bump()
    a.bump()
    a.memory.write(0, b"a")
    assert (a.n, b.n) == (2, 0)
    assert b.memory.read(0, 1) == b"\0"
    assert wasmport.instance_of(a).module is wasmport.instance_of(b).module is mod


def test_source_identity_before_and_after_instance(modpath):
    write(modpath, "ident.wat", PLAIN)
    before = wasmport.load("ident?source")
    inst = importlib.import_module("ident")
    from wasmport.source import ident  # type: ignore[attr-defined]
    assert before is ident is wasmport.load("ident", phase="source")
    assert wasmport.instance_of(inst).module is before
    assert before.instantiate() is not inst


def test_asset_compiled_once_for_both_phases(modpath, monkeypatch):
    monkeypatch.setenv("WASMPORT_CACHE", "0")
    write(modpath, "once.wat", PLAIN)
    mod = importlib.import_module("once")
    src = wasmport.load("once?source")
    assert src._asset.compile_count() == 1
    assert wasmport.instance_of(mod).module._asset is src._asset


def test_missing_source_module(isolated_imports):
    with pytest.raises(ImportError):
        from wasmport.source import no_such_module_anywhere  # type: ignore[attr-defined] # noqa: F401
