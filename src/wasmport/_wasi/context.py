"""A realm's WASI context: the engine's WASI state of its store, and where output goes.

Guest output reaches Python through wasmtime's custom output callbacks:

    guest fd_write(1, ...) ──> wasmtime (a tokio worker thread) ──> Sink.write(bytes)
                                                                     │ takes the GIL
                                       sys.stdout / a file / capture <┘

The callback runs synchronously (the guest waits for it) but on an engine thread,
never on the thread that called into wasm.  So the calling thread must not hold the
GIL while wasm runs (see docs/wasi.md, "Design notes"); exceptions raised while
writing are kept on the Sink, the guest sees EIO, and :func:`wasmport.run` re-raises
the first one when the program ends.
"""

from __future__ import annotations

import codecs
import ctypes
import errno
import functools
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any, cast

import wasmtime
from wasmtime import _ffi as ffi

from .._engine.limits import Guard
from .._engine.store import StoreContext
from .._exports.function import Function, wrap_func
from .config import Output, Preopen, WasiConfig, is_text_stream
from .fork import check_entry

WASI_MODULE = "wasi_snapshot_preview1"

# wasi_config_set_stdout_custom's callback: (env, bytes, length) -> written or -errno.
_OUTPUT = ctypes.CFUNCTYPE(ctypes.c_ssize_t, ctypes.c_void_p, ctypes.POINTER(ctypes.c_ubyte),
                           ctypes.c_size_t)
_NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)()  # a NULL function pointer

# The functions of wasi_snapshot_preview1, for iterating the host module.
WASI_FUNCTIONS = (
    "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get",
    "clock_time_get", "fd_advise", "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get",
    "fd_fdstat_set_flags", "fd_fdstat_set_rights", "fd_filestat_get", "fd_filestat_set_size",
    "fd_filestat_set_times", "fd_pread", "fd_prestat_dir_name", "fd_prestat_get", "fd_pwrite",
    "fd_read", "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell", "fd_write",
    "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link",
    "path_open", "path_readlink", "path_remove_directory", "path_rename", "path_symlink",
    "path_unlink_file", "poll_oneoff", "proc_exit", "proc_raise", "random_get", "sched_yield",
    "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
)


class Sink:
    """Where one output stream of the guest goes; called from an engine thread."""

    def __init__(self, target: Output, name: str) -> None:
        self.target = target
        self.name = name
        self.error: BaseException | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._text_stream: Any = None  # the last str-only stream written, for finish()

    def install(self, cfg: wasmtime.WasiConfig) -> None:
        if self.target == "inherit":
            getattr(cfg, f"inherit_{self.name}")()
        elif self.target != "discard":
            # Our own callback without a finalizer: wasmtime-py's finalizer would be
            # called by the engine thread that drops the stream, which may be after
            # Python has begun to shut down (a Rust panic at exit).  The Sink keeps
            # the callback alive as long as the realm that can run the guest.
            self._callback = _OUTPUT(self._write_raw)
            setter = getattr(ffi, f"wasi_config_set_{self.name}_custom")
            setter(cfg.ptr(), self._callback, None, _NO_FINALIZER)

    def _write_raw(self, env: int | None, data: Any, size: int) -> int:
        return self.write(ctypes.string_at(data, size) if size else b"")

    def write(self, data: bytes) -> int:
        try:
            self._to_stream(data)
            return len(data)
        except BaseException as exc:  # never let it reach the engine's callback
            if self.error is None:
                self.error = exc
            return -errno.EIO

    def _to_stream(self, data: bytes) -> None:
        stream: Any = self.target if self.target is not None else getattr(sys, self.name)
        if stream is None:  # no console (pythonw): the output has nowhere to go
            return
        if not is_text_stream(stream):
            stream.write(data)
            stream.flush()
            return
        buffer = getattr(stream, "buffer", None)
        if buffer is not None and not is_text_stream(buffer):
            stream.flush()  # keep the order of what Python wrote before
            buffer.write(data)
            buffer.flush()
            return
        self._text_stream = stream
        stream.write(self._decoder.decode(data))
        stream.flush()

    def finish(self) -> None:
        """Flush a partial UTF-8 sequence and re-raise the first write error."""
        tail = self._decoder.decode(b"", final=True)
        if tail and self._text_stream is not None:
            self._text_stream.write(tail)
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class WasiContext:
    """The WASI state of one store, made from a :class:`WasiConfig`."""

    def __init__(self, config: WasiConfig, argv0: str) -> None:
        self.config = config
        self.argv0 = argv0
        self.stdout = Sink(config.stdout, "stdout")
        self.stderr = Sink(config.stderr, "stderr")

    def attach(self, store: wasmtime.Store) -> None:
        """Give ``store`` this WASI context.  Raises OSError for a bad preopen."""
        store.set_wasi(self.engine_config())

    def engine_config(self) -> wasmtime.WasiConfig:
        """A new engine WASI config of this context (a component instance's store gets
        one each).  Raises OSError for a bad preopen."""
        config = self.config
        cfg = wasmtime.WasiConfig()
        cfg.argv = config.argv(self.argv0)
        cfg.env = list(config.env)
        _set_stdin(cfg, config.stdin)
        preopens = cast("tuple[tuple[str, Preopen], ...]", config.preopens)  # normalized
        for guest, pre in preopens:
            _check_dir(guest, pre.host)
            cfg.preopen_dir(pre.host, guest, not pre.read_only)
        self.stdout.install(cfg)
        self.stderr.install(cfg)
        return cfg

    def finish(self) -> None:
        """At the end of a run: flush partial text, re-raise the first write error."""
        try:
            self.stdout.finish()
        finally:
            self.stderr.finish()

    def watch(self, guard: Guard) -> None:
        """Check every outermost call into the store: refused after fork() (fork.py),
        and a write error re-raised when it returns."""
        guard.on_enter = functools.partial(check_entry, self.config)
        guard.on_return = self.raise_pending

    def raise_pending(self) -> None:
        """Re-raise the first exception a write raised since the last check."""
        for sink in (self.stdout, self.stderr):
            error, sink.error = sink.error, None
            if error is not None:
                raise error


