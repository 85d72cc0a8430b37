"""Resources both ways: guest resources as Python classes, host resources as Python objects."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from wasmport._errors import ResourceDroppedError


class Blob:
    made = 0

    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)
        Blob.made += 1

    def size(self) -> int:
        return len(self.data)

    def append(self, more: bytes) -> None:
        self.data += more

    @staticmethod
    def concat(a: Blob, b: Blob) -> Blob:
        return Blob(bytes(a.data + b.data))


class Host:
    Blob = Blob


@pytest.fixture
def inst(new: Any) -> Any:
    return new("resources", {"test:res/host": Host})


def test_guest_resource_is_a_class(inst: Any) -> None:
    api = inst.exports.api
    counter = api.Counter(5)
    assert isinstance(counter, api.Counter) and counter.get() == 5
    counter.inc()
    assert counter.get() == 6
    made = api.Counter.make(10)
    assert made.get() == 10 and type(made) is api.Counter


def test_own_parameter_moves_the_handle(inst: Any) -> None:
    api = inst.exports.api
    counter, other = api.Counter(1), api.Counter(2)
    counter.absorb(other)
    assert counter.get() == 3 and api.destroyed() == 1
    with pytest.raises(ResourceDroppedError, match="dropped \\(or moved into the component\\)"):
        other.get()


def test_drop_with_and_use_after_drop(inst: Any) -> None:
    api = inst.exports.api
    with api.Counter(1) as counter:
        assert counter.get() == 1
    assert api.destroyed() == 1
    with pytest.raises(ResourceDroppedError) as raised:
        counter.get()
    assert raised.value.resource == "counter"
    counter.drop()  # twice is fine
    again = api.Counter(4)
    again.drop()
    assert api.destroyed() == 2
    with pytest.raises(ResourceDroppedError):
        api.Counter(1).absorb(again)
    assert not inst.poisoned


def test_collected_handles_are_dropped_before_the_next_call(inst: Any) -> None:
    api = inst.exports.api
    api.Counter(1)  # never kept
    gc.collect()
    assert api.destroyed() == 1
    api.Counter(2)
    gc.collect()
    inst.flush()
    assert api.destroyed() == 2


def test_handles_belong_to_their_instance(inst: Any, new: Any) -> None:
    other = new("resources", {"test:res/host": Host})
    with pytest.raises(TypeError, match="expected a Counter of this instance"):
        inst.exports.api.Counter(1).absorb(other.exports.api.Counter(2))


def test_host_resources(inst: Any) -> None:
    api = inst.exports.api
    blob = Blob(b"abc")
    assert api.blob_size(blob) == 3
    api.grow_blob(blob, 4)
    assert blob.size() == 7
    made = api.make_blob(5)
    assert isinstance(made, Blob) and made.size() == 5
    assert api.take_blob(Blob(b"12345")) == 5
    joined = api.join_blobs(blob, Blob(b"zz"))
    assert joined.size() == 9
    assert inst.state.resources.table == {}  # nothing left lent or owned by the guest


def test_host_resource_type_is_checked(inst: Any) -> None:
    with pytest.raises(TypeError, match=r"parameter b: expected a Blob, got str"):
        inst.exports.api.blob_size("nope")
    with pytest.raises(TypeError, match="expected a Counter of this instance"):
        inst.exports.api.Counter(1).absorb(Blob(b""))
