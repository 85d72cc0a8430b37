"""The records of the compiled-code cache: what a source or an artifact was when last checked.

A record is trusted only if its checksum (``check``: the sha256 of the rest) matches and it
parses in every field; anything else is a miss (recompiled and rewritten), never an error.
The checksum turns any damage into a miss, even one that still parses: a record that lost
the module's opaque sites would have the engine describe such a type, which aborts.

Both kinds keep a stat and when it was taken (``checked_ns``): a stat equal to the record's
proves the file unchanged, unless the file changed within ``RACY_NS`` of that moment (file
timestamps are coarse, so a second write in the same tick keeps the ctime): then the file is
hashed, as git does for its "racily clean" index entries.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from typing import Any

WASMTIME_VERSION = version("wasmtime")

#: A file whose ctime is this close to when its record was made may have been written again
#: in the same timestamp tick (a jiffy where timestamps have nanoseconds, whole seconds on
#: FAT and some network file systems): it is hashed instead of trusted by its stat.
RACY_NS = 100_000_000
RACY_COARSE_NS = 2_000_000_000
#: The code kinds a record names ("kind"; a record without one is a module's).
MODULE, COMPONENT = "module", "component"

def flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value not in ("0", "false", "no", "off")


def racy(ctime_ns: int, checked_ns: int) -> bool:
    """Whether a file with this ctime may have changed unseen since ``checked_ns``."""
    coarse = ctime_ns % 1_000_000_000 == 0
    return ctime_ns >= checked_ns - (RACY_COARSE_NS if coarse else RACY_NS)


def verify_always() -> bool:
    return flag("WASMPORT_CACHE_VERIFY", False)


@dataclass(frozen=True)
class SourceStat:
    path: str
    mtime_ns: int
    size: int
    ino: int
    ctime_ns: int
    seen_ns: int = field(default_factory=time.time_ns, compare=False)

    @classmethod
    def of(cls, path: str, st: os.stat_result) -> SourceStat:
        return cls(path, st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)

    def fields(self) -> list[int]:
        return [self.mtime_ns, self.size, self.ino, self.ctime_ns]

    def key(self) -> tuple[int, ...]:
        """What an in-memory cache compares to tell the file unchanged."""
        return tuple(self.fields())

    def record(self, digest: str) -> dict[str, Any]:
        """The source record saying this stat is this content (``src/<hash>.json``)."""
        return {"path": self.path, "stat": self.fields(), "digest": digest,
                "checked_ns": self.seen_ns}


def source_digest(record: dict[str, Any], source: SourceStat) -> str | None:
    """The digest a source record gives, if it proves ``source`` unchanged; else None."""
    digest: Any = record.get("digest")
    checked: Any = record.get("checked_ns")
    if (record.get("path") != source.path or record.get("stat") != source.fields()
            or not is_hex(digest) or not ints([checked], 1) or verify_always()
            or racy(source.ctime_ns, checked)):
        return None
    return str(digest)


@dataclass(frozen=True)
class CodeRecord:
    """A parsed ``code/<key>.json``; ``parse`` returns None for anything malformed."""

    sha256: str
    size: int
    stat: list[int]  # the artifact's size, inode and ctime when last checked
    checked_ns: int
    extra: dict[str, Any]

    @classmethod
    def parse(cls, value: dict[str, Any], digest: str, engine_key: str,
              kind: str = MODULE) -> CodeRecord | None:
        """The record, or None when malformed or of another code kind (a component's
        artifact is never deserialized as a module, nor the other way round)."""
        if (value.get("wasmtime"), value.get("engine"), value.get("digest"),
                value.get("kind", MODULE)) != (WASMTIME_VERSION, engine_key, digest, kind):
            return None
        sha: Any = value.get("sha256")
        size: Any = value.get("size")
        stat: Any = value.get("stat")
        checked: Any = value.get("checked_ns", 0)
        extra: Any = value.get("extra")
        if not (is_hex(sha) and ints([size, checked], 2) and ints(stat, 3)
                and isinstance(extra, dict)) or size <= 0:
            return None
        return cls(sha, size, stat, checked, extra)

    @staticmethod
    def new(engine_key: str, digest: str, data: bytes, st: os.stat_result,
            extra: dict[str, Any], kind: str = MODULE) -> dict[str, Any]:
        """The record of the artifact ``data`` just written (``st``: its stat after the
        rename)."""
        return {"wasmtime": WASMTIME_VERSION, "engine": engine_key, "digest": digest,
                "kind": kind,
                "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                "stat": _stat_of(st), "checked_ns": time.time_ns(), "extra": extra}

    @staticmethod
    def refreshed(st: os.stat_result) -> dict[str, Any] | None:
        """After a full hash matched: the fields that let later hits trust the stat (None
        while the stat is still racy: they would hash anyway)."""
        now = time.time_ns()
        return None if racy(st.st_ctime_ns, now) else {"stat": _stat_of(st), "checked_ns": now}

    def trusts(self, st: os.stat_result) -> bool:
        """Whether the artifact ``st`` is known, by its stat alone, to be unchanged."""
        return (_stat_of(st) == self.stat
                and not racy(st.st_ctime_ns, self.checked_ns) and not verify_always())


def _stat_of(artifact: os.stat_result) -> list[int]:
    return [artifact.st_size, artifact.st_ino, artifact.st_ctime_ns]


def is_hex(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(
        c in "0123456789abcdef" for c in value)


def ints(value: object, count: int) -> bool:
    return isinstance(value, list) and len(value) == count and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value)


def write_atomic(path: str, data: bytes) -> os.stat_result | None:
    """Write ``data`` to a temporary file, rename it to ``path``; its stat after the rename
    (which changes its ctime), or None."""
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    except OSError:
        return None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.replace(tmp, path)
            return os.fstat(f.fileno())
    except OSError:
        unlink(tmp)
        return None


def write_json(path: str, value: dict[str, Any]) -> os.stat_result | None:
    """Write a record, with its checksum."""
    sealed = dict(value, check=_check_of(value))
    return write_atomic(path, json.dumps(sealed, sort_keys=True).encode())


def unsealed(value: dict[str, Any]) -> dict[str, Any] | None:
    """The record without its checksum, or None when the checksum does not match."""
    rest = {k: v for k, v in value.items() if k != "check"}
    return rest if value.get("check") == _check_of(rest) else None


def _check_of(value: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
