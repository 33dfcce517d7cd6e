"""Run the test cases a ruleset carries (``[[tests]]``): facts and the statuses expected."""

from __future__ import annotations

from collections.abc import Iterator

from attrs import frozen

from partnerrules.engine import Engine
from partnerrules.model import Assessment
from partnerrules.model import Ruleset
from partnerrules.model import TestCase


@frozen
class CaseResult:
    """The outcome of one test case: the mismatches found (none means it passed)."""

    ruleset: str
    case: str
    origin: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        """Return whether every expectation held."""
        return not self.failures

    @property
    def node_id(self) -> str:
        """Return a pytest-like identifier: ``origin::case``."""
        return f"{self.origin}::{self.case}"


def check_case(assessment: Assessment, case: TestCase) -> list[str]:
    """Compare an assessment with a test case's expectations; return the mismatches."""
    failures = []
    for key, expected in case.expect.items():
        rule_id, _, subject = key.partition("[")
        subject = subject.rstrip("]") if subject else ""
        found = [
            f for f in assessment.findings
            if f.rule_id == rule_id and (not subject or f.subject == subject)
        ]  # fmt: skip
        if not found:
            failures.append(f"{key}: expected {expected}, but the rule gave no finding")
            continue
        for f in found:
            if f.status is not expected:
                who = f" for {f.subject}" if f.subject and not subject else ""
                read = "; ".join(
                    f"{e.path}={e.value!r}" if e.present else f"{e.path} not recorded"
                    for e in f.evidence
                )
                failures.append(f"{key}{who}: expected {expected}, got {f.status} (read: {read})")
    if case.expect_outcome:
        got = assessment.outcome.id if assessment.outcome is not None else None
        if got not in case.expect_outcome:
            wanted = " or ".join(case.expect_outcome)
            failures.append(f"outcome: expected {wanted}, got {got} ({assessment.verdict})")
    codes = [n.code for n in assessment.warnings]
    for code in case.expect_warnings:
        if code.startswith("!"):
            if code[1:] in codes:
                failures.append(f"warnings: expected no {code[1:]!r}, got {codes}")
        elif code not in codes:
            failures.append(f"warnings: expected {code!r}, got {codes}")
    items = {item.subject: item.id for item in assessment.items}
    for subject, expected_id in case.expect_items.items():
        if items.get(subject) != expected_id:
            failures.append(f"item {subject!r}: expected {expected_id}, got {items.get(subject)}")
    groups = {g.id: g for g in assessment.groups}
    for group_id, expected_label in case.expect_groups.items():
        group = groups.get(group_id)
        if group is None:
            failures.append(f"group {group_id}: expected {expected_label}, but it has no result")
        elif expected_label not in (group.status.value, group.status_label):
            failures.append(
                f"group {group_id}: expected {expected_label}, got {group.status_label}"
            )
    return failures


def run_cases(engine: Engine, ruleset: Ruleset) -> Iterator[CaseResult]:
    """Evaluate each test case of a ruleset with an engine that holds it."""
    for case in ruleset.tests:
        report = engine.evaluate(case.facts, only=[ruleset.id])
        failures = check_case(report.assessment(ruleset.id), case)
        yield CaseResult(ruleset.id, case.name, ruleset.origin, tuple(failures))
