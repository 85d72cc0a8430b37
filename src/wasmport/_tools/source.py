"""What the tools read: a module's binary from a file, bytes or a :class:`wasmport.Module`,
checked to be a valid module before anything reads its sections."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from typing import Any

import wasmtime

from .._compile.assets import wat_to_wasm
from .._compile.interface import CoreInterface
from .._compile.module import Module
from .._compile.sections import binary_kind, read_interface
from .._engine.config import get_engine
from .._errors import CompileError
from .._realm.component import Component

Target = str | os.PathLike[str] | bytes | Module | Component


@dataclass(frozen=True)
class Binary:
    """A module's bytes and where they came from (for messages and stub headers)."""

    where: str
    path: str | None
    wasm: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.wasm).hexdigest()

    @property
    def kind(self) -> str:
        return binary_kind(self.wasm)

    def interface(self) -> CoreInterface:
        """The core module's interface; CompileError for a component (whose world the
        tools read from its compiled code: compsource.py)."""
        if self.kind != "core":
            raise CompileError(f"{self.where}: a WebAssembly component, not a core module",
                               path=self.path, reason="component")
        return read_interface(self.wasm)


def read_binary(target: Target) -> Binary:
    """The valid binary of a path (.wasm, or .wat converted), bytes, a Module or a
    Component.

    Raises FileNotFoundError, or CompileError when it is not a valid module.
    """
    if isinstance(target, (Module, Component)):
        return _of_module(target)
    if isinstance(target, (bytes, bytearray, memoryview)):
        return _checked(Binary("<bytes>", None, bytes(target)))
    path = os.fspath(target)
    with open(path, "rb") as f:
        data = f.read()
    wasm = wat_to_wasm(data, path) if path.endswith(".wat") else data
    return _checked(Binary(path, os.path.abspath(path), wasm))


def _of_module(module: Module | Component) -> Binary:
    if module.path is None:
        raise TypeError(f"{module.where}: this Module was compiled from bytes; give the "
                        "tools those bytes (or the file) instead")
    return read_binary(module.path)


def _checked(binary: Binary) -> Binary:
    try:
        kind = binary.kind
    except ValueError as err:
        raise CompileError(f"{binary.where}: {err}; give text modules the .wat suffix",
                           path=binary.path, reason="bad magic") from None
    if kind == "core":
        _validate(binary)
    return binary


def _validate(binary: Binary) -> None:
    """The engine's validation, without compiling: the tools never fill the code cache."""
    try:
        wasmtime.Module.validate(get_engine(), binary.wasm)
    except wasmtime.WasmtimeError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else "invalid"
        raise CompileError(f"{binary.where}: invalid module: {first}", path=binary.path,
                           reason=str(err)) from err


def describe_target(target: Any) -> str:
    """How a target is named in messages."""
    if isinstance(target, (Module, Component)):
        return target.where
    return "<bytes>" if isinstance(target, (bytes, bytearray, memoryview)) else os.fspath(target)
