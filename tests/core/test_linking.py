import importlib
import sys

import pytest

import wasmport
from wasmtest import write

LIB = """(module
  (memory (export "mem") 1)
  (global (export "shared") (mut i32) (i32.const 7))
  (func (export "double") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
  (func (export "peek") (param i32) (result i32) local.get 0 i32.load8_u))"""

USER = """(module
  (import "{m}" "double" (func $double (param i32) (result i32)))
  (import "{m}" "mem" (memory 1))
  (import "{m}" "shared" (global $g (mut i32)))
  (func (export "quad") (param i32) (result i32) local.get 0 call $double call $double)
  (func (export "poke") (param i32 i32) local.get 0 local.get 1 i32.store8)
  (func (export "setg") (param i32) local.get 0 global.set $g))"""


def test_wasm_to_wasm_by_module_name_shares_memory_and_globals(modpath):
    write(modpath, "lib.wat", LIB)
    write(modpath, "user.wat", USER.format(m="lib"))
    import lib
    import user
    assert user.quad(3) == 12
    user.poke(10, 99)
    assert lib.peek(10) == 99
    user.setg(41)
    assert lib.shared == 41


def _python_calls_during(fn, *args):
    """Names of the Python functions that run while ``fn(*args)`` runs."""
    seen = []

    def probe(frame, event, arg):
        if event == "call":
            seen.append((frame.f_code.co_filename, frame.f_code.co_name))

    sys.setprofile(probe)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
    return seen


def test_wasm_to_wasm_calls_never_enter_python(modpath):
    write(modpath, "lib2.wat", LIB)
    write(modpath, "user2.wat", USER.format(m="lib2"))
    write(modpath, "viapy.py",
          "__wasm_exports__ = ['double']\ndef double(x):\n    return 2 * x\n")
    user3 = USER.format(m="lib2").replace('"lib2" "double"', '"viapy" "double"')
    write(modpath, "user3.wat", user3)
    import user2
    import user3
    def host_side(calls):  # the Python host function, or wasmport's host-call wrappers
        return [c for c in calls if c[1] == "double" or "host" in c[0] or "_link" in c[0]]

    direct = host_side(_python_calls_during(user2.quad, 3))
    through_python = host_side(_python_calls_during(user3.quad, 3))
    assert [name for _, name in through_python].count("double") == 2  # the probe sees them
    assert direct == []


def test_relative_file_imports(modpath):
    write(modpath, "sub/helper.wat", LIB)
    write(modpath, "sub/rel_user.wat", USER.format(m="./helper.wat"))
    write(modpath, "rel_top.wat", USER.format(m="./sub/helper.wat"))
    rel_user = wasmport.load(str(modpath / "sub" / "rel_user.wat"))
    import rel_top
    assert rel_user.quad(2) == rel_top.quad(2) == 8
    rel_user.setg(3)
    assert rel_top.__name__ == "rel_top"
    assert wasmport.load(str(modpath / "sub" / "helper.wat")).shared == 3


def test_package_relative_imports(modpath):
    write(modpath, "rpkg/__init__.py", "")
    write(modpath, "rpkg/lib.wat", LIB)
    write(modpath, "rpkg/app.wat", USER.format(m=".lib"))
    from rpkg import app
    assert app.quad(5) == 20
    assert importlib.import_module("rpkg.lib").shared == 7


def test_python_module_that_opts_in(modpath):
    write(modpath, "pyenv.py", "__wasm_exports__ = ['twice']\n"
          "calls = []\n"
          "def twice(x):\n    calls.append(x)\n    return x * 2\n")
    write(modpath, "usespy.wat", '(module'
          ' (import "pyenv" "twice" (func $t (param i32) (result i32)))'
          ' (func (export "run") (param i32) (result i32) local.get 0 call $t))')
    import pyenv
    import usespy
    assert usespy.run(21) == 42
    assert pyenv.calls == [21]


def test_os_exit_is_refused(modpath):
    write(modpath, "evil.wat", '(module (import "os" "_exit" (func (param i32))))')
    with pytest.raises(wasmport.ImportRefusedError) as info:
        import evil  # noqa: F401
    msg = str(info.value)
    assert 'import "os"."_exit"' in msg
    assert "__wasm_exports__" in msg
    assert info.value.module == "os" and info.value.field == "_exit"
    assert "evil" not in sys.modules


