"""Run WebAssembly spec scripts (.wast) through wasmport's public API.

Each .wast is converted with ``wasm-tools json-from-wast`` into a cache directory keyed
by the script's content hash (suite.py), then its commands run in one fresh
:class:`wasmport.Realm` per script (commands.py), with ``spectest`` registered
(spectest.py).  A command passes, fails, or is skipped for a counted reason (gaps.py).

    python -m spec.harness [-v] [--write-expected] [FILE.wast ...]   (tests/ on sys.path)

or ``scripts/spec``.  With no files: every script of ../shared/spec-testsuite.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import gaps, suite
from .commands import Outcome, ScriptRun

EXPECTED_SKIPS = Path(__file__).with_name("expected_skips.json")


@dataclass
class FileResult:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def skips(self) -> dict[str, int]:
        """Skipped commands per gaps category."""
        return dict(Counter(o.category for o in self.outcomes if o.status == "skipped"))

    def summary(self) -> str:
        line = (f"{self.name}: {self.count('passed')} passed, {self.count('failed')} failed, "
                f"{self.count('skipped')} skipped")
        by_category = ", ".join(f"{c} {n}" for c, n in _ordered(self.skips()))
        return f"{line} ({by_category})" if by_category else line


def _ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: gaps.ORDER.index(item[0]))


def run_script(script_json: Path, name: str | None = None,
               proposal: str | None = None) -> FileResult:
    """Run every command of a converted script; never raises for a failed command."""
    with script_json.open() as f:
        commands = json.load(f)["commands"]
    result = FileResult(name or script_json.stem)
    run = ScriptRun(script_json, gaps.proposal_gate(proposal))
    try:
        result.outcomes = [run.run(cmd) for cmd in commands]
    finally:
        run.close()
    return result


def run(script: suite.Script, cache: Path = suite.CACHE) -> FileResult:
    return run_script(suite.convert(script.path, cache), script.name, script.proposal)


def run_wast(wast: Path) -> FileResult:
    return run(suite.script_of(wast))


# -- the report ---------------------------------------------------------------------------


def report(results: list[FileResult], verbose: bool) -> None:
    totals = Counter(o.status for r in results for o in r.outcomes)
    print(f"spec commands: {totals['passed']} passed, {totals['failed']} failed, "
          f"{totals['skipped']} skipped")
    by_category: Counter[str] = Counter()
    for r in results:
        by_category.update(r.skips())
    for category, n in _ordered(dict(by_category)):
        print(f"  skipped {n:6d}  {category}: {gaps.DESCRIPTIONS[category]}")
        if verbose:
            _print_skips(results, category)


def _print_skips(results: list[FileResult], category: str) -> None:
    for r in results:
        lines: dict[str, list[int]] = defaultdict(list)
        for o in r.outcomes:
            if o.status == "skipped" and o.category == category:
                lines[o.detail].append(o.line)
        for detail, at in lines.items():
            print(f"      {r.name}: {len(at)} x {detail} [{_where(at, len(r.outcomes))}]")


def _where(lines: list[int], commands: int) -> str:
    if len(lines) == commands:
        return "every command"
    shown = ", ".join(map(str, lines[:12]))
    return f"line {shown}" + (f", ... ({len(lines) - 12} more)" if len(lines) > 12 else "")


def write_expected(results: list[FileResult], path: Path = EXPECTED_SKIPS) -> None:
    """Record the skips per file and category (merged into what ``path`` holds)."""
    expected = json.loads(path.read_text()) if path.exists() else {}
    for r in results:
        expected.pop(r.name, None)
        if r.skips():
            expected[r.name] = dict(_ordered(r.skips()))
    rows = [f"  {json.dumps(name)}: {json.dumps(counts)}" for name, counts in sorted(
        expected.items())]
    path.write_text("{\n" + ",\n".join(rows) + "\n}\n")


def main(argv: Iterable[str] = ()) -> int:
    args = list(argv)
    flags = {a for a in args if a.startswith("-")}
    unknown = flags - {"-v", "--write-expected"}
    if unknown:
        print(f"spec: unknown option {sorted(unknown)[0]}", file=sys.stderr)
        return 2
    paths = [Path(a) for a in args if not a.startswith("-")]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"spec: no such .wast file: {missing[0]}", file=sys.stderr)
        return 2
    scripts = [suite.script_of(p) for p in paths] or suite.scripts()
    if not scripts:
        print(f"spec: no .wast files (looked in {suite.SPEC_TESTSUITE})", file=sys.stderr)
        return 2
    results = []
    for script in scripts:
        results.append(run(script))
        print(results[-1].summary())
        for o in results[-1].failures:
            print(f"  line {o.line}: {o.kind} failed: {o.detail}")
    report(results, "-v" in flags)
    if "--write-expected" in flags:
        write_expected(results)
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
