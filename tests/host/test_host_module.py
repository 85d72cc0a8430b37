"""HostModule classes: declaring, checking at class creation, registering, linking,
and one host object per importing instance."""

from __future__ import annotations

import functools
import sys

import pytest

import wasmport
from wasmport import export
from wasmport._host.module import HostFactory
from wasmport.types import Bytes, Errno, Int32, Result, String, Uint32

from .guests import I32, PTR_LEN, forwarder, forwarder_wat, memory_of


class Counter(wasmport.HostModule, name="counter"):
    made = 0

    def __init__(self, *, start: int = 0) -> None:
        Counter.made += 1
        self.value = start

    @export
    def incr(self) -> Int32:
        self.value += 1
        return self.value

    @export("get")
    def current(self) -> Int32:
        return self.value


COUNTER = {"incr": ((), I32), "get": ((), I32)}


def counter_guest(realm, imports=None):
    return forwarder(realm, COUNTER, imports, module="counter", pages=None)


# -- declaring ----------------------------------------------------------------------------


def test_exports_under_their_own_or_a_given_name():
    spec = Counter.__wasm_host__
    assert spec.name == "counter" and spec.memory == "memory"
    assert sorted(spec.functions) == ["get", "incr"]
    assert spec.functions["get"].attr == "current"
    assert Counter().current() == 0  # still an ordinary method


def test_export_keyword_name_and_empty_name():
    class Odd(wasmport.HostModule, name="odd"):
        @export(name="two words")
        def a(self) -> None: ...

        @export("")
        def b(self) -> None: ...

    assert sorted(Odd.__wasm_host__.functions) == ["", "two words"]


def test_inheritance_keeps_exports_and_may_rename_the_module():
    class Base(wasmport.HostModule):
        @export
        def ping(self) -> Int32:
            return 1

    class Child(Base, name="child"):
        @export
        def pong(self) -> Int32:
            return 2

    assert Base.__wasm_host__.name is None
    assert sorted(Child.__wasm_host__.functions) == ["ping", "pong"]
    assert Child.__wasm_host__.functions["ping"] is Base.__wasm_host__.functions["ping"]


def err(fn):
    with pytest.raises(wasmport.HostSignatureError) as info:
        fn()
    return info.value


def test_missing_annotation_names_class_method_index_and_parameter():
    def define():
        class Store(wasmport.HostModule, name="kv"):
            @export
            def put(self, key: String, value) -> Errno: ...  # type: ignore[no-untyped-def]

    e = err(define)
    assert str(e) == ("Store.put(): parameter 1 'value': no annotation; annotate it with a "
                      "wasmport.types type, such as Int32 or String")
    assert (e.owner, e.method, e.index, e.param) == ("Store", "put", 1, "value")
    assert isinstance(e, TypeError)


@pytest.mark.parametrize(("annotation", "message"), [
    (int, "parameter 0 'x': int does not say how wasm passes it; use wasmport.types.Int32, "
          "Int64, Uint32 or Uint64"),
    (str, "use wasmport.types.String"),
    (bytes, "use wasmport.types.Bytes"),
    (float, "use wasmport.types.Float64 or Float32"),
    (list, "Array[T]"),
    (wasmport.types.Array, "Array needs an element type, such as Array[Int32]"),
    (wasmport.types.Array[String], "the element type of Array must have a fixed size in memory"),
    (Errno, "Errno cannot be a parameter"),
    (dict, "dict is not a wasmport host type"),
])
def test_unsupported_parameter_annotations(annotation, message):
    def define():
        class H(wasmport.HostModule, name="h"):
            def f(self, x):  # type: ignore[no-untyped-def]
                ...
            f.__annotations__ = {"x": annotation, "return": None}
            export(f)

    e = err(define)
    assert message in str(e)
    assert e.index == 0 and e.param == "x"


def test_missing_and_bad_result_annotations():
    def no_return():
        class H(wasmport.HostModule, name="h"):
            @export
            def f(self, x: Int32): ...  # type: ignore[no-untyped-def]

    e = err(no_return)
    assert str(e) == "H.f(): result: no return annotation; add -> None if it returns nothing"
    assert e.index is None and e.param is None

    def string_result():
        class H(wasmport.HostModule, name="h"):
            @export
            def f(self) -> String: ...

    assert "String cannot be a result: a host function cannot allocate in the guest's " \
        "memory; take an out-parameter (Buffer" in str(err(string_result))


@pytest.mark.parametrize(("default", "annotation", "message"), [
    (2**32, Uint32, "bad default 4294967296: 4294967296 is out of range for Uint32"),
    ("x", Int32, "bad default 'x': expected an int for Int32, got str"),
    (b"x", String, "a String default must be a str, not bytes"),
    ("x", Bytes, "a Bytes default must be bytes, not str"),
])
def test_bad_defaults(default, annotation, message):
    def define():
        class H(wasmport.HostModule, name="h"):
            def f(self, x=default):  # type: ignore[no-untyped-def]
                ...
            f.__annotations__ = {"x": annotation, "return": None}
            export(f)

    assert message in str(err(define))