def test_names_not_offered_are_refused(modpath):
    write(modpath, "partial.py", "__wasm_exports__ = ['ok']\ndef ok(): pass\ndef secret(): pass\n")
    write(modpath, "greedy.wat", '(module (import "partial" "secret" (func)))')
    with pytest.raises(wasmport.ImportRefusedError, match="does not offer 'secret'"):
        import greedy  # noqa: F401


def test_import_map_specifier_and_mapping(modpath):
    write(modpath, "impl.wat", LIB)
    src = write(modpath, "mapped.wat", USER.format(m="virtual") + "")
    with wasmport.Realm(import_map={"virtual": "impl"}) as realm:
        mapped = wasmport.load(str(src), realm=realm)
        assert mapped.quad(1) == 4
    write(modpath, "needs_env.wat", '(module (import "env" "f" (func $f (param i32) (result i32)))'
          ' (import "env" "k" (global i32))'
          ' (func (export "run") (result i32) global.get 0 call $f))')
    with wasmport.Realm(import_map={"env": {"f": lambda x: x + 1, "k": 9}}) as realm:
        assert wasmport.load("needs_env", realm=realm).run() == 10


def test_import_map_comes_before_host_modules_and_files(modpath):
    write(modpath, "env.wat", '(module (func (export "f") (result i32) i32.const 1))')
    write(modpath, "order.wat", '(module (import "env" "f" (func $f (result i32)))'
          ' (func (export "run") (result i32) call $f))')
    with wasmport.Realm(import_map={"env": {"f": lambda: 3}},
                        host_modules={"env": {"f": lambda: 2}}) as realm:
        assert wasmport.load("order", realm=realm).run() == 3
    with wasmport.Realm(host_modules={"env": {"f": lambda: 2}}) as realm:
        assert wasmport.load("order", realm=realm).run() == 2
    with wasmport.Realm() as realm:
        assert wasmport.load("order", realm=realm).run() == 1


def test_explicit_imports_and_instance_modules(realm):
    lib = wasmport.compile(LIB, realm=realm).instantiate()
    user = wasmport.compile(USER.format(m="whatever"), realm=realm).instantiate({"whatever": lib})
    assert user.quad(2) == 8
    user.poke(0, 5)
    assert lib.peek(0) == 5


def test_realm_register(realm):
    realm.register("env", {"f": lambda: 11})
    mod = wasmport.compile('(module (import "env" "f" (func $f (result i32)))'
                           ' (func (export "run") (result i32) call $f))', realm=realm)
    assert mod.instantiate().run() == 11


def test_unknown_module_says_how_to_provide_it(realm):
    mod = wasmport.compile('(module (import "nowhere" "f" (func)))', name="lonely", realm=realm)
    with pytest.raises(wasmport.UnknownImportError) as info:
        mod.instantiate()
    msg = str(info.value)
    assert msg.startswith('<lonely>: import "nowhere"."f": no module \'nowhere\' provides it')
    assert "import_map" in msg and "register" in msg


def test_unknown_field(realm):
    mod = wasmport.compile('(module (import "env" "g" (func)))', realm=realm)
    with pytest.raises(wasmport.UnknownImportError, match="has no 'g'"):
        mod.instantiate({"env": {"f": print}})


def test_odd_module_names_are_unknown_not_crashes(realm):
    for name in ("", "with space", "a/b", "spectest", "..", "ünïcode"):
        mod = wasmport.compile(f'(module (import "{name}" "f" (func)))', realm=realm)
        with pytest.raises(wasmport.UnknownImportError):
            mod.instantiate()


def test_self_import_is_a_cycle(modpath):
    write(modpath, "selfish.wat", '(module (import "selfish" "f" (func)) (func (export "f")))')
    with pytest.raises(wasmport.ImportCycleError) as info:
        import selfish  # noqa: F401
    assert "imports itself" in str(info.value)
    assert len(info.value.chain) == 2
    assert "selfish" not in sys.modules


