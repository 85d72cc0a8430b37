"""Per-signature caller makers, export finders, the module look-up without an exception,
and what exports of a real module share (plans.py): the native layer's first use."""

from __future__ import annotations

import gc
import types

import pytest
import wasmtime

import wasmport
from wasmport import instance_of
from wasmport._engine.fast import _native, _native_exports, default_relay

pytestmark = pytest.mark.skipif(not _native.AVAILABLE, reason=_native.REASON)

WAT = """(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "boom") (param i32 i32) (result i32) unreachable)
  (func (export "\u00e9t\u00e9") (result i32) i32.const 1)
  (memory (export "memory") 1))"""


class Hooks:
    """raise_trap / closed that record the where they are given, then raise."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def raise_trap(self, trap: int, error: int, where: str) -> None:
        self.seen.append(where)
        default_relay.raise_trap(trap, error)

    def closed(self, where: str) -> None:
        self.seen.append(where)
        raise LookupError(f"{where} closed")


def test_callers_of_one_maker_pass_their_own_where(store, instantiate) -> None:
    wasmtime.Instance(store, wasmtime.Module(store.engine, WAT), [])
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, WAT), [])
    find = _native_exports.export_finder(instance)
    _, ctx, _ = _native._handle(store)
    hooks = Hooks()
    make = _native_exports.caller_maker(store, ("i32", "i32"), ("i32",),
                                        raise_trap=hooks.raise_trap, closed=hooks.closed,
                                        gate=[False], lock=_native.new_lock(), release_gil=False)
    add, boom = (make(find(ctx, name)[0], name, f"here: {name}()", None)
                 for name in ("add", "boom"))
    assert add(2, 3) == 5 and add.__name__ == "add"
    with pytest.raises(wasmtime.Trap):
        boom(1, 2)
    assert hooks.seen == ["here: boom()"]
    store.close()
    with pytest.raises(LookupError, match=r"^here: add\(\) closed$"):
        add(2, 3)


def test_an_export_finder_takes_str_names(store) -> None:
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, WAT), [])
    find = _native_exports.export_finder(instance)
    _, ctx, _ = _native._handle(store)
    assert find(ctx, "add")[1:] == (("i32", "i32"), ("i32",))
    assert find(ctx, "\u00e9t\u00e9")[1:] == ((), ("i32",))
    for name in ("memory", "missing", "\udcff"):  # not a function; no UTF-8 form
        assert find(ctx, name) is None


def test_a_callers_dask_token_is_its_hook_called_with_itself(store) -> None:
    instance = wasmtime.Instance(store, wasmtime.Module(store.engine, WAT), [])
    find = _native_exports.export_finder(instance)
    _, ctx, _ = _native._handle(store)
    make = _native_exports.caller_maker(store, ("i32", "i32"), ("i32",),
                                        raise_trap=Hooks().raise_trap, closed=Hooks().closed,
                                        gate=[False], lock=_native.new_lock(), release_gil=False)
    asked = []
    add = make(find(ctx, "add")[0], "add", "here", lambda c: asked.append(c) or "token")
    assert add.__dask_tokenize__ == "token" and asked == [add]
    bare = make(find(ctx, "add")[0], "add", "here", None)
    with pytest.raises(AttributeError):
        bare.__dask_tokenize__  # noqa: B018


def test_a_module_miss_goes_to_the_class_hook_then_to_the_modules_own_look_up() -> None:
    asked: list[str] = []

    class Hooked(types.ModuleType):
        @property
        def failing(self) -> None:
            raise AttributeError("from the property")

        def _wasm_missing(self, name: str) -> object:
            asked.append(name)
            return NotImplemented if name == "x" else f"hooked {name}"

    assert _native_exports.enable_module_getattr(Hooked) is True
    module = Hooked("hooked")
    module.present = 1
    assert (module.present, module.here, module.failing) == (1, "hooked here", "hooked failing")
    with pytest.raises(AttributeError, match="module 'hooked' has no attribute 'x'"):
        module.x  # noqa: B018  # NotImplemented, no __getattr__: the module's own message
    module.__dict__["__getattr__"] = lambda name: f"got {name}"
    assert module.x == "got x"  # PEP 562 after the hook
    assert asked == ["here", "failing", "x", "x"]  # a hit in __dict__ never asks
    with pytest.raises(TypeError, match="subclass of ModuleType"):
        _native_exports.enable_module_getattr(int)
    assert _native_exports.enable_module_getattr(Hooked) is False  # already changed


def test_exports_share_their_signatures_plan_and_trap_with_their_own_where() -> None:
    with wasmport.Realm() as realm:
        module = wasmport.compile(WAT, realm=realm).instantiate()
        add, boom = module.add, module.boom
        assert type(add.func) is type(boom.func) is _native._ext.Caller
        assert add.params is boom.params and add.results is boom.results  # the plan's
        assert add(2, 3) == 5 and add.__doc__ == "add(i32, i32) -> i32"
        with pytest.raises(wasmport.Trap, match=r"^<module>: boom\(\): wasm trap: "):
            boom(1, 2)
        gc.collect()
        assert not gc.is_tracked(add.__dict__)  # strings, bytes, tuples of strings only
        assert instance_of(module).exports["add"] is add
    with pytest.raises(wasmport.RealmClosedError, match=r"^<module>: add\(\): realm "):
        add(2, 3)


def test_an_exports_caller_is_tracked_by_the_gc_only_once_given_references() -> None:
    with wasmport.Realm() as realm:
        add = wasmport.compile(WAT, realm=realm).instantiate().add
        assert not gc.is_tracked(add.func)  # it can be part of no cycle
        add.func.note = add  # now it can: the collector must see it
        assert gc.is_tracked(add.func)
        hooked = wasmport.compile(WAT, realm=realm).instantiate().add
        hooked.func.__dask_tokenize__ = lambda caller: lambda: "token"
        assert gc.is_tracked(hooked.func) and hooked.func.__dask_tokenize__() == "token"
