"""A typed host module: a small key-value store that wasm imports as "kv".

Every wasm instance that imports "kv" gets its own KVStore (its own ``data``),
unless the application hands the realm one shared object.
"""

from __future__ import annotations

from dataclasses import dataclass

import wasmport
from wasmport.types import Buffer, Bytes, Errno, ErrnoError, Int64, Pointer, String, Uint32

ENOENT = 44  # WASI's errno numbers
ERANGE = 68


@dataclass
class Stat:
    """What kv.stat writes into the guest's memory (C: struct { u32 size; i64 version; })."""

    size: Uint32  # offset 0, then 4 bytes of padding
    version: Int64  # offset 8; sizeof 16


class KVStore(wasmport.HostModule, name="kv"):
    def __init__(self, *, capacity: int = 100) -> None:
        self.capacity = capacity
        self.data: dict[str, bytes] = {}
        self.versions: dict[str, int] = {}
        self.log: list[str] = []

    @wasmport.export
    def put(self, key: String, value: Bytes) -> Errno:
        if key not in self.data and len(self.data) >= self.capacity:
            return ERANGE
        self.data[key] = value
        self.versions[key] = self.versions.get(key, 0) + 1
        return None

    @wasmport.export("get")
    def get_into(self, key: String, out: Buffer, length: Pointer[Uint32]) -> Errno:
        if key not in self.data:
            raise ErrnoError(ENOENT)
        value = self.data[key]
        if len(value) > len(out):
            return ERANGE
        length.store(out.write(value))
        return None

    @wasmport.export
    def stat(self, key: String, out: Pointer[Stat]) -> Errno:
        if key not in self.data:
            return ENOENT
        out.store(Stat(len(self.data[key]), self.versions[key]))
        return None

    @wasmport.export
    def log_line(self, line: String) -> None:
        self.log.append(line)
