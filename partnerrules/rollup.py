"""Helpers for assessment kinds: rolling findings up into groups, scores, bands and gates.

The built-in kinds use these, and so can a plugin's own kind. Every helper keeps the
honesty rule: unknown findings never count as failures; they lower coverage instead.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from functools import partial
from typing import Final
from typing import NamedTuple

from partnerrules.model import Finding
from partnerrules.model import GroupResult
from partnerrules.model import Notice
from partnerrules.model import Outcome
from partnerrules.model import Ruleset
from partnerrules.model import Status

MET: Final = Status.MET
PARTIAL: Final = Status.PARTIAL
UNMET: Final = Status.UNMET
UNKNOWN: Final = Status.UNKNOWN
NOT_APPLICABLE: Final = Status.NOT_APPLICABLE

#: What a status is worth in a score; unknown and not applicable are left out.
VALUE: Final = {MET: 1.0, PARTIAL: 0.5, UNMET: 0.0}


def roll_up(statuses: Sequence[Status]) -> Status:
    """Combine the statuses of a group's findings without claiming more than is known.

    All met is met and all unmet is unmet, but only when nothing is unknown; a mix of
    met and unmet (or any partial) is partial whatever the unknowns would turn out to be.
    """
    mask = 0
    for status in statuses:
        mask |= _BIT[status]
    return _ROLL_UP[mask]


def _combine(present: set[Status]) -> Status:
    """Return the roll-up of a group whose findings have exactly these statuses."""
    applicable = present - {NOT_APPLICABLE}
    if not applicable:
        return NOT_APPLICABLE
    known = applicable - {UNKNOWN}
    if not known:
        return UNKNOWN
    if known == {MET} or known == {UNMET}:
        return next(iter(known)) if UNKNOWN not in present else UNKNOWN
    return PARTIAL


#: Build a GroupResult from a 7-tuple without the Python-level NamedTuple constructor
#: (the tuple must hold every field: this bypasses defaults).
assert GroupResult._fields == ("id", "title", "status", "score", "rule_ids", "label", "coverage")
_new_group_result: Callable[
    [tuple[str, str, Status, float | None, tuple[str, ...], str, float | None]], GroupResult
] = partial(tuple.__new__, GroupResult)

#: One bit per status; a group's roll-up depends only on which statuses it has, so it is
#: read from a table (:func:`roll_up`) rather than worked out for every group of every
#: partnership.
_BIT: Final = {status: 1 << i for i, status in enumerate(Status)}
_ROLL_UP: Final = tuple(
    _combine({status for status in Status if mask & _BIT[status]})
    for mask in range(1 << len(Status))
)


def weighted_score(findings: Sequence[Finding]) -> float | None:
    """Return the weighted share of the known findings that are met (partial counts half)."""
    total = achieved = 0.0
    for f in findings:
        value = VALUE.get(f.status)
        if value is not None:
            total += f.rule.weight
            achieved += f.rule.weight * value
    return achieved / total if total else None


def next_steps(ruleset: Ruleset, findings: Sequence[Finding]) -> tuple[str, ...]:
    """Return the rule ids to act on: unmet, then partial, most severe and heaviest first.

    A rule appears once, in the first of those places that applies (a for_each rule can
    be unmet for one item and partial for another).
    """
    rank = ruleset.priority
    unmet: set[int] = set()
    partial: set[int] = set()
    for f in findings:
        status = f.status
        if status is UNMET:
            unmet.add(rank[f.rule.id])
        elif status is PARTIAL:
            partial.add(rank[f.rule.id])
    return _ranked(ruleset, unmet, partial)


def _ranked(ruleset: Ruleset, unmet: set[int], partial: set[int]) -> tuple[str, ...]:
    """Return the rule ids of the given ranks: unmet first, then those only partial."""
    if not unmet and not partial:
        return ()
    ids = ruleset.ranked_rule_ids
    return tuple([ids[r] for r in sorted(unmet)] + [ids[r] for r in sorted(partial - unmet)])


def by_group(ruleset: Ruleset, findings: Sequence[Finding]) -> list[list[Finding]]:
    """Return the findings of each group, in the ruleset's group order."""
    position = ruleset.group_position
    members: list[list[Finding]] = [[] for _ in ruleset.layout]
    for finding in findings:
        members[position[finding.rule.group]].append(finding)
    return members


def group_statuses(ruleset: Ruleset, findings: Sequence[Finding]) -> list[Status]:
    """Return the rolled-up status of each group, in the ruleset's group order."""
    position = ruleset.group_position
    bit = _BIT
    masks = [0] * len(ruleset.layout)
    for finding in findings:
        masks[position[finding.rule.group]] |= bit[finding.status]
    return [_ROLL_UP[mask] for mask in masks]


