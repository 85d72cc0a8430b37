"""Host implementations are checked against the WIT when the instance is made."""

from __future__ import annotations

from typing import Any

import pytest

from wasmport._errors import IncompatibleImportError, LinkError, UnknownImportError

from .conftest import CalcHost


def test_version_is_optional_in_the_import_name(new: Any) -> None:
    for key in ("test:calc/host", "test:calc/host@0.1.0"):
        inst = new("calc", {key: CalcHost(), "tick": lambda: 1})
        assert inst.exports.api.call_add(1, 1) == 2


def test_a_class_with_static_methods_or_a_module_serves(new: Any) -> None:
    class Static:
        log = staticmethod(print)
        add = staticmethod(lambda a, b: a * b)
        offset = staticmethod(lambda p: p)
    inst = new("calc", {"test:calc/host": Static, "tick": lambda: 1})
    assert inst.exports.api.call_add(3, 4) == 12


def test_missing_interface_names_import_and_remedy(new: Any) -> None:
    with pytest.raises(UnknownImportError) as raised:
        new("calc", {"tick": lambda: 1})
    assert "import 'test:calc/host@0.1.0' is not provided" in str(raised.value)
    assert "imports={'test:calc/host': impl}" in str(raised.value)
    assert raised.value.module == "test:calc/host@0.1.0"


def test_missing_world_function(new: Any) -> None:
    with pytest.raises(UnknownImportError, match=r"import 'tick' \(a function\)"):
        new("calc", {"test:calc/host": CalcHost()})
    with pytest.raises(UnknownImportError):
        new("calc", {"test:calc/host": CalcHost(), "tick": 42})


def test_missing_function_names_interface_and_function(new: Any) -> None:
    class NoLog:
        def add(self, a: int, b: int) -> int:
            return a + b

        def offset(self, p: Any) -> Any:
            return p
    with pytest.raises(IncompatibleImportError) as raised:
        new("calc", {"test:calc/host": NoLog(), "tick": lambda: 1})
    text = str(raised.value)
    assert "import 'test:calc/host@0.1.0', function 'log'" in text and "define log(msg)" in text
    assert raised.value.field == "log" and isinstance(raised.value, LinkError)


def test_wrong_arity_is_a_link_error(new: Any) -> None:
    class TwoArgs(CalcHost):
        def log(self, msg: str, extra: str) -> None: ...  # type: ignore[override]
    with pytest.raises(IncompatibleImportError, match=r"log\(\) does not take 1 arguments"):
        new("calc", {"test:calc/host": TwoArgs(), "tick": lambda: 1})
    with pytest.raises(IncompatibleImportError, match=r"'tick'.*does not take 0"):
        new("calc", {"test:calc/host": CalcHost(), "tick": lambda x: 1})


def test_instance_methods_on_a_class_are_caught(new: Any) -> None:
    with pytest.raises(IncompatibleImportError, match="does not take 1 arguments"):
        new("calc", {"test:calc/host": CalcHost, "tick": lambda: 1})


def test_missing_resource_class(new: Any) -> None:
    with pytest.raises(IncompatibleImportError) as raised:
        new("resources", {"test:res/host": object()})
    assert "resource 'blob'" in str(raised.value) and "class attribute Blob" in str(raised.value)


def test_missing_resource_method(new: Any) -> None:
    class Blob:
        def __init__(self, data: bytes) -> None: ...

        def size(self) -> int:
            return 0

        @staticmethod
        def concat(a: Any, b: Any) -> Any: ...

    class Host:
        pass
    Host.Blob = Blob  # type: ignore[attr-defined]
    with pytest.raises(IncompatibleImportError, match=r"\[method\]blob.append.*Blob.append"):
        new("resources", {"test:res/host": Host})


def test_another_component_can_implement_an_import(new: Any) -> None:
    """Component to component: an exported interface namespace is a host implementation
    (values go through the converters: the C API cannot link one instance's export to
    another's import directly)."""
    provider = new("calchost")
    inst = new("calc", {"test:calc/host": provider.exports.host, "tick": lambda: 1})
    assert inst.exports.api.call_add(1, 2) == 1003
    moved = inst.exports.api.move_point(inst.exports.api.Point(1, 1))
    assert (moved.x, moved.y) == (11, 21)
    inst.exports.api.greet("x")
    assert provider.exports.logged() == 1
