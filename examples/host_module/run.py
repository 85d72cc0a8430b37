"""Run: python examples/host_module/run.py   (with wasmport installed)"""

from __future__ import annotations

import struct

from kvstore import KVStore  # beside this script, so on sys.path when it runs

import wasmport


def main() -> None:
    with wasmport.Realm(host_modules=[KVStore.factory(capacity=10)]) as realm:
        guest = wasmport.load("./guest.wat", realm=realm)
        memory = wasmport.instance_of(guest).exports["memory"]
        store = KVStore.of(guest)  # the host object this instance imported

        print("store() ->", guest.store())
        print("host data:", store.data, "log:", store.log)
        n = guest.load(64)
        print("load(64) ->", n, memory.read(128, n))
        print("load(4)  ->", guest.load(4), "(-ERANGE: the buffer is too small)")
        print("stat()   ->", guest.stat(), struct.unpack("<I4xq", memory.read(256, 16)))
        try:
            guest.bad()
        except wasmport.MemoryAccessError as err:
            print("bad()    ->", type(err).__name__, f"(offset={err.offset}, "
                  f"length={err.length}, size={err.size})")

        other = wasmport.load("./guest.wat?source", realm=realm).instantiate()
        print("a second instance has its own store:", KVStore.of(other).data)


if __name__ == "__main__":
    main()
