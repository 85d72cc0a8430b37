"""WasiConfig: a frozen, hashable value with safe defaults and early type errors."""

from __future__ import annotations

import dataclasses
import io

import pytest

from wasmport import Preopen, WasiConfig


def test_defaults_grant_nothing() -> None:
    config = WasiConfig()
    assert (config.args, config.env, config.preopens) == ((), (), ())
    assert config.stdin is None and config.stdout is None and config.stderr is None
    assert config.argv("prog") == ["prog"]


def test_values_are_normalized_frozen_and_hashable() -> None:
    config = WasiConfig(args=["a"], env={"K": "V"}, preopens={"/d": "/tmp"},
                        stdin=bytearray(b"in"))
    assert config.args == ("a",)
    assert config.env == (("K", "V"),)
    assert config.preopens == (("/d", Preopen("/tmp")),)
    assert config.stdin == b"in"
    same = WasiConfig(args=("a",), env=[("K", "V")], preopens=[("/d", "/tmp")], stdin=b"in")
    assert config == same and hash(config) == hash(same)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.args = ("b",)  # type: ignore[misc]


def test_file_objects_compare_by_identity() -> None:
    out = io.BytesIO()
    assert WasiConfig(stdout=out) == WasiConfig(stdout=out)
    assert WasiConfig(stdout=out) != WasiConfig(stdout=io.BytesIO())
    hash(WasiConfig(stdout=out))


@pytest.mark.parametrize("kwargs, error", [
    ({"args": "abc"}, TypeError),
    ({"args": [1]}, TypeError),
    ({"env": {"K": 1}}, TypeError),
    ({"env": {"A=B": "x"}}, ValueError),
    ({"stdin": "text"}, TypeError),
    ({"stdin": 3}, TypeError),
    ({"stdout": "somewhere"}, TypeError),
    ({"preopens": {"": "/tmp"}}, TypeError),
])
def test_bad_values_fail_at_construction(kwargs: dict[str, object],
                                         error: type[Exception]) -> None:
    with pytest.raises(error, match="WasiConfig"):
        WasiConfig(**kwargs)  # type: ignore[arg-type]
