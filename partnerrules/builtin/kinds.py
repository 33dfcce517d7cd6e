"""The built-in assessment kinds: how findings roll up into groups, a score and a verdict.

``checklist``
    Rules grouped into factors. Each factor scores the weighted share of its known rules
    that are met (met 1, partial 0.5, unmet 0); the overall score is the weighted mean of
    the factors. Unknown and not-applicable rules are left out of the score and counted as
    coverage instead.

``completeness``
    Rules are the sub-questions of the elements of a document (groups). Each element is
    present, partial, missing or unknown; the completeness figure is the weighted share
    of the known elements (present 1, partial 0.5, missing 0), with unknown elements
    reported separately as coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from partnerrules import Assessment
from partnerrules import Finding
from partnerrules import GroupResult
from partnerrules import RegisterKind
from partnerrules import Ruleset
from partnerrules import Status
from partnerrules import hookimpl

_VALUE = {Status.MET: 1.0, Status.PARTIAL: 0.5, Status.UNMET: 0.0}

#: How the completeness kind names the status of an element.
ELEMENT_WORDS = {
    Status.MET: "present",
    Status.PARTIAL: "partial",
    Status.UNMET: "missing",
    Status.UNKNOWN: "unknown",
    Status.NOT_APPLICABLE: "not applicable",
}


def roll_up(statuses: Sequence[Status]) -> Status:
    """Combine the statuses of a group's findings without claiming more than is known.

    All met is met and all unmet is unmet, but only when nothing is unknown; a mix of
    met and unmet (or any partial) is partial whatever the unknowns would turn out to be.
    """
    counts = dict.fromkeys(Status, 0)
    for status in statuses:
        counts[status] += 1
    return _roll_up_counts(
        len(statuses),
        counts[Status.NOT_APPLICABLE],
        counts[Status.UNKNOWN],
        counts[Status.MET],
        counts[Status.UNMET],
    )


def _roll_up_counts(total: int, na: int, unknown: int, met: int, unmet: int) -> Status:
    applicable = total - na
    if not applicable:
        return Status.NOT_APPLICABLE
    known = applicable - unknown
    if not known:
        return Status.UNKNOWN
    if met == known:
        return Status.MET if not unknown else Status.UNKNOWN
    if unmet == known:
        return Status.UNMET if not unknown else Status.UNKNOWN
    return Status.PARTIAL


def weighted_score(findings: Sequence[Finding]) -> float | None:
    """Return the weighted share of the known findings that are met (partial counts half)."""
    total = sum(f.weight for f in findings if f.status in _VALUE)
    if total == 0:
        return None
    return sum(f.weight * _VALUE[f.status] for f in findings if f.status in _VALUE) / total


def next_steps(ruleset: Ruleset, findings: Sequence[Finding]) -> tuple[str, ...]:
    """Return the rule ids to act on: unmet, then partial, most severe and heaviest first."""
    rank = ruleset.priority
    behind = len(rank)  # partial findings come after every unmet one
    todo = [
        (rank[f.rule.id] + (behind if f.status is _PARTIAL else 0), f.rule.id)
        for f in findings
        if f.status is _UNMET or f.status is _PARTIAL
    ]
    if not todo:
        return ()
    todo.sort()
    return tuple(dict.fromkeys(rule_id for _, rule_id in todo))


_MET = Status.MET
_PARTIAL = Status.PARTIAL
_UNMET = Status.UNMET
_UNKNOWN = Status.UNKNOWN
_NA = Status.NOT_APPLICABLE


def _by_group(ruleset: Ruleset, findings: Sequence[Finding]) -> list[list[Finding]]:
    """Return the findings of each group, in the ruleset's group order."""
    position = ruleset.group_position
    members: list[list[Finding]] = [[] for _ in ruleset.layout]
    for finding in findings:
        members[position[finding.rule.group]].append(finding)
    return members


#: One bit per status; a group's roll-up depends only on which statuses it has.
_BIT = {status: 1 << i for i, status in enumerate(Status)}
_ROLL_UP = tuple(
    roll_up([status for status in Status if mask & _BIT[status]])
    for mask in range(1 << len(Status))
)


def _group_status(statuses: list[Status]) -> Status:
    return _roll_up_counts(
        len(statuses),
        statuses.count(_NA),
        statuses.count(_UNKNOWN),
        statuses.count(_MET),
        statuses.count(_UNMET),
    )


