"""The ``checklist`` kind: rules grouped into factors, scored, placed in a band.

Each factor scores the weighted share of its known rules that are met (met 1, partial
0.5, unmet 0); the overall score is the weighted mean of the factors that could be
judged. Unknown and not-applicable rules are left out of the score and show as coverage
instead. The ruleset's ``[[bands]]`` interpret the score, and a rule with ``gate = "band"``
caps the outcome at that band when it is unmet.
"""

from __future__ import annotations

from collections.abc import Sequence

from partnerrules import Assessment
from partnerrules import Finding
from partnerrules import RegisterKind
from partnerrules import Ruleset
from partnerrules import hookimpl
from partnerrules.rollup import band_outcome
from partnerrules.rollup import check_bands
from partnerrules.rollup import known_share
from partnerrules.rollup import tally


def assess_checklist(ruleset: Ruleset, findings: Sequence[Finding]) -> Assessment:
    """Score factors and the whole checklist, then place the score in a band."""
    found = tally(ruleset, findings)  # the groups, next steps and gates in one pass
    groups = found.groups
    score, coverage = known_share(groups)
    outcome, notices = band_outcome(ruleset, found.gated, score, coverage)
    if score is None:
        verdict = "not enough evidence to score"
    else:
        verdict = f"{score:.0%} on the {coverage:.0%} of the checklist that could be judged"
    if outcome is not None and outcome.determined:
        verdict = f"{outcome.title}: {verdict}"
    steps, short = found.steps, found.short  # short: the groups with something to act on
    actions = tuple(
        action for group in ruleset.groups if group.id in short for action in group.actions
    )
    return Assessment(
        ruleset.ruleset,
        tuple(findings),
        tuple(g for g, _ in groups),
        score,
        coverage,
        verdict,
        steps,
        outcome,
        tuple(notices),
        actions,
    )


@hookimpl
def register_kinds(register: RegisterKind) -> None:
    """Register the checklist kind."""
    register(
        "checklist",
        assess_checklist,
        description="rules grouped into factors, scored from their weights, placed in bands",
        validate=check_bands,
    )