def attach_wasi(store: wasmtime.Store, config: WasiConfig, argv0: str) -> WasiContext:
    """The WASI context of a realm's store.  "capture" is :func:`wasmport.run`'s alone."""
    for name in ("stdout", "stderr"):
        if getattr(config, name) == "capture":
            raise ValueError(f"WasiConfig({name}='capture') is for wasmport.run(), which "
                             f"returns the bytes; give a realm or load a file object such as "
                             f"io.BytesIO() instead")
    context = WasiContext(config, argv0)
    context.attach(store)
    return context


def _set_stdin(cfg: wasmtime.WasiConfig, stdin: Any) -> None:
    if stdin is None:
        return  # wasmtime's default: stdin reads as empty
    if stdin == "inherit":
        cfg.inherit_stdin()
        return
    data = stdin if isinstance(stdin, bytes) else stdin.read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    vec = ffi.wasm_byte_vec_t()
    buf = (ffi.wasm_byte_t * len(data)).from_buffer_copy(data) if data else None
    ffi.wasm_byte_vec_new(ctypes.byref(vec), len(data), buf)
    ffi.wasi_config_set_stdin_bytes(cfg.ptr(), ctypes.byref(vec))  # takes ownership of vec


def _check_dir(guest: str, host: str) -> None:
    if not os.path.isdir(host):
        what = "is not a directory" if os.path.exists(host) else "does not exist"
        raise FileNotFoundError(f"WasiConfig(preopens=...): {guest!r} -> {host!r}: the host "
                                f"directory {what}; create it or fix the path")


class WasiImports(Mapping[str, Function]):
    """The host module ``wasi_snapshot_preview1`` of a realm whose store has WASI."""

    def __init__(self, ctx: StoreContext) -> None:
        self._ctx = ctx

    def __getitem__(self, name: str) -> Function:
        store = self._ctx.store
        try:
            func = self._ctx.record.wasi_linker().get(store, WASI_MODULE, name)
        except wasmtime.WasmtimeError:
            raise KeyError(name) from None
        assert isinstance(func, wasmtime.Func)
        return wrap_func(self._ctx, func, name, f"<{WASI_MODULE}>")

    def __iter__(self) -> Iterator[str]:
        return iter(WASI_FUNCTIONS)

    def __len__(self) -> int:
        return len(WASI_FUNCTIONS)