def test_good_defaults_are_allowed():
    class H(wasmport.HostModule, name="h"):
        @export
        def f(self, x: Int32 = 5, s: String = "") -> Int32:
            return x

    assert H().f() == 5


def test_parameter_kinds_and_async():
    def keyword_only():
        class H(wasmport.HostModule, name="h"):
            @export
            def f(self, *, x: Int32) -> None: ...

    assert "parameter 0 'x': keyword-only parameters cannot come from wasm" in str(
        err(keyword_only))

    def var_args():
        class H(wasmport.HostModule, name="h"):
            @export
            def f(self, *args: Int32) -> None: ...

    assert "variadic positional parameters cannot come from wasm" in str(err(var_args))

    def coroutine():
        class H(wasmport.HostModule, name="h"):
            @export
            async def f(self) -> None: ...

    assert "async methods cannot be host functions" in str(err(coroutine))

    def static():
        class H(wasmport.HostModule, name="h"):
            @export  # type: ignore[arg-type]
            @staticmethod
            def f() -> None: ...

    assert "decorates a method defined with def, not a staticmethod" in str(err(static))


def test_unresolvable_annotation():
    def define():
        class H(wasmport.HostModule, name="h"):
            @export
            def f(self, x: Missing) -> None: ...  # type: ignore[name-defined]  # noqa: F821

    assert "an annotation cannot be resolved (name 'Missing' is not defined)" in str(err(define))


def test_duplicate_export_names_and_undecorated_overrides():
    def duplicate():
        class H(wasmport.HostModule, name="h"):
            @export("x")
            def a(self) -> None: ...

            @export("x")
            def b(self) -> None: ...

    assert "a() and b() are both exported as 'x'" in str(err(duplicate))

    def override():
        class Sub(Counter):
            def incr(self) -> int:
                return 0

    assert "Sub.incr overrides the export 'incr' without @wasmport.export" in str(err(override))


def test_bad_class_keywords():
    def bad_name():
        class H(wasmport.HostModule, name=3):  # type: ignore[arg-type]
            pass

    assert "name= takes a str, not int" in str(err(bad_name))

    def empty_memory():
        class H(wasmport.HostModule, name="h", memory=""):
            pass

    assert "memory= names an export; it cannot be empty" in str(err(empty_memory))


# -- one host object per importing instance ----------------------------------------------


def test_each_instance_gets_its_own_object(realm):
    realm.register(Counter)
    a, b = counter_guest(realm), counter_guest(realm)
    assert [a.incr(), a.incr(), b.incr()] == [1, 2, 1]
    assert Counter.of(a) is not Counter.of(b)
    assert (Counter.of(a).value, Counter.of(b).value) == (2, 1)


def test_a_shared_object_is_shared(realm):
    shared = Counter(start=10)
    a = counter_guest(realm, {"counter": shared})
    b = counter_guest(realm, {"counter": shared})
    assert [a.incr(), b.incr(), a.get()] == [11, 12, 12]
    assert Counter.of(a) is shared and Counter.of(b) is shared


@pytest.mark.parametrize("factory", [Counter.factory(start=100),
                                     functools.partial(Counter, start=100)])
def test_factories_make_one_object_per_instance(realm, factory):
    made = Counter.made
    a = counter_guest(realm, {"counter": factory})
    b = counter_guest(realm, {"counter": factory})
    assert Counter.made == made + 2
    assert [a.incr(), a.incr(), b.incr()] == [101, 102, 101]


def test_factory_must_make_the_class(realm):
    class Wrong(HostFactory):
        def __call__(self) -> wasmport.HostModule:
            return object()  # type: ignore[return-value]

    with pytest.raises(TypeError, match=r"the factory returned <object object .*>, not a Counter"):
        counter_guest(realm, {"counter": Wrong(Counter, (), {})})


def test_constructor_errors_propagate_unchanged(realm):
    class Boom(wasmport.HostModule, name="counter"):
        def __init__(self) -> None:
            raise RuntimeError("no database")

        @export
        def incr(self) -> Int32:
            return 0

        @export
        def get(self) -> Int32:
            return 0

    with pytest.raises(RuntimeError, match="no database"):
        counter_guest(realm, {"counter": Boom})


def test_of_needs_an_instance_that_imported_it(realm):
    mod = counter_guest(realm, {"counter": Counter})
    assert Counter.of(wasmport.instance_of(mod)) is Counter.of(mod)

    class Unused(wasmport.HostModule, name="u"):
        pass

    with pytest.raises(LookupError, match="imported no Unused host module"):
        Unused.of(mod)


# -- registering and resolving -----------------------------------------------------------


