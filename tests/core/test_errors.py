import importlib
import sys

import pytest

import wasmport
from wasmtest import write


def test_bad_bytes_are_compile_errors_in_both_phases(modpath):
    (modpath / "junk.wasm").write_bytes(b"\0asm\x01\0\0\0\xff\xff")
    (modpath / "notwasm.wasm").write_bytes(b"hello")
    with pytest.raises(wasmport.CompileError, match="junk.wasm: invalid module"):
        import junk  # noqa: F401
    with pytest.raises(wasmport.CompileError, match="junk.wasm"):
        wasmport.load("junk?source")
    with pytest.raises(wasmport.CompileError, match="not a WebAssembly binary"):
        import notwasm  # noqa: F401
    assert "junk" not in sys.modules and "notwasm" not in sys.modules


def test_bad_text_is_a_compile_error(modpath):
    write(modpath, "badtext.wat", "(module (func (export \"f\") i32.add")
    with pytest.raises(wasmport.CompileError) as info:
        import badtext  # noqa: F401
    assert info.value.path.endswith("badtext.wat")
    assert isinstance(info.value, ImportError)


def test_compile_error_is_an_import_error_for_fallbacks(modpath):
    (modpath / "fastcodec.wasm").write_bytes(b"\0asm\x01\0\0\0\x01")
    try:
        import fastcodec  # noqa: F401
        used = "wasm"
    except ImportError:
        used = "fallback"
    assert used == "fallback"


def test_a_component_binary_is_a_component_not_a_module(realm, tmp_path):
    import wasmtime
    comp = bytes(wasmtime.wat2wasm("(component)"))
    assert isinstance(wasmport.compile(comp, realm=realm), wasmport.Component)
    (tmp_path / "comp.wasm").write_bytes(comp)
    source = wasmport.load(str(tmp_path / "comp.wasm"), realm=realm, phase="source")
    assert isinstance(source, wasmport.Component) and source.exports == {}


def test_failed_import_leaves_nothing_and_can_be_fixed(modpath):
    path = write(modpath, "fixme.wat", '(module (import "nothere" "f" (func)))')
    with pytest.raises(wasmport.LinkError):
        import fixme  # noqa: F401
    assert "fixme" not in sys.modules
    path.write_text('(module (func (export "f") (result i32) i32.const 1))')
    fixme = importlib.import_module("fixme")
    assert fixme.f() == 1


def test_incompatible_func_type_message(realm):
    lib = wasmport.compile('(module (func (export "log") (param i32)))', realm=realm).instantiate()
    app = wasmport.compile('(module (import "env" "log" (func (param i32 i32))))', name="app",
                           realm=realm)
    with pytest.raises(wasmport.IncompatibleImportError) as info:
        app.instantiate({"env": lib})
    err = info.value
    assert str(err).startswith('<app>: import "env"."log": expected func (i32, i32) -> nil, '
                               'found func (i32) -> nil')
    assert (err.module, err.field, err.expected, err.found) == (
        "env", "log", "func (i32, i32) -> nil", "func (i32) -> nil")


@pytest.mark.parametrize(("wat_import", "value", "match"), [
    ("(global (mut i32))", 5, "mutable global needs a wasmport.Global"),
    ("(global i32)", "five", "give a number"),
    ("(func)", 5, "give a Python callable"),
    ("(memory 1)", {}, "give a wasmport.Memory"),
    ("(table 1 funcref)", 3, "give a wasmport.Table"),
])
def test_wrong_kinds(realm, wat_import, value, match):
    mod = wasmport.compile(f'(module (import "env" "x" {wat_import}))', realm=realm)
    with pytest.raises(wasmport.IncompatibleImportError, match=match):
        mod.instantiate({"env": {"x": value}})