def test_cycle_names_the_chain(modpath):
    write(modpath, "cyc_a.wat", '(module (import "cyc_b" "f" (func)) (func (export "g")))')
    write(modpath, "cyc_b.wat", '(module (import "cyc_a" "g" (func)) (func (export "f")))')
    with pytest.raises(wasmport.ImportCycleError) as info:
        import cyc_a  # noqa: F401
    chain = info.value.chain
    assert [p.rsplit("/", 1)[1] for p in chain] == ["cyc_a.wat", "cyc_b.wat", "cyc_a.wat"]
    assert "cyc_a.wat -> " in str(info.value)


def test_a_module_that_does_not_opt_in_is_never_run(modpath):
    write(modpath, "sideeffect.py", "import builtins\nbuiltins.SIDE_EFFECT_RAN = True\n")
    write(modpath, "probe.wat", '(module (import "sideeffect" "f" (func)))')
    import builtins
    with pytest.raises(wasmport.ImportRefusedError, match="does not opt in"):
        import probe  # noqa: F401
    assert not hasattr(builtins, "SIDE_EFFECT_RAN")
    assert "sideeffect" not in sys.modules


def test_modules_without_python_source_must_be_imported_first(modpath):
    write(modpath, "wantsmath.wat", '(module (import "_json" "scanstring" (func)))')
    sys.modules.pop("_json", None)
    with pytest.raises(wasmport.ImportRefusedError, match="has no Python source"):
        import wantsmath  # noqa: F401
    assert "_json" not in sys.modules


TYPED = """(module (type $t (func)) (func $f) (elem declare func $f)
  (global (export "g") (ref $t) (ref.func $f))
  (func (export "h") (result (ref null $t)) (ref.null $t)))"""


def test_typed_references_pass_between_modules_unexamined(realm):
    lib = wasmport.compile(TYPED, name="typed", realm=realm).instantiate()
    g = wasmport.instance_of(lib).exports["g"]
    assert isinstance(g, wasmport.Global) and g.type == "global (ref (func () -> nil))"
    assert isinstance(lib.g, wasmport.Function) and lib.g() is None
    assert lib.h() is None
    assert [e.type for e in wasmport.instance_of(lib).module.exports] == [
        "global (ref $0)", "func () -> (ref null $0)"]
    fits = '(module (type $t (func)) (global (import "typed" "g") (ref null $t)))'
    assert wasmport.compile(fits, realm=realm).instantiate({"typed": lib}) is not None
    wrong = '(module (type $t (func (param i32))) (global (import "typed" "g") (ref $t)))'
    with pytest.raises(wasmport.IncompatibleImportError, match="incompatible import type"):
        wasmport.compile(wrong, name="wrong", realm=realm).instantiate({"typed": lib})
    with pytest.raises(wasmport.IncompatibleImportError, match="expected a wasmport.Function"):
        wasmport.compile(fits, realm=realm).instantiate({"typed": {"g": 5}})


def test_a_parent_package_is_not_run_for_a_name_that_does_not_opt_in(modpath):
    write(modpath, "loudpkg/__init__.py", "import builtins\nbuiltins.LOUD_PARENT_RAN = True\n")
    write(modpath, "loudpkg/quiet.py", "X = 1\n")
    write(modpath, "nested_probe.wat", '(module (import "loudpkg.quiet" "f" (func)))')
    write(modpath, "missing_probe.wat", '(module (import "loudpkg.nothing" "f" (func)))')
    import builtins
    with pytest.raises(wasmport.ImportRefusedError, match="does not opt in"):
        import nested_probe  # noqa: F401
    with pytest.raises(wasmport.UnknownImportError):
        import missing_probe  # noqa: F401
    assert not hasattr(builtins, "LOUD_PARENT_RAN")
    assert "loudpkg" not in sys.modules


def test_wasm_in_a_package_that_is_not_imported_yet(modpath):
    write(modpath, "wpkg/__init__.py", "")
    write(modpath, "wpkg/lib.wat", LIB)
    write(modpath, "uses_wpkg.wat", USER.format(m="wpkg.lib"))
    import uses_wpkg
    assert uses_wpkg.quad(2) == 8