def group_results(
    ruleset: Ruleset,
    findings: Sequence[Finding],
    words: Mapping[Status, str] | None = None,
    *,
    by_status: bool = False,
) -> list[tuple[GroupResult, float]]:
    """Roll findings up into their groups, each with the group's weight.

    A group's score is the weighted share of its known findings that are met, or with
    ``by_status`` the value of the group's own status (met 1, partial 0.5, unmet 0).
    Its coverage is the weighted share of its applicable findings that are known (see
    :func:`weighted_score` and :func:`known_weight`, which this computes in one pass).
    """
    if by_status:  # only which statuses each group has matters
        return _status_rows(ruleset, words, group_statuses(ruleset, findings))
    position = ruleset.group_position
    size = len(ruleset.layout)
    bit = _BIT
    value_of = VALUE
    masks = [0] * size
    known = [0.0] * size  # weight of the findings that are met, partial or unmet
    achieved = [0.0] * size  # that weight times what each finding is worth
    applicable = [0.0] * size  # weight of the findings that are not "not applicable"
    for finding in findings:
        status = finding.status
        rule = finding.rule
        i = position[rule.group]
        masks[i] |= bit[status]
        if status is NOT_APPLICABLE:
            continue
        weight = rule.weight
        applicable[i] += weight
        if status is not UNKNOWN:
            known[i] += weight
            achieved[i] += weight * value_of[status]
    return _weighted_rows(ruleset, words, masks, known, achieved, applicable)


def _weighted_rows(
    ruleset: Ruleset,
    words: Mapping[Status, str] | None,
    masks: list[int],
    known: list[float],
    achieved: list[float],
    applicable: list[float],
) -> list[tuple[GroupResult, float]]:
    """Return each group's result and weight from what its findings added up to."""
    new = _new_group_result
    results = []
    for i, (gid, title, weight, rule_ids) in enumerate(ruleset.layout):
        status = _ROLL_UP[masks[i]]
        label = words.get(status, "") if words else ""
        score = achieved[i] / known[i] if known[i] else None
        coverage = known[i] / applicable[i] if applicable[i] else None
        results.append((new((gid, title, status, score, rule_ids, label, coverage)), weight))
    return results


def _status_rows(
    ruleset: Ruleset, words: Mapping[Status, str] | None, statuses: Sequence[Status]
) -> list[tuple[GroupResult, float]]:
    """Return each group's result and weight when its status is its score."""
    new = _new_group_result
    return [
        (
            new(
                (
                    gid,
                    title,
                    status,
                    VALUE.get(status),
                    rule_ids,
                    words.get(status, "") if words else "",
                    None,
                )
            ),
            weight,
        )
        for (gid, title, weight, rule_ids), status in zip(ruleset.layout, statuses, strict=True)
    ]


class Tally(NamedTuple):
    """What a kind needs from the findings, gathered in one pass (see :func:`tally`)."""

    #: Each group's result and weight, as :func:`group_results` gives them.
    groups: list[tuple[GroupResult, float]]
    #: The rule ids to act on, as :func:`next_steps` gives them.
    steps: tuple[str, ...]
    #: The groups with an unmet or partial finding.
    short: set[str]
    #: The findings of the rules with a gate, in order: all :func:`band_outcome` reads.
    gated: list[Finding]


def tally(ruleset: Ruleset, findings: Sequence[Finding]) -> Tally:
    """Return :func:`group_results`, :func:`next_steps` and more in one pass.

    The built-in checklist kind uses it: one pass over the findings instead of one per
    helper. Every finding's rule must be one of the ruleset's.
    """
    position = ruleset.group_position
    rank = ruleset.priority
    size = len(ruleset.layout)
    bit = _BIT
    value_of = VALUE
    masks = [0] * size
    known = [0.0] * size
    achieved = [0.0] * size
    applicable = [0.0] * size
    unmet: set[int] = set()
    partial: set[int] = set()
    short: set[str] = set()
    gated: list[Finding] = []
    for finding in findings:
        status = finding.status
        rule = finding.rule
        group = rule.group
        i = position[group]
        masks[i] |= bit[status]
        if rule.gate is not None:
            gated.append(finding)
        if status is NOT_APPLICABLE:
            continue
        weight = rule.weight
        applicable[i] += weight
        if status is UNKNOWN:
            continue
        known[i] += weight
        achieved[i] += weight * value_of[status]
        if status is UNMET:
            unmet.add(rank[rule.id])
            short.add(group)
        elif status is PARTIAL:
            partial.add(rank[rule.id])
            short.add(group)
    groups = _weighted_rows(ruleset, None, masks, known, achieved, applicable)
    return Tally(groups, _ranked(ruleset, unmet, partial), short, gated)


