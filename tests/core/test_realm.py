import subprocess
import sys
import textwrap

import pytest

import wasmport
from wasmtest import write

REACTOR = """(module
  (global $inits (export "inits") (mut i32) (i32.const 0))
  (global $starts (export "starts") (mut i32) (i32.const 0))
  (func (export "_initialize") global.get $inits i32.const 1 i32.add global.set $inits)
  (func (export "_start") global.get $starts i32.const 1 i32.add global.set $starts))"""


def test_reactor_initialize_runs_once_and_start_never(modpath):
    write(modpath, "reactor.wat", REACTOR)
    import reactor
    assert (reactor.inits, reactor.starts) == (1, 0)
    assert wasmport.load("reactor") is reactor
    assert reactor.inits == 1
    again = wasmport.load("reactor?source").instantiate()
    assert (again.inits, reactor.inits) == (1, 1)


def test_closed_realm_refuses_calls(tmp_path):
    realm = wasmport.Realm()
    mod = wasmport.compile('(module (func (export "f") (result i32) i32.const 1)'
                           ' (memory (export "m") 1))', realm=realm).instantiate()
    assert mod.f() == 1
    realm.close()
    realm.close()  # idempotent
    assert realm.closed
    with pytest.raises(wasmport.RealmClosedError):
        mod.f()
    with pytest.raises(wasmport.RealmClosedError):
        len(mod.m)
    with pytest.raises(wasmport.RealmClosedError):
        realm.register("env", {})


def test_context_manager_closes():
    with wasmport.Realm() as realm:
        assert not realm.closed
    assert realm.closed


def test_closing_the_default_realm_forgets_its_modules(modpath):
    write(modpath, "forgotten.wat", REACTOR)
    import forgotten
    assert "forgotten" in sys.modules
    wasmport.default_realm().close()
    assert "forgotten" not in sys.modules
    import forgotten as fresh
    assert fresh is not forgotten and fresh.inits == 1


def test_realms_are_isolated(tmp_path):
    path = write(tmp_path, "iso.wat", REACTOR)
    with wasmport.Realm() as a, wasmport.Realm() as b:
        ma, mb = wasmport.load(str(path), realm=a), wasmport.load(str(path), realm=b)
        assert ma is not mb
        assert wasmport.instance_of(ma).module is not wasmport.instance_of(mb).module
        assert wasmport.instance_of(ma).module._asset is wasmport.instance_of(mb).module._asset


def test_clean_shutdown_prints_nothing(tmp_path):
    write(tmp_path, "shut.wat", '(module (memory (export "m") 1) (func (export "f") (result i32)'
          ' i32.const 7) (table (export "t") 1 funcref)'
          ' (global (export "g") (mut i32) (i32.const 1)))')
    script = write(tmp_path, "main.py", textwrap.dedent("""
        import wasmport.auto, wasmport
        import shut
        from wasmport.source import shut as Shut
        other = Shut.instantiate()
        realm = wasmport.Realm()
        mine = Shut.instantiate(realm=realm)
        mem = wasmport.Memory(1)
        print(shut.f(), other.f(), mine.f())
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         check=False)
    assert (out.returncode, out.stdout, out.stderr) == (0, "7 7 7\n", "")


def test_instance_of_rejects_other_things():
    with pytest.raises(TypeError, match="instance-phase"):
        wasmport.instance_of(sys)
    with pytest.raises(TypeError):
        wasmport.instance_of(wasmport.compile("(module)"))


def test_closing_from_inside_a_call_is_refused():
    realm = wasmport.Realm()
    attempts = []

    def host():
        with pytest.raises(RuntimeError, match="from inside a call"):
            realm.close()
        attempts.append(realm.closed)

    mod = wasmport.compile('(module (import "env" "f" (func $f)) (func (export "run") call $f)'
                           ' (func (export "one") (result i32) i32.const 1))', realm=realm
                           ).instantiate({"env": {"f": host}})
    mod.run()
    assert attempts == [False] and mod.one() == 1
    realm.close()
    assert realm.closed


def test_close_waits_for_a_call_in_another_thread():
    import threading
    import time

    realm = wasmport.Realm()
    entered, release, order = threading.Event(), threading.Event(), []

    def host():
        entered.set()
        release.wait(10)
        order.append("call done")

    mod = wasmport.compile('(module (import "env" "f" (func $f)) (func (export "run") call $f))',
                           realm=realm).instantiate({"env": {"f": host}})
    worker = threading.Thread(target=mod.run)
    worker.start()
    assert entered.wait(10)
    closer = threading.Thread(target=lambda: (realm.close(), order.append("closed")))
    closer.start()
    time.sleep(0.1)
    assert order == []  # close waits: the store is still in use
    release.set()
    worker.join(10)
    closer.join(10)
    assert order == ["call done", "closed"]


def test_a_reactor_whose_initialize_traps_is_not_kept(modpath):
    path = write(modpath, "badinit.wat", '(module (func (export "_initialize") unreachable))')
    for _ in range(2):  # the failed instance is not handed out the second time either
        with pytest.raises(wasmport.Trap, match="unreachable"):
            import badinit  # noqa: F401
        assert "badinit" not in sys.modules
    path.write_text('(module (global (export "ok") i32 (i32.const 1))'
                    ' (func (export "_initialize")))')
    import badinit
    assert badinit.ok == 1


IMPORTER = """(module (import "env" "seven" (func $seven (result i32)))
  (memory (export "memory") 1)
  (func (export "answer") (result i32) (i32.mul (call $seven) (i32.const 6))))"""


def test_realm_load_takes_what_wasmport_load_takes(tmp_path):
    from pathlib import Path

    path = Path(write(tmp_path, "importer.wat", IMPORTER))
    with wasmport.Realm(base_dir=str(tmp_path)) as realm:
        first = realm.load(path, imports={"env": {"seven": lambda: 7}})
        second = realm.load("./importer.wat", imports={"env": {"seven": lambda: 7}})
        assert first.answer() == second.answer() == 42 and first is not second
        limited = realm.load(path, imports={"env": {"seven": lambda: 7}},
                             limits=wasmport.Limits(max_memory=1 << 20))
        assert wasmport.instance_of(limited).realm is not realm  # a child with its own store
        assert realm.load(path, phase="source") is realm.load(str(path) + "?source")
        with pytest.raises(ValueError, match="source phase takes none"):
            realm.load(path, phase="source", imports={"env": {}})


def test_a_child_realm_closes_with_its_parent(tmp_path):
    path = write(tmp_path, "importer.wat", IMPORTER)
    parent = wasmport.Realm(host_modules={"env": {"seven": lambda: 7}})
    child = parent.child(limits=wasmport.Limits(fuel=10_000))
    assert child.load(path).answer() == 42 and child.limits == wasmport.Limits(fuel=10_000)
    parent.close()
    assert child.closed
