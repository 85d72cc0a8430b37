"""A Ray driver, run in its own process by test_ray.py: ``ray.init()`` installs crash
handlers over the engine's, after which a wasm trap in the driver kills it (SIGILL),
so the test process itself must never call it.  Prints one JSON object."""

from __future__ import annotations

import json
import os
from typing import Any

import ray

import wasmport
from distrib import workers  # on PYTHONPATH, for the workers too: see test_ray.py


def main() -> None:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             configure_logging=False)
    try:
        print(json.dumps(checks()))
    finally:
        ray.shutdown()


def checks() -> dict[str, Any]:
    kernels: Any = workers.kernels()
    square = kernels.square  # ray.remote takes functions defined with def: wrap it

    @ray.remote
    def remote_square(x: int) -> int:
        return int(square(x))

    @ray.remote
    def apply(function: Any, module: wasmport.Module, x: int) -> tuple[int, int, int]:
        instance: Any = module.instantiate()
        return int(function(x)), int(instance.square(x)), os.getpid()

    @ray.remote
    def trap(module: wasmport.Module) -> None:
        module.instantiate().boom()  # type: ignore[attr-defined]

    source = wasmport.load(workers.KERNELS, phase="source")
    applied = ray.get([apply.remote(kernels.square, source, x) for x in range(6)])
    boom = wasmport.compile('(module (func (export "boom") unreachable))', name="boom")
    try:
        ray.get(trap.remote(boom))
        trapped = "no error"
    except wasmport.Trap as err:  # Ray's task error is also an instance of the cause
        trapped = str(err)
    return {"squares": ray.get([remote_square.remote(x) for x in range(20)]),
            "applied": [a[:2] for a in applied], "pids": sorted({a[2] for a in applied}),
            "driver": os.getpid(), "trap": trapped}


if __name__ == "__main__":
    main()
