"""``wasmport run``: run a WASI command, or call one export with ``--invoke``.

Exit codes: the guest's exit status; 134 when it traps or exceeds a limit (as
``wasmtime run`` on Unix); 1 for any other error; 2 for a usage error (argparse's own,
or an --invoke name or argument that does not fit the export).
"""

from __future__ import annotations

import argparse
import os
import re
from typing import Any

from .._api.run import exit_code, finish_output, run
from .._engine.limits import Limits
from .._engine.valtypes import check_value
from .._errors import Trap
from .._exports.function import Function
from .._exports.namespace import instance_of
from .._realm import default_realm
from .._realm.component import component_instance_or_none
from .._resolve.specifiers import SUFFIXES, is_dotted_name
from .._wasi.config import Preopen, WasiConfig
from .compinvoke import ComponentInvokeError, invoke_component
from .targets import report_error

EXIT_USAGE = 2

_SIZE = re.compile(r"^\s*(\d+)\s*(?:([kmg])(?:i?b)?|b)?\s*$", re.IGNORECASE)
_UNITS = {None: 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run", help="run a WASI command, or call one export with --invoke",
        description="Run a WebAssembly module: a WASI command's _start, or the export "
        "--invoke names, with its arguments converted to the export's parameter types. "
        "Nothing is granted unless asked: no directories, no environment variables.",
        epilog="Put the program's own arguments after --.  Exit status: the program's; "
        "134 when it traps or exceeds a limit; 1 for other errors.")
    p.add_argument("module", metavar="FILE_OR_MODULE",
                   help="a .wasm/.wat file, or a module name found on sys.path")
    p.add_argument("args", nargs="*", metavar="ARGS", help="arguments for the program")
    p.add_argument("--invoke", metavar="NAME", help="call this export instead of _start "
                   "and print its results")
    p.add_argument("--dir", action="append", default=[], metavar="HOST[::GUEST]",
                   help="give the program the host directory HOST as GUEST (default: the "
                   "same path); repeatable")
    p.add_argument("--ro-dir", action="append", default=[], metavar="HOST[::GUEST]",
                   help="like --dir, read-only")
    p.add_argument("--env", action="append", default=[], metavar="NAME[=VALUE]",
                   help="set an environment variable (NAME alone: copy the host's value)")
    p.add_argument("--fuel", type=int, metavar="N", help="fuel for each call (about one "
                   "unit per wasm instruction)")
    p.add_argument("--timeout", type=float, metavar="SECONDS", help="wall-clock limit")
    p.add_argument("--max-memory", type=parse_size, metavar="BYTES",
                   help="largest size of each linear memory (suffixes K, M, G)")
    p.add_argument("--max-instances", type=int, metavar="N", help="most instances")
    p.add_argument("--max-table-elements", type=int, metavar="N",
                   help="most elements of each table")
    p.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS,
                   help="on an error, print the full traceback")
    p.set_defaults(handler=run_command, takes_rest=True)


def parse_size(text: str) -> int:
    match = _SIZE.match(text)
    if match is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size in bytes (like 65536, "
                                         "64K or 16M)")
    unit = match.group(2).lower() if match.group(2) else None
    return int(match.group(1)) * _UNITS[unit]


def run_command(args: argparse.Namespace) -> int:
    specifier = _specifier(args.module)
    config = WasiConfig(args=[*args.args, *args.rest], env=_env(args.env),
                        preopens=_dirs(args.dir, False) + _dirs(args.ro_dir, True),
                        stdin="inherit", argv0=args.module)
    limits = Limits(fuel=args.fuel, timeout=args.timeout, max_memory=args.max_memory,
                    max_instances=args.max_instances,
                    max_table_elements=args.max_table_elements)
    limits_or_none = None if limits == Limits() else limits
    if args.invoke is not None:
        try:
            return invoke(specifier, args.invoke, [*args.args, *args.rest], config,
                          limits_or_none)
        except InvokeUsageError as err:
            return report_error(args, err, EXIT_USAGE)
    return run(specifier, wasi=config, limits=limits_or_none, base_dir=os.getcwd()).exit_code


