"""The summary that opens every report: what a funder's officer reads in ten seconds.

One headline per assessment (stage with confidence, success-factor band, agreement
completeness, ladder rung...), the most important actions across all of them, the
diagnosed stage's recommended actions, and how much evidence is missing.
"""

from __future__ import annotations

from typing import Final

from attrs import frozen

from partnerrules.model import Assessment
from partnerrules.model import EvidenceRequest
from partnerrules.model import Finding
from partnerrules.model import Report
from partnerrules.model import Severity
from partnerrules.model import Status

#: How many actions the summary lists.
TOP_ACTIONS: Final = 5


@frozen
class Headline:
    """One assessment in a line."""

    ruleset_id: str
    title: str
    kind: str
    text: str
    outcome_id: str | None
    outcome_title: str | None
    confidence: str | None


@frozen
class Action:
    """Something to do, from a rule that is not (fully) met."""

    ruleset_id: str
    rule_id: str
    title: str
    advice: str
    status: Status
    severity: Severity
    gate: bool
    subjects: tuple[str, ...] = ()


@frozen
class Summary:
    """The opening of a report."""

    partnership: str
    headlines: tuple[Headline, ...]
    actions: tuple[Action, ...]
    stage_actions: tuple[str, ...]
    evidence_to_request: tuple[EvidenceRequest, ...]


def headline(assessment: Assessment) -> Headline:
    """Return the one-line headline of an assessment."""
    outcome = assessment.outcome
    text = assessment.verdict
    if outcome is not None and outcome.kind == "band" and not text.startswith(outcome.title):
        text = f"{outcome.title}: {text}"
    info = assessment.ruleset
    return Headline(
        info.id,
        info.title,
        info.kind,
        text,
        outcome.id if outcome else None,
        outcome.title if outcome else None,
        outcome.confidence if outcome else None,
    )


def _priority(finding: Finding, order: int) -> tuple[int, int, int, float, int]:
    gate_unmet = finding.rule.gate is not None and finding.status is Status.UNMET
    return (
        0 if gate_unmet else 1,
        -finding.rule.severity.rank,
        0 if finding.status is Status.UNMET else 1,
        -finding.rule.weight,
        order,
    )


def top_actions(report: Report, limit: int = TOP_ACTIONS) -> tuple[Action, ...]:
    """Return the most important actions across every assessment of a report.

    The candidates are each assessment's next steps (its kind decides what is worth
    doing: a stage indicator or a classification category is not a to-do). Unmet gates
    come first, then the most severe rules, unmet before partial, heavier before lighter.
    A rule over a list (``for_each``) is one action naming its subjects.
    """
    ranked: list[tuple[tuple[int, int, int, float, int], Finding, str]] = []
    for order, assessment in enumerate(report.assessments):
        steps = set(assessment.next_steps)
        for finding in assessment.findings:
            if finding.rule.id not in steps:
                continue
            if finding.status not in (Status.UNMET, Status.PARTIAL):
                continue
            ranked.append((_priority(finding, order), finding, assessment.ruleset.id))
    ranked.sort(key=lambda entry: entry[0])
    actions: dict[tuple[str, str], Action] = {}
    for _, finding, ruleset_id in ranked:
        key = (ruleset_id, finding.rule.id)
        if key in actions:
            if finding.subject:
                found = actions[key]
                actions[key] = Action(
                    found.ruleset_id,
                    found.rule_id,
                    found.title,
                    found.advice,
                    found.status,
                    found.severity,
                    found.gate,
                    (*found.subjects, finding.subject),
                )
            continue
        if len(actions) == limit:
            continue
        actions[key] = Action(
            ruleset_id,
            finding.rule.id,
            finding.rule.title,
            finding.rule.advice,
            finding.status,
            finding.rule.severity,
            finding.rule.gate is not None and finding.status is Status.UNMET,
            (finding.subject,) if finding.subject else (),
        )
    return tuple(actions.values())


def summarise(report: Report) -> Summary:
    """Return the summary of a report."""
    stage_actions: tuple[str, ...] = ()
    for assessment in report.assessments:
        if assessment.ruleset.kind == "stages" and assessment.outcome is not None:
            stage_actions = assessment.actions
            break
    return Summary(
        report.partnership,
        tuple(headline(a) for a in report.assessments),
        top_actions(report),
        stage_actions,
        report.evidence_to_request(),
    )
