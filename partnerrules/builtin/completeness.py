"""The ``completeness`` kind: is every element of a document there?

Rules are the questions each element (group) must answer. An element is present when
every question is answered, missing when none is, partial in between, and unknown while
questions are unrecorded. The completeness figure is the weighted share of the known
elements (present 1, partial 0.5, missing 0); unknown elements are reported separately as
coverage. A group with ``weight = 0`` is shown but not counted (a precondition such as
"the agreement is written down"). Bands and gates work as for checklists; "what to add
next" lists the unanswered questions, most severe first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from partnerrules import Assessment
from partnerrules import Finding
from partnerrules import RegisterKind
from partnerrules import Ruleset
from partnerrules import Status
from partnerrules import hookimpl
from partnerrules.rollup import MET
from partnerrules.rollup import NOT_APPLICABLE
from partnerrules.rollup import PARTIAL
from partnerrules.rollup import UNKNOWN
from partnerrules.rollup import UNMET
from partnerrules.rollup import band_outcome
from partnerrules.rollup import check_bands
from partnerrules.rollup import group_results
from partnerrules.rollup import known_share
from partnerrules.rollup import next_steps

#: How the completeness kind names the status of an element.
ELEMENT_WORDS: Final = {
    Status.MET: "present",
    Status.PARTIAL: "partial",
    Status.UNMET: "missing",
    Status.UNKNOWN: "unknown",
    Status.NOT_APPLICABLE: "not applicable",
}


def assess_completeness(ruleset: Ruleset, findings: Sequence[Finding]) -> Assessment:
    """Judge each element present / partial / missing / unknown, and overall completeness."""
    groups = group_results(ruleset, findings, ELEMENT_WORDS, by_status=True)
    score, coverage = known_share(groups)
    statuses = [g.status for g, weight in groups if weight > 0]
    applicable = len(statuses) - statuses.count(NOT_APPLICABLE)
    unknown = statuses.count(UNKNOWN)
    summary = (
        f"{statuses.count(MET)} of {applicable} elements present;"
        f" {statuses.count(PARTIAL)} partial; {statuses.count(UNMET)} missing;"
        f" {unknown} unknown"
    )
    if score is None:
        verdict = f"{summary}: not enough evidence to judge completeness"
    else:
        verdict = f"{summary}: {score:.0%} complete over the {applicable - unknown} elements known"
    outcome, notices = band_outcome(ruleset, findings, score, coverage)
    return Assessment(
        ruleset.ruleset,
        tuple(findings),
        tuple(g for g, _ in groups),
        score,
        coverage,
        verdict,
        next_steps(ruleset, findings),
        outcome,
        tuple(notices),
    )


def _check(ruleset: Ruleset) -> list[str]:
    problems = check_bands(ruleset)
    if not ruleset.groups:
        problems.append(
            "$.groups: a completeness ruleset declares its elements as [[groups]]"
            " (id and title), in the order a reader should see them"
        )
    return problems


@hookimpl
def register_kinds(register: RegisterKind) -> None:
    """Register the completeness kind."""
    register(
        "completeness",
        assess_completeness,
        description="elements of a document judged present, partial, missing or unknown",
        validate=_check,
    )