def test_realm_host_modules_as_a_list_or_mapping():
    with wasmport.Realm(host_modules=[Counter]) as realm:
        assert counter_guest(realm).incr() == 1
    with wasmport.Realm(host_modules={"counter": Counter.factory(start=5)}) as realm:
        assert counter_guest(realm).incr() == 6


def test_register_under_another_name(realm):
    realm.register("counter", Counter.factory(start=1))
    assert counter_guest(realm).incr() == 2


def test_register_without_a_declared_name_is_refused(realm):
    class Nameless(wasmport.HostModule):
        pass

    with pytest.raises(TypeError, match=r"Nameless declares no import module name"):
        realm.register(Nameless)
    with pytest.raises(TypeError, match=r"register\(\) needs a name"):
        realm.register({"f": print})


def test_explicit_imports_win_over_registered_host_modules(realm):
    realm.register(Counter.factory(start=50))
    assert counter_guest(realm, {"counter": Counter}).incr() == 1


def test_import_map_entry_may_be_a_host_module():
    with wasmport.Realm(import_map={"counter": Counter.factory(start=7)}) as realm:
        assert counter_guest(realm).incr() == 8


def test_a_bound_method_as_one_field_is_typed(realm):
    class Echo(wasmport.HostModule, name="e"):
        @export
        def length(self, text: String) -> Uint32:
            return len(text)

    mod = forwarder(realm, {"length": (PTR_LEN, I32)}, {"e": {"length": Echo().length}},
                    module="e")
    memory_of(mod).write(0, "h\u00e9".encode())
    assert mod.length(0, 3) == 2


def test_the_import_hook_uses_the_default_realm(modpath):
    (modpath / "uses_counter.wat").write_text(forwarder_wat(COUNTER, module="counter"))
    wasmport.default_realm().register(Counter.factory(start=1000))
    import uses_counter  # type: ignore[import-not-found]

    assert uses_counter.incr() == 1001
    assert isinstance(Counter.of(uses_counter), Counter)
    del sys.modules["uses_counter"]


# -- link-time checks ---------------------------------------------------------------------


def test_wrong_import_type_shows_both_types_and_the_method(realm):
    class Store(wasmport.HostModule, name="kv"):
        @export
        def put(self, key: String, value: Bytes) -> Errno: ...

    with pytest.raises(wasmport.IncompatibleImportError) as info:
        forwarder(realm, {"put": (PTR_LEN, I32)}, {"kv": Store}, module="kv")
    e = info.value
    assert str(e) == (
        '<guest>: import "kv"."put": expected func (i32, i32) -> i32, found func (i32, i32, '
        'i32, i32) -> i32 from Store.put(key: String, value: Bytes) -> Errno; declare the '
        'import as func (i32, i32, i32, i32) -> i32 or change the annotations of Store.put()')
    assert (e.expected, e.found) == ("func (i32, i32) -> i32", "func (i32, i32, i32, i32) -> i32")
    assert (e.module, e.field) == ("kv", "put")


@pytest.mark.parametrize(("params", "results"), [
    (("i64",), ("i32",)),      # i64 for an Int32
    ((), ("i32",)),            # too few parameters
    (("i32",), ()),            # no result
    (("i32",), ("i32", "i32")),  # one result too many
    (("f32",), ("i32",)),
])
def test_any_type_difference_is_refused(realm, params, results):
    class Exact(wasmport.HostModule, name="x"):
        @export
        def f(self, a: Int32) -> Int32:
            return a

    with pytest.raises(wasmport.IncompatibleImportError, match="from Exact.f"):
        forwarder(realm, {"f": (params, results)}, {"x": Exact}, module="x", pages=None)


def test_result_type_must_match_too(realm):
    class R(wasmport.HostModule, name="r"):
        @export
        def f(self) -> Result[Uint32]:
            return 1

    with pytest.raises(wasmport.IncompatibleImportError, match=r"found func \(\) -> \(i32, i32\)"):
        forwarder(realm, {"f": ((), I32)}, {"r": R}, module="r", pages=None)


def test_unknown_function(realm):
    with pytest.raises(wasmport.UnknownImportError) as info:
        forwarder(realm, {"decr": ((), I32)}, {"counter": Counter}, module="counter")
    assert str(info.value) == (
        "<guest>: import \"counter\".\"decr\": imports['counter'] (Counter) has no function "
        "'decr' (it exports get, incr); add a method marked @wasmport.export('decr')")


def test_non_function_import(realm):
    wat = '(module (import "counter" "incr" (global i32)))'
    with pytest.raises(wasmport.IncompatibleImportError, match="which offers only functions"):
        wasmport.compile(wat, realm=realm).instantiate({"counter": Counter})


def test_failed_link_leaves_the_realm_working(realm):
    realm.register(Counter)
    with pytest.raises(wasmport.UnknownImportError):
        forwarder(realm, {"nope": ((), I32)}, module="counter")
    assert counter_guest(realm).incr() == 1
