"""A guest written in JavaScript and built by componentize-js (scripts/build-componentize-js).

The 12 MB component (the StarlingMonkey engine with the guest inside) is not committed;
without it these tests skip and say how to build it.  Compiling it takes 10-20 s, so the
module's realm compiles it once and each test makes its own instance from the source
phase.  The values a JavaScript guest produces come from its own bindings (jco's
conventions: variants as {tag, val}, flags as objects of booleans, enums as strings),
so these tests check wasmport's lowering and lifting against a toolchain written
elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wasmport

GUEST = Path(__file__).parents[2] / ".external" / "components" / "jsguest.wasm"

pytestmark = pytest.mark.skipif(
    not GUEST.exists(),
    reason=f"{GUEST} is not built: run scripts/build-componentize-js (componentize-js "
           "0.23.0, node and npm)")


class Host:
    def __init__(self) -> None:
        self.logged: list[str] = []

    def log(self, msg: str) -> None:
        self.logged.append(msg)

    def scale(self) -> int:
        return 3


@pytest.fixture(scope="module")
def source() -> Iterator[Any]:
    with wasmport.Realm() as realm:
        yield realm.load(str(GUEST), phase="source")


@pytest.fixture
def host() -> Host:
    return Host()


@pytest.fixture
def api(source: Any, host: Host) -> Any:
    return source.instantiate({"test:jsguest/host": host}).api


def test_the_world_is_the_guests(source: Any) -> None:
    assert isinstance(source, wasmport.Component)
    assert "import test:jsguest/host@0.1.0;" in source.wit
    assert "export test:jsguest/api@0.1.0;" in source.wit


def test_strings_and_host_calls(api: Any, host: Host) -> None:
    assert api.greet("wörld ✓") == "hello, wörld ✓"
    assert host.logged == ["greeting wörld ✓"]
    assert api.scaled(1.5) == 4.5  # through Host.scale


def test_records_and_variants(api: Any) -> None:
    assert api.norm1(api.Point(x=3, y=-4)) == 7
    assert api.area(api.Shape_Circle(2)) == 12
    assert api.area(api.Shape_Rect(api.Point(x=2, y=5))) == 10


def test_lists_tuples_bytes_options(api: Any) -> None:
    assert api.words(" a  bc d ") == ["a", "bc", "d"]
    assert api.swap(("s", 7)) == (7, "s")
    assert api.reverse(bytearray(b"abc")) == b"cba"
    assert api.find([5, 6, 7], 7) == 2
    assert api.find([1], 9) is None


def test_enums_and_flags(api: Any) -> None:
    assert api.next_color(api.Color.BLUE) is api.Color.RED
    perms = api.Perms
    assert api.grant(perms.WRITE | perms.EXEC) == perms.READ | perms.WRITE
    assert api.grant(perms(0)) == perms.READ | perms.EXEC


def test_a_result_error_is_err(api: Any) -> None:
    assert api.div(7, 2) == 3
    with pytest.raises(wasmport.Err) as raised:
        api.div(1, 0)
    assert raised.value.value == "division by zero"
    assert api.div(9, 3) == 3  # an error result poisons nothing


def test_a_guest_resource(api: Any) -> None:
    with api.Counter(5) as counter:
        assert (counter.bump(), counter.bump()) == (6, 7)
    with pytest.raises(wasmport.ResourceDroppedError):
        counter.bump()


def test_bad_values_are_refused_before_the_guest(api: Any) -> None:
    with pytest.raises(TypeError, match=r"p\.y"):
        api.norm1(api.Point(x=3, y="4"))
    with pytest.raises(OverflowError):
        api.div(-1, 2)
    assert api.div(4, 2) == 2  # nothing reached the engine: the instance is fine


def test_a_javascript_exception_is_a_trap_confined_to_its_instance(source: Any) -> None:
    api = source.instantiate({"test:jsguest/host": Host()}).api
    with pytest.raises(wasmport.Trap):
        api.boom("bad")
    with pytest.raises(wasmport.InstancePoisonedError, match="instantiate"):
        api.greet("again")
    other = source.instantiate({"test:jsguest/host": Host()}).api
    assert other.greet("fresh") == "hello, fresh"


def test_a_host_missing_a_function_is_a_link_error(source: Any) -> None:
    class Incomplete:
        def log(self, msg: str) -> None:
            pass

    with pytest.raises(wasmport.LinkError, match="scale"):
        source.instantiate({"test:jsguest/host": Incomplete()})