def test_global_and_memory_types_are_checked(realm):
    g_imm = wasmport.Global(1, "i32", realm=realm)
    g_mut = wasmport.Global(1, "i32", mutable=True, realm=realm)
    mut = wasmport.compile('(module (import "env" "x" (global (mut i32))))', realm=realm)
    with pytest.raises(wasmport.IncompatibleImportError, match="found global i32"):
        mut.instantiate({"env": {"x": g_imm}})
    assert mut.instantiate({"env": {"x": g_mut}}) is not None
    small = wasmport.Memory(1, realm=realm)
    needs = wasmport.compile('(module (import "env" "m" (memory 2 4)))', realm=realm)
    with pytest.raises(wasmport.IncompatibleImportError, match="found memory 1;"):
        needs.instantiate({"env": {"m": small}})
    small.grow(1)
    with pytest.raises(wasmport.IncompatibleImportError, match="limits"):
        needs.instantiate({"env": {"m": small}})  # no maximum, import requires <= 4
    assert needs.instantiate({"env": {"m": wasmport.Memory(2, 3, realm=realm)}}) is not None


def test_values_do_not_cross_realms(realm):
    with wasmport.Realm() as other:
        mem = wasmport.Memory(1, realm=other)
        mod = wasmport.compile('(module (import "env" "m" (memory 1)))', realm=realm)
        with pytest.raises(wasmport.IncompatibleImportError, match="another realm"):
            mod.instantiate({"env": {"m": mem}})


def test_trap_carries_code_and_frames(realm):
    mod = wasmport.compile('(module (func $inner unreachable) (func (export "outer") call $inner))',
                           realm=realm).instantiate()
    with pytest.raises(wasmport.Trap) as info:
        mod.outer()
    trap = info.value
    assert "unreachable" in str(trap)
    assert trap.code is not None and trap.code.name == "UNREACHABLE"
    assert len(trap.frames) == 2
    assert isinstance(trap, RuntimeError)


def test_trap_in_start_is_a_trap(realm):
    mod = wasmport.compile('(module (func $s unreachable) (start $s))', name="starter", realm=realm)
    with pytest.raises(wasmport.Trap, match="instantiation"):
        mod.instantiate()


class Unlucky(Exception):
    pass


def test_host_exception_comes_back_as_itself(realm):
    raised = Unlucky("13")

    def host(x):
        if x == 13:
            raise raised
        return x

    mod = wasmport.compile('(module (import "env" "f" (func $f (param i32) (result i32)))'
                           ' (func (export "run") (param i32) (result i32) local.get 0 call $f))',
                           realm=realm).instantiate({"env": {"f": host}})
    with pytest.raises(Unlucky) as info:
        mod.run(13)
    assert info.value is raised
    assert mod.run(4) == 4  # the instance still works


def test_nested_host_exceptions(realm):
    inner_mod = {}

    def outer_host(x):
        return inner_mod["m"].run(x) + 1  # wasm -> python -> wasm -> python

    def inner_host(x):
        raise KeyError(x)

    src = ('(module (import "env" "f" (func $f (param i32) (result i32)))'
           ' (func (export "run") (param i32) (result i32) local.get 0 call $f))')
    inner_mod["m"] = wasmport.compile(src, realm=realm).instantiate({"env": {"f": inner_host}})
    outer = wasmport.compile(src, realm=realm).instantiate({"env": {"f": outer_host}})
    with pytest.raises(KeyError) as info:
        outer.run(5)
    assert info.value.args == (5,)


@pytest.mark.parametrize(("result", "error"), [(2**32, OverflowError), ("x", TypeError),
                                               ((1, 2), TypeError)])
def test_host_results_are_checked(realm, result, error):
    mod = wasmport.compile('(module (import "env" "f" (func $f (result i32)))'
                           ' (func (export "run") (result i32) call $f))',
                           realm=realm).instantiate({"env": {"f": lambda: result}})
    with pytest.raises(error):
        mod.run()


def test_host_void_returning_value_is_an_error(realm):
    mod = wasmport.compile('(module (import "env" "f" (func $f)) (func (export "run") call $f))',
                           realm=realm).instantiate({"env": {"f": lambda: 1}})
    with pytest.raises(TypeError, match="has no results"):
        mod.run()


def test_shared_memories_name_the_feature_they_need(realm):
    mod = wasmport.compile('(module (memory (export "m") 1 2 shared))', name="threads",
                           realm=realm)
    with pytest.raises(wasmport.LinkError, match=r"Realm\(features=\{'threads'\}\)"):
        mod.instantiate()
    with wasmport.Realm(features={"threads"}) as threads:
        memory = wasmport.compile('(module (memory (export "m") 1 2 shared))',
                                  realm=threads).instantiate().m
        assert memory.shared and memory.type == "memory 1..2 shared"
