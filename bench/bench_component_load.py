"""Cold and warm load of the componentize-py guest through the module system.

    python bench/bench_component_load.py        # needs scripts/build-componentize-py

Each figure is a new process with its own empty (cold) or filled (warm) code cache:
the source-phase load (compile, or the cached artifact), then the first instance
(the world's types read, the instance made; WASI granted, as componentize-py needs).
Prints medians of 5 warm runs; a measurement, not a test.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

GUEST = Path(__file__).resolve().parents[1] / ".external" / "components" / "pyguest.wasm"

CHILD = """
import json, sys, time
import wasmport
t0 = time.perf_counter()
comp = wasmport.load(sys.argv[1], phase="source")
t1 = time.perf_counter()
class Host:
    class Journal:
        def __init__(self, name): pass
        def write(self, line): pass
        def lines(self): return 0
    now = staticmethod(lambda: 0)
    lookup = staticmethod(lambda key: None)
    check = staticmethod(lambda v: v)
realm = wasmport.Realm(wasi=wasmport.WasiConfig())
mod = comp.instantiate({"test:pyguest/host": Host}, realm=realm)
t2 = time.perf_counter()
assert mod.api.add(1, 2) == 3
print(json.dumps({"source": t1 - t0, "instance": t2 - t1}))
"""


def _run(cache: str) -> dict[str, float]:
    env = dict(os.environ, WASMPORT_CACHE_DIR=cache)
    done = subprocess.run([sys.executable, "-c", CHILD, str(GUEST)], env=env, check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def main() -> int:
    if not GUEST.exists():
        print(f"{GUEST} is not built: run scripts/build-componentize-py")
        return 1
    with tempfile.TemporaryDirectory() as cache:
        cold = _run(cache)
        warm = [_run(cache) for _ in range(5)]
    source = statistics.median(w["source"] for w in warm)
    instance = statistics.median(w["instance"] for w in warm)
    print(f"pyguest.wasm ({GUEST.stat().st_size / 1e6:.1f} MB)")
    print(f"  cold: source phase {cold['source'] * 1e3:8.1f} ms  (compile)")
    print(f"  warm: source phase {source * 1e3:8.1f} ms  first instance {instance * 1e3:.1f} ms"
          f"  ({cold['source'] / source:.0f}x faster than cold)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
