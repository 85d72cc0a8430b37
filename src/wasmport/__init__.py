"""wasmport: WebAssembly modules as first-class Python modules.

Importing wasmport changes nothing; ``wasmport.install()`` (or ``import wasmport.auto``)
adds the import hook.
Typed host modules: ``wasmport.HostModule``, ``@wasmport.export`` and the value
types in the ``wasmport.types`` submodule (docs/host-modules.md).
"""

from ._api.debug import debug_info as __debug_info__  # noqa: F401 - a dunder, not in __all__
from ._api.load import compile as compile
from ._api.load import instance_of as instance_of
from ._api.load import load as load
from ._api.load import load_async as load_async
from ._api.run import RunResult as RunResult
from ._api.run import run as run
from ._compile.module import ExportDescriptor as ExportDescriptor
from ._compile.module import ImportDescriptor as ImportDescriptor
from ._compile.module import Module as Module
from ._component.values import Err as Err
from ._component.values import Ok as Ok
from ._component.values import Some as Some
from ._engine.limits import Limits as Limits
from ._errors import CompileError as CompileError
from ._errors import HostSignatureError as HostSignatureError
from ._errors import ImportCycleError as ImportCycleError
from ._errors import ImportRefusedError as ImportRefusedError
from ._errors import IncompatibleImportError as IncompatibleImportError
from ._errors import InstancePoisonedError as InstancePoisonedError
from ._errors import LinkError as LinkError
from ._errors import MemoryAccessError as MemoryAccessError
from ._errors import RealmClosedError as RealmClosedError
from ._errors import ResourceDroppedError as ResourceDroppedError
from ._errors import ResourceLimitError as ResourceLimitError
from ._errors import ThreadStackError as ThreadStackError
from ._errors import Trap as Trap
from ._errors import UnknownImportError as UnknownImportError
from ._errors import UnsafeForkError as UnsafeForkError
from ._errors import WasmException as WasmException
from ._errors import WasmportError as WasmportError
from ._exports.function import Function as Function
from ._exports.gc import I31 as I31
from ._exports.gc import Array as Array
from ._exports.gc import ExnRef as ExnRef
from ._exports.gc import GcRef as GcRef
from ._exports.gc import Struct as Struct
from ._exports.global_ import Global as Global
from ._exports.instance import Instance as Instance
from ._exports.memory import Memory as Memory
from ._exports.table import Table as Table
from ._exports.tag import Tag as Tag
from ._host.module import HostModule as HostModule
from ._host.module import export as export
from ._importer.finder import install as install
from ._importer.finder import is_installed as is_installed
from ._importer.finder import uninstall as uninstall
from ._realm import Realm as Realm
from ._realm import default_realm as default_realm
from ._realm.component import Component as Component
from ._tools.check import check as check
from ._tools.compat import compat as compat
from ._version import __version__ as __version__
from ._wasi.config import Preopen as Preopen
from ._wasi.config import WasiConfig as WasiConfig

__all__ = [
    "Array",
    "CompileError",
    "Component",
    "Err",
    "ExnRef",
    "ExportDescriptor",
    "Function",
    "GcRef",
    "Global",
    "HostModule",
    "HostSignatureError",
    "I31",
    "ImportCycleError",
    "ImportDescriptor",
    "ImportRefusedError",
    "IncompatibleImportError",
    "Instance",
    "InstancePoisonedError",
    "Limits",
    "LinkError",
    "Memory",
    "MemoryAccessError",
    "Module",
    "Ok",
    "Preopen",
    "Realm",
    "RealmClosedError",
    "ResourceDroppedError",
    "ResourceLimitError",
    "RunResult",
    "Some",
    "Struct",
    "Table",
    "Tag",
    "ThreadStackError",
    "Trap",
    "UnknownImportError",
    "UnsafeForkError",
    "WasiConfig",
    "WasmException",
    "WasmportError",
    "check",
    "compat",
    "compile",
    "default_realm",
    "export",
    "install",
    "instance_of",
    "is_installed",
    "load",
    "load_async",
    "run",
    "uninstall",
]
