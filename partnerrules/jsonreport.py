"""The JSON structure of reports (documented in docs/output-json.md).

The structure is versioned by :data:`SCHEMA_VERSION`: keys are only ever added within a
version; a key is renamed or removed only with a new schema version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from typing import Final

from partnerrules.model import Assessment
from partnerrules.model import Finding
from partnerrules.model import Report
from partnerrules.model import Status
from partnerrules.summary import summarise

SCHEMA_VERSION: Final = 1


def json_value(value: object) -> object:
    """Return a fact value as JSON-compatible data (dates and times as ISO text)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def finding_as_dict(finding: Finding) -> dict[str, Any]:
    """Return one finding as JSON-compatible data."""
    return {
        "rule_id": finding.rule_id,
        "title": finding.title,
        "group": finding.group,
        "subject": finding.subject,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "weight": finding.weight,
        "evidence": [
            {"path": e.path, "present": e.present, "value": json_value(e.value), "note": e.note}
            for e in finding.evidence
        ],
        "missing": list(finding.missing),
        "advice": finding.advice,
        "source": finding.source,
    }


def assessment_as_dict(assessment: Assessment) -> dict[str, Any]:
    """Return one assessment as JSON-compatible data."""
    info = assessment.ruleset
    counts = assessment.counts()
    return {
        "ruleset": {
            "id": info.id,
            "version": info.version,
            "kind": info.kind,
            "title": info.title,
        },
        "verdict": assessment.verdict,
        "score": assessment.score,
        "coverage": assessment.coverage,
        "counts": {status.value: counts[status] for status in Status},
        "groups": [
            {
                "id": g.id,
                "title": g.title,
                "status": g.status.value,
                "label": g.status_label,
                "score": g.score,
                "coverage": g.coverage,
                "rules": list(g.rule_ids),
            }
            for g in assessment.groups
        ],
        "next_steps": list(assessment.next_steps),
        "outcome": outcome_as_dict(assessment),
        "warnings": [{"code": n.code, "message": n.message} for n in assessment.warnings],
        "actions": list(assessment.actions),
        "items": [
            {"subject": i.subject, "id": i.id, "title": i.title, "advice": i.advice}
            for i in assessment.items
        ],
        "details": json_value(dict(assessment.details)),
        "findings": [finding_as_dict(f) for f in assessment.findings],
    }


def outcome_as_dict(assessment: Assessment) -> dict[str, Any] | None:
    """Return an assessment's outcome (band, stage or category) as JSON-compatible data."""
    o = assessment.outcome
    if o is None:
        return None
    return {
        "id": o.id,
        "title": o.title,
        "kind": o.kind,
        "confidence": o.confidence,
        "margin": o.margin,
        "description": o.description,
    }


def summary_as_dict(report: Report) -> dict[str, Any]:
    """Return the summary that opens a report as JSON-compatible data."""
    summary = summarise(report)
    return {
        "headlines": [
            {
                "ruleset": h.ruleset_id,
                "title": h.title,
                "kind": h.kind,
                "text": h.text,
                "outcome": h.outcome_id,
                "outcome_title": h.outcome_title,
                "confidence": h.confidence,
            }
            for h in summary.headlines
        ],
        "top_actions": [
            {
                "ruleset": a.ruleset_id,
                "rule_id": a.rule_id,
                "title": a.title,
                "advice": a.advice,
                "status": a.status.value,
                "severity": a.severity.value,
                "gate": a.gate,
                "subjects": list(a.subjects),
            }
            for a in summary.actions
        ],
        "stage_actions": list(summary.stage_actions),
        "evidence_to_request": len(summary.evidence_to_request),
    }


def report_as_dict(report: Report) -> dict[str, Any]:
    """Return one report as JSON-compatible data (without the envelope)."""
    worst = report.worst_status()
    return {
        "partnership": report.partnership,
        "facts": report.facts_origin,
        "worst_status": worst.value if worst else None,
        "summary": summary_as_dict(report),
        "assessments": [assessment_as_dict(a) for a in report.assessments],
        "evidence_to_request": [
            {"path": r.path, "rules": list(r.rule_ids)} for r in report.evidence_to_request()
        ],
    }


def reports_as_document(reports: Sequence[Report], version: str) -> dict[str, Any]:
    """Return the whole JSON document of an audit: the envelope and every report."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "partnerrules", "version": version},
        "reports": [report_as_dict(r) for r in reports],
    }