def _specifier(word: str) -> str:
    """A path given on the command line as is (``x.wasm`` means ``./x.wasm``)."""
    if os.path.exists(word) or word.endswith(SUFFIXES) or not is_dotted_name(word):
        return os.path.abspath(word)
    return word


def _env(words: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for word in words:
        name, eq, value = word.partition("=")
        if not eq:
            if name not in os.environ:
                raise ValueError(f"--env {name}: no such variable in this environment; "
                                 f"give a value with --env {name}=VALUE")
            value = os.environ[name]
        pairs.append((name, value))
    return pairs


def _dirs(words: list[str], read_only: bool) -> list[tuple[str, Preopen]]:
    out = []
    for word in words:
        host, sep, guest = word.partition("::")
        out.append((guest if sep else host, Preopen(host, read_only=read_only)))
    return out


class InvokeUsageError(ValueError):
    """An --invoke name or argument that does not fit the module: a usage error."""


def invoke(specifier: str, name: str, words: list[str], config: WasiConfig,
           limits: Limits | None) -> int:
    """Load the module (WASI and limits as given), call ``name`` with ``words``
    converted to its parameter types, print each result on its own line."""
    realm = default_realm().child(wasi=config, limits=limits)
    try:
        module = realm.load(specifier, base_dir=os.getcwd())
        component = component_instance_or_none(module)
        if component is not None:
            try:
                return _finished(realm, invoke_component(component, name, words,
                                                         str(module.__file__)))
            except ComponentInvokeError as err:
                raise InvokeUsageError(str(err)) from None
        func = _export(module, name)
        values = _convert(func, words)
        try:
            result = func(*values)
        except Trap as err:
            code = exit_code(err, f"{_module_where(module)}: {name}()")
            if code is None:
                raise
            return code
        for value in result if isinstance(result, tuple) else (result,):
            if value is not None:
                print(value)
        finish_output(realm)
        return 0
    finally:
        realm.close()


def _finished(realm: Any, code: int) -> int:
    finish_output(realm)
    return code


def _module_where(module: Any) -> str:
    source = instance_of(module).module
    return str(source.path or source.name)


def _export(module: Any, name: str) -> Function:
    instance = instance_of(module)
    func = instance.exports.get(name)
    if not isinstance(func, Function):
        names = sorted(n for n, v in instance.exports.items() if isinstance(v, Function))
        raise InvokeUsageError(f"{_module_where(module)}: --invoke {name}: no exported function "
                          f"of that name; its functions: {', '.join(names) or 'none'}")
    return func


def _convert(func: Function, words: list[str]) -> list[Any]:
    if len(words) != len(func.params):
        raise InvokeUsageError(f"--invoke {func.__doc__}: takes {len(func.params)} argument"
                        f"{'' if len(func.params) == 1 else 's'}, {len(words)} given")
    pairs = zip(func.params, words, strict=True)
    return [_parse(vt, word, func, i) for i, (vt, word) in enumerate(pairs)]


def _parse(vt: str, word: str, func: Function, index: int) -> Any:
    what = f"--invoke {func.__doc__}: argument {index + 1}"
    try:
        if vt in ("i32", "i64"):
            return check_value(vt, int(word, 0), what)
        if vt in ("f32", "f64"):
            return float(word)
    except OverflowError as err:
        raise InvokeUsageError(str(err)) from None
    except ValueError:
        pass
    else:
        raise InvokeUsageError(f"--invoke {func.__doc__}: parameter {index + 1} is a {vt}, "
                               "which cannot be given on the command line")
    raise InvokeUsageError(f"{what}, {word!r}, is not {'an' if vt[0] == 'i' else 'a'} {vt}")