def known_weight(findings: Sequence[Finding]) -> float | None:
    """Return the weighted share of the applicable findings that are known (not unknown)."""
    applicable = known = 0.0
    for f in findings:
        if f.status is NOT_APPLICABLE:
            continue
        applicable += f.rule.weight
        if f.status is not UNKNOWN:
            known += f.rule.weight
    return known / applicable if applicable else None


def known_share(groups: Sequence[tuple[GroupResult, float]]) -> tuple[float | None, float]:
    """Return (weighted mean score of the groups with a score, share of the evidence known).

    A group's own coverage (the share of its findings known) counts towards the overall
    coverage when it has one; otherwise a group counts as known when it has a score.
    """
    total = scored = achieved = covered = 0.0
    for group, weight in groups:
        if group.status is NOT_APPLICABLE:
            continue
        total += weight
        if group.score is not None:
            scored += weight
            achieved += group.score * weight
        if group.coverage is not None:
            covered += group.coverage * weight
        elif group.score is not None:
            covered += weight
    score = achieved / scored if scored else None
    coverage = covered / total if total else 0.0
    return score, coverage


def confidence(coverage: float) -> str:
    """Return how far a conclusion can be trusted, from the share of evidence recorded."""
    if coverage >= 0.8:
        return "high"
    if coverage >= 0.5:
        return "moderate"
    return "low"


def band_outcome(
    ruleset: Ruleset,
    findings: Sequence[Finding],
    score: float | None,
    coverage: float,
) -> tuple[Outcome | None, list[Notice]]:
    """Place a score in the ruleset's bands, capped by any gate rule that is unmet.

    With no bands declared there is no outcome. Below ``min_coverage`` (a setting of the
    ruleset's ``[assessment]`` table, default 0.5) the outcome is ``undetermined``: too
    little was recorded to place the partnership in a band.
    """
    bands, order = ruleset.band_order  # highest first; 0 is the highest band
    if not bands:
        return None, []
    notices: list[Notice] = []
    min_coverage = float(ruleset.assessment.get("min_coverage", 0.5))  # type: ignore[arg-type]
    if score is None or coverage < min_coverage:
        return (
            Outcome(
                "undetermined",
                "Undetermined",
                "band",
                None,
                None,
                f"only {coverage:.0%} of the assessment could be judged;"
                f" at least {min_coverage:.0%} is needed to place it in a band",
            ),
            notices,
        )
    band = next((b for b in bands if score >= b.min), bands[-1])
    for finding in findings:
        gate = finding.rule.gate
        if gate is None or gate not in order:
            continue
        cap = bands[order[gate]]
        if finding.status is UNMET and order[band.id] < order[gate]:
            notices.append(
                Notice(
                    "gate",
                    f"{finding.rule.id} is not met ({finding.rule.title}), so the result"
                    f" is capped at {cap.title!r}",
                )
            )
            band = cap
        elif finding.status is UNKNOWN and order[band.id] < order[gate]:
            notices.append(
                Notice(
                    "gate_unknown",
                    f"{finding.rule.id} ({finding.rule.title}) is unknown; if it is not met,"
                    f" the result is capped at {cap.title!r}",
                )
            )
    return Outcome(
        band.id, band.title, "band", confidence(coverage), None, band.description
    ), notices


def check_bands(ruleset: Ruleset) -> list[str]:
    """Return the problems of a ruleset's bands and gates (for a kind's ``validate``)."""
    problems = []
    ids = [b.id for b in ruleset.bands]
    for i, band in enumerate(ruleset.bands):
        if not 0 <= band.min <= 1:
            problems.append(f"$.bands[{i}].min: expected a score from 0 to 1, got {band.min}")
        if ids.count(band.id) > 1:
            problems.append(f"$.bands[{i}].id: duplicate band id {band.id!r}")
    for i, rule in enumerate(ruleset.rules):
        if rule.gate is not None and rule.gate not in ids:
            from partnerrules.errors import did_you_mean

            hint = did_you_mean(rule.gate, ids)
            problems.append(
                f"rule {rule.id!r} ($.rules[{i}].gate): no band with id {rule.gate!r}"
                f" in [[bands]]{hint}"
            )
    return problems