_new_group = partial(tuple.__new__, GroupResult)


def _groups(
    ruleset: Ruleset,
    findings: Sequence[Finding],
    words: dict[Status, str] | None = None,
    *,
    by_status: bool = False,
) -> list[tuple[GroupResult, float]]:
    """Roll findings up into their groups, with each group's weight.

    A group's score is the weighted share of its known findings that are met, or with
    ``by_status`` the value of the group's own status (met 1, partial 0.5, unmet 0).
    """
    results = []
    if by_status:  # only which statuses each group has matters
        position = ruleset.group_position
        bit = _BIT
        masks = [0] * len(ruleset.layout)
        for finding in findings:
            masks[position[finding.rule.group]] |= bit[finding.status]
        for (gid, title, group_weight, rule_ids), mask in zip(ruleset.layout, masks, strict=True):
            status = _ROLL_UP[mask]
            label = words.get(status, "") if words else ""
            group = _new_group((gid, title, status, _VALUE.get(status), rule_ids, label))
            results.append((group, group_weight))
        return results
    for (gid, title, group_weight, rule_ids), members in zip(
        ruleset.layout, _by_group(ruleset, findings), strict=True
    ):
        status = _group_status([f.status for f in members])
        score = None if status is _UNKNOWN or status is _NA else weighted_score(members)
        label = words.get(status, "") if words else ""
        group = _new_group((gid, title, status, score, rule_ids, label))
        results.append((group, group_weight))
    return results


def _known_share(groups: list[tuple[GroupResult, float]]) -> tuple[float | None, float]:
    """Return (weighted mean score of the known groups, share of weight that is known)."""
    total = known_weight = achieved = 0.0
    for group, weight in groups:
        if group.status is _NA:
            continue
        total += weight
        if group.score is not None:
            known_weight += weight
            achieved += group.score * weight
    score = achieved / known_weight if known_weight else None
    coverage = known_weight / total if total else 0.0
    return score, coverage


def assess_checklist(ruleset: Ruleset, findings: Sequence[Finding]) -> Assessment:
    """Score factors and the whole checklist from the weighted findings."""
    groups = _groups(ruleset, findings)
    score, coverage = _known_share(groups)
    if score is None:
        verdict = "not enough evidence to score"
    else:
        verdict = f"score {score:.0%} on the {coverage:.0%} of the checklist that could be judged"
    return Assessment(
        ruleset.ruleset,
        tuple(findings),
        tuple(g for g, _ in groups),
        score,
        coverage,
        verdict,
        next_steps(ruleset, findings),
    )


def assess_completeness(ruleset: Ruleset, findings: Sequence[Finding]) -> Assessment:
    """Judge each element present / partial / missing / unknown, and overall completeness."""
    groups = _groups(ruleset, findings, ELEMENT_WORDS, by_status=True)
    score, coverage = _known_share(groups)
    statuses = [group.status for group, _ in groups]
    applicable = len(statuses) - statuses.count(_NA)
    unknown = statuses.count(_UNKNOWN)
    summary = (
        f"{statuses.count(_MET)} of {applicable} elements present;"
        f" {statuses.count(_PARTIAL)} partial; {statuses.count(_UNMET)} missing; {unknown} unknown"
    )
    if score is None:
        verdict = f"{summary}: not enough evidence to judge completeness"
    else:
        verdict = f"{summary}: {score:.0%} complete over the {applicable - unknown} elements known"
    return Assessment(
        ruleset.ruleset,
        tuple(findings),
        tuple(g for g, _ in groups),
        score,
        coverage,
        verdict,
        next_steps(ruleset, findings),
    )


def _needs_groups(ruleset: Ruleset) -> list[str]:
    if not ruleset.groups:
        return [
            "$.groups: a completeness ruleset declares its elements as [[groups]]"
            " (id and title), in the order a reader should see them"
        ]
    return []


@hookimpl
def register_kinds(register: RegisterKind) -> None:
    """Register the checklist and completeness kinds."""
    register(
        "checklist",
        assess_checklist,
        description="rules grouped into factors, scored from their weights",
    )
    register(
        "completeness",
        assess_completeness,
        description="elements of a document judged present, partial, missing or unknown",
        validate=_needs_groups,
    )
