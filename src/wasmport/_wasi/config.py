"""The WASI configuration value: what a program is granted.  Nothing by default.

::

    WasiConfig()                      the sandbox default
      args        ()                  argv is [argv0] alone
      env         ()                  no environment variables
      preopens    ()                  no directories
      stdin       None                reads as empty
      stdout      None                Python's sys.stdout, looked up at each write
      stderr      None                Python's sys.stderr, looked up at each write
      http        False               components: no wasi:http (no sockets, ever)
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any, Union

#: stdout/stderr: None (sys.stdout/sys.stderr), "capture", "inherit", "discard" or a file.
Output = Union[None, str, IO[Any]]  # noqa: UP007 - a runtime alias, Python 3.10 too
#: stdin: None (empty), bytes, a file object (read when the program starts) or "inherit".
Input = Union[None, bytes, str, IO[Any]]  # noqa: UP007

_OUTPUT_WORDS = ("capture", "inherit", "discard")


@dataclass(frozen=True)
class Preopen:
    """A host directory offered to the guest; ``read_only`` refuses every write.

    The host path is made absolute when the value is created.
    """

    host: str
    read_only: bool = False

    def __post_init__(self) -> None:
        host = os.fspath(self.host)
        if not isinstance(host, str) or not host:
            raise ValueError(f"Preopen(host=...) must be a directory path, not {self.host!r}")
        object.__setattr__(self, "host", os.path.abspath(host))


@dataclass(frozen=True)
class WasiConfig:
    """What a WASI program may see: a frozen, hashable value.

    ``args``: the arguments after ``argv[0]``; ``argv0``: the program name (default:
    the module's file name for :func:`wasmport.run`, the realm's name otherwise);
    ``env``: a mapping or (name, value) pairs; ``preopens``: guest path -> host
    directory (a path or a :class:`wasmport.Preopen`); ``stdin``: None (empty), bytes,
    a file object (its content is read when the WASI context is made) or
    ``"inherit"`` (the process's own stdin); ``stdout`` / ``stderr``: None (Python's
    ``sys.stdout`` / ``sys.stderr`` at each write), a file object, ``"capture"``
    (bytes in :class:`wasmport.RunResult`), ``"inherit"`` (the process's own file
    descriptor) or ``"discard"``.  ``http=True`` gives a component wasi:http (outgoing
    requests; off by default); a component never gets sockets.

    Example::

        >>> WasiConfig(args=["-v"], env={"LANG": "C"}).env
        (('LANG', 'C'),)
    """

    # Annotated with what the constructor accepts; stored normalized: args a tuple,
    # env a tuple of (name, value) pairs, preopens a tuple of (guest, Preopen) pairs.
    args: Iterable[str] = ()
    env: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    preopens: Mapping[str, str | os.PathLike[str] | Preopen] | Iterable[Any] = ()
    stdin: Input = None
    stdout: Output = None
    stderr: Output = None
    argv0: str | None = None
    http: bool = False

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "args", _strings(self.args, "args"))
        set_(self, "env", _env(self.env))
        set_(self, "preopens", _preopens(self.preopens))
        set_(self, "stdin", _stdin(self.stdin))
        for name in ("stdout", "stderr"):
            _check_output(name, getattr(self, name))
        if not isinstance(self.http, bool):
            raise TypeError(f"WasiConfig(http=...) must be True or False, not {self.http!r}")
        if self.argv0 is not None and not isinstance(self.argv0, str):
            raise TypeError(f"WasiConfig(argv0=...) must be a str, not {self.argv0!r}")

    def __hash__(self) -> int:
        # File objects hash by identity, which is what sharing a realm needs.
        return hash((self.args, self.env, self.preopens, _key(self.stdin),
                     _key(self.stdout), _key(self.stderr), self.argv0, self.http))

    def argv(self, default_argv0: str) -> list[str]:
        """The full argv the guest sees."""
        return [self.argv0 if self.argv0 is not None else default_argv0, *self.args]


def _key(value: Any) -> Any:
    return value if isinstance(value, (str, bytes, type(None))) else id(value)


def _strings(values: Iterable[str], what: str) -> tuple[str, ...]:
    if isinstance(values, (str, bytes)):
        raise TypeError(f"WasiConfig({what}=...) takes a list of str, not a single "
                        f"{type(values).__name__}")
    out = tuple(values)
    for value in out:
        if not isinstance(value, str):
            raise TypeError(f"WasiConfig({what}=...): {value!r} is not a str")
    return out


def _env(env: Mapping[str, str] | Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    pairs = tuple(env.items()) if isinstance(env, Mapping) else tuple(tuple(p) for p in env)
    for pair in pairs:
        if len(pair) != 2 or not all(isinstance(x, str) for x in pair):
            raise TypeError(f"WasiConfig(env=...): {pair!r} is not a (name, value) pair of str")
        if not pair[0] or "=" in pair[0]:
            raise ValueError(f"WasiConfig(env=...): {pair[0]!r} is not a valid variable name")
    return pairs  # type: ignore[return-value]


def _preopens(preopens: Any) -> tuple[tuple[str, Preopen], ...]:
    items = preopens.items() if isinstance(preopens, Mapping) else preopens
    out = []
    for guest, host in items:
        if not isinstance(guest, str) or not guest:
            raise TypeError(f"WasiConfig(preopens=...): guest path {guest!r} must be a str")
        out.append((guest, host if isinstance(host, Preopen) else Preopen(host)))
    return tuple(out)


def _stdin(stdin: Input) -> Input:
    if stdin is None or stdin == "inherit":
        return stdin
    if isinstance(stdin, (bytes, bytearray, memoryview)):
        return bytes(stdin)
    if isinstance(stdin, str):
        raise TypeError("WasiConfig(stdin=...) takes bytes, a file object, None or "
                        f"'inherit', not the str {stdin!r}; encode text first")
    if not hasattr(stdin, "read"):
        raise TypeError(f"WasiConfig(stdin=...): {type(stdin).__name__} is not a file object")
    return stdin


def _check_output(name: str, value: Output) -> None:
    if value is None or hasattr(value, "write"):
        return
    if isinstance(value, str) and value in _OUTPUT_WORDS:
        return
    raise TypeError(f"WasiConfig({name}=...) takes None (sys.{name}), a file object, or one "
                    f"of {', '.join(map(repr, _OUTPUT_WORDS))}; not {value!r}")


def is_text_stream(stream: Any) -> bool:
    """Whether ``stream`` wants str: binary streams and files opened with 'b' take bytes."""
    if isinstance(stream, (io.RawIOBase, io.BufferedIOBase)):
        return False
    return "b" not in str(getattr(stream, "mode", ""))
