"""Build configuration for the optional C extension ``wasmport._engine._ext``.

Everything else lives in pyproject.toml.  The extension is optional: without a C
compiler (or Python headers) the build skips it and wasmport runs on its ctypes
call layer (``wasmport._engine.fast``); ``wasmport._engine.fast._native.REASON`` then says why.
"""

import sys

from setuptools import Extension, setup

GCC_FLAGS = ["-std=c99", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter",
             "-Wno-missing-field-initializers", "-Wno-cast-function-type"]
NATIVE_HEADERS = ["wasmport_native.h", "caller.h", "host.h", "component.h"]
NATIVE_SOURCES = ["module.c", "convert.c", "caller.c", "caller_type.c", "arity.c", "host.c",
                  "host_new.c", "window.c", "rlock.c", "exports.c", "modattr.c",
                  "interrupt.c", "stack.c", "instance.c", "component.c", "component_new.c",
                  "component_host.c", "component_plan.c", "component_record.c", "vector.c"]

setup(
    ext_modules=[
        Extension(
            "wasmport._engine._ext",
            sources=[f"src/native/{name}" for name in NATIVE_SOURCES],
            depends=[f"src/native/{name}" for name in NATIVE_HEADERS],
            extra_compile_args=[] if sys.platform == "win32" else GCC_FLAGS,
            optional=True,
        ),
    ],
)
