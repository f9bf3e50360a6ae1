"""The mutation corpus (tests/corpus/mutations.py) against the diff rules.

Each mutation must be reported with its expected kind, column and severity, and nothing else
beyond what the case allows; each quiet case must stay below its forbidden severities.
`pytest tests/test_corpus.py -s` also prints the corpus's hit rate and false alarms, the
measure rule changes are tuned against.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import datacouple
from datacouple.changes import diff_fingerprints

from corpus.mutations import ANY, MUTATIONS, QUIET_CASES, Mutation, QuietCase


@dataclass
class Outcome:
    case: Mutation | QuietCase
    changes: list = field(default_factory=list)
    missed: list = field(default_factory=list)  # expected (kind, column, severity) not reported
    false_alarms: list = field(default_factory=list)  # reported, neither expected nor allowed
    problems: list = field(default_factory=list)  # e.g. a scale change without its factor

    @property
    def ok(self) -> bool:
        return not (self.missed or self.false_alarms or self.problems)

    def report(self) -> str:
        lines = [f"{self.case.id}: {self.case.description}"]
        if isinstance(self.case, Mutation):
            lines.append(f"  expected: {self.case.expect}")
            if self.case.allow:
                lines.append(f"  allowed:  {self.case.allow}")
        else:
            lines.append(f"  forbidden severities: {self.case.forbid_severities}")
        lines += [f"  MISSED: {m}" for m in self.missed]
        lines += [f"  FALSE ALARM: {c.severity} {c.kind} {c.column}: {c.message}"
                  for c in self.false_alarms]
        lines += [f"  PROBLEM: {p}" for p in self.problems]
        lines.append(f"  all {len(self.changes)} change(s) reported:")
        lines += [f"    {c.severity:8} {c.kind:26} {c.column!s:14} {c.message}  {c.evidence}"
                  for c in self.changes]
        return "\n".join(lines)


def _matches(change, pattern: tuple) -> bool:
    kind, column, severity = pattern
    return (change.kind == kind
            and (column == ANY or change.column == column)
            and (severity == ANY or change.severity == severity))


def _numbers(value: Any):
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _numbers(item)


def _carries_factor(evidence: dict, factor: float) -> bool:
    """The factor (new / old) under "factor" in the evidence, else anywhere in it."""
    if "factor" in evidence:
        return any(math.isclose(n, factor, rel_tol=0.02) for n in _numbers(evidence["factor"]))
    return any(math.isclose(number, factor, rel_tol=0.02) for number in _numbers(evidence))


def _fingerprint(data: Any, name: str) -> dict:
    return datacouple.fingerprint(data, name=name, progress=False)


def _evaluate_mutation(case: Mutation, directory: Path) -> Outcome:
    old = case.old_table()
    new = case.mutate(old.copy())
    if case.files is not None:
        directory.mkdir(parents=True, exist_ok=True)
        for sub in ("old", "new"):
            (directory / sub).mkdir(exist_ok=True)
        old, new = case.files[0](old, directory / "old"), case.files[1](new, directory / "new")
    changes = diff_fingerprints(_fingerprint(old, case.dataset), _fingerprint(new, case.dataset))
    outcome = Outcome(case, changes=list(changes))
    outcome.missed = [e for e in case.expect if not any(_matches(c, e) for c in changes)]
    outcome.false_alarms = [
        c for c in changes
        if not any(_matches(c, pattern) for pattern in [*case.expect, *case.allow])
    ]
    if case.factor is not None:
        for change in changes:
            if change.kind == "scale_changed" and not _carries_factor(change.evidence,
                                                                      case.factor):
                outcome.problems.append(
                    f"scale_changed on {change.column} lacks the factor {case.factor} "
                    f"in its evidence: {change.evidence}")
    return outcome


def _evaluate_quiet(case: QuietCase, directory: Path) -> Outcome:
    directory.mkdir(parents=True, exist_ok=True)
    old, new = case.make(directory)
    changes = diff_fingerprints(_fingerprint(old, case.dataset), _fingerprint(new, case.dataset))
    outcome = Outcome(case, changes=list(changes))
    outcome.false_alarms = [c for c in changes if c.severity in case.forbid_severities]
    return outcome


_OUTCOMES: dict[str, Outcome] = {}


@pytest.fixture(scope="module")
def evaluate(tmp_path_factory):
    """Evaluate each case once per run; the per-case tests and the summary share results."""
    def run(case: Mutation | QuietCase) -> Outcome:
        if case.id not in _OUTCOMES:
            directory = tmp_path_factory.mktemp("corpus") / case.id.replace("/", "_")
            if isinstance(case, Mutation):
                _OUTCOMES[case.id] = _evaluate_mutation(case, directory)
            else:
                _OUTCOMES[case.id] = _evaluate_quiet(case, directory)
        return _OUTCOMES[case.id]
    return run


def test_corpus_ids_are_unique():
    ids = [case.id for case in [*MUTATIONS, *QUIET_CASES]]
    assert len(ids) == len(set(ids))
    assert len({case.dataset for case in MUTATIONS}) >= 5


@pytest.mark.parametrize("case", MUTATIONS, ids=[case.id for case in MUTATIONS])
def test_mutation_is_classified(case, evaluate):
    outcome = evaluate(case)
    assert outcome.ok, "\n" + outcome.report()


@pytest.mark.parametrize("case", QUIET_CASES, ids=[case.id for case in QUIET_CASES])
def test_quiet_case_stays_quiet(case, evaluate):
    outcome = evaluate(case)
    assert outcome.ok, "\n" + outcome.report()


def test_corpus_summary(evaluate):
    """Hit rate (expected changes reported) and false alarms over the whole corpus."""
    mutations = [evaluate(case) for case in MUTATIONS]
    quiet = [evaluate(case) for case in QUIET_CASES]
    expected = sum(len(o.case.expect) for o in mutations)
    hits = expected - sum(len(o.missed) for o in mutations)
    alarms = [(o.case.id, c) for o in [*mutations, *quiet] for c in o.false_alarms]
    by_severity = {s: sum(1 for _, c in alarms if c.severity == s)
                   for s in ("breaking", "warning", "info")}
    problems = sum(len(o.problems) for o in mutations)
    print(f"\ncorpus: {len(mutations)} mutations, {len(quiet)} quiet cases")
    print(f"hit rate: {hits}/{expected} = {hits / expected:.0%}")
    print(f"false alarms: {len(alarms)} {by_severity}; evidence problems: {problems}")
    for outcome in [*mutations, *quiet]:
        if not outcome.ok:
            print(outcome.report())
    assert hits == expected and not alarms and not problems
