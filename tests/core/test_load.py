import asyncio
import os

import pytest

import wasmport
from wasmtest import write

ADD = '(module (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))'


def test_load_by_name_and_path_give_one_object(modpath):
    path = write(modpath, "same.wat", ADD)
    import same
    assert wasmport.load("same") is same
    assert wasmport.load(str(path)) is same
    assert wasmport.load(str(path) + "?instance") is same


def test_relative_paths_are_relative_to_the_calling_file(isolated_imports, tmp_path):
    write(tmp_path, "lib/rel.wat", ADD)
    write(tmp_path, "app/caller.py",
          "import wasmport\n"
          "def here(): return wasmport.load('./../lib/rel.wat')\n"
          "def up(): return wasmport.load('../lib/rel.wat')\n"
          "def src(): return wasmport.load('../lib/rel.wat?module')\n")
    import importlib.util
    spec = importlib.util.spec_from_file_location("caller", tmp_path / "app" / "caller.py")
    caller = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(caller)
    cwd = os.getcwd()
    os.chdir("/")
    try:
        assert caller.here().add(1, 2) == 3
        assert caller.up() is caller.here()
        assert isinstance(caller.src(), wasmport.Module)
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("suffix", ["?module", "?source"])
def test_source_suffixes(modpath, suffix):
    write(modpath, "suf.wat", ADD)
    assert isinstance(wasmport.load("suf" + suffix), wasmport.Module)


def test_conflicting_phase_is_an_error(modpath):
    write(modpath, "conf.wat", ADD)
    with pytest.raises(ValueError, match="source phase"):
        wasmport.load("conf?source", phase="instance")
    with pytest.raises(ValueError, match="phase must be"):
        wasmport.load("conf", phase="evaluation")  # type: ignore[arg-type]


def test_missing_module_is_module_not_found(modpath):
    with pytest.raises(ModuleNotFoundError, match="no WebAssembly module named 'nope'"):
        wasmport.load("nope")
    with pytest.raises(ModuleNotFoundError, match="no such file"):
        wasmport.load("./nope.wasm")


def test_load_async(modpath):
    write(modpath, "asy.wat", ADD)

    async def main():
        inst = await wasmport.load_async("asy")
        src = await wasmport.load_async("asy?source")
        return inst, src

    inst, src = asyncio.run(main())
    assert inst.add(2, 2) == 4
    assert wasmport.instance_of(inst).module is src

    async def fresh():
        return await wasmport.load_async("asy", imports={})

    other = asyncio.run(fresh())
    assert other is not inst and other.add(1, 1) == 2


def test_load_in_a_realm_is_separate_from_the_default(modpath):
    write(modpath, "sep.wat", '(module (global (export "g") (mut i32) (i32.const 0))'
          ' (func (export "set") (param i32) local.get 0 global.set 0))')
    import sep
    with wasmport.Realm() as r:
        other = wasmport.load("sep", realm=r)
        assert other is not sep
        other.set(5)
        assert (other.g, sep.g) == (5, 0)
        assert wasmport.load("sep", realm=r) is other


def test_load_with_imports_makes_a_new_instance_each_time(modpath):
    write(modpath, "needy.wat", '(module (import "env" "k" (func $k (result i32)))'
          ' (func (export "run") (result i32) call $k))')
    one = wasmport.load("needy", imports={"env": {"k": lambda: 1}})
    two = wasmport.load("needy", imports={"env": {"k": lambda: 2}})
    assert (one.run(), two.run()) == (1, 2)
    assert wasmport.instance_of(one).module is wasmport.load("needy?source")
    with pytest.raises(ValueError, match="source phase takes none"):
        wasmport.load("needy", phase="source", imports={})
    with pytest.raises(ValueError, match="source phase takes none"):
        wasmport.load("needy?module", imports={})


def test_load_with_a_typed_host_module(modpath):
    from wasmport.types import Int32

    class Env(wasmport.HostModule, name="env"):
        def __init__(self) -> None:
            self.calls = 0

        @wasmport.export
        def k(self) -> Int32:
            self.calls += 1
            return 40 + self.calls

    write(modpath, "typed.wat", '(module (import "env" "k" (func $k (result i32)))'
          ' (func (export "run") (result i32) call $k))')
    a = wasmport.load("typed", imports={"env": Env})
    b = wasmport.load("typed", imports={"env": Env})
    assert (a.run(), a.run(), b.run()) == (41, 42, 41)  # one host object per instance
