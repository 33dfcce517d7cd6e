"""The text output: what a funder's officer reads in a terminal or a plain-text e-mail."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import Final

from partnerrules import Assessment
from partnerrules import Finding
from partnerrules import OutputOptions
from partnerrules import RegisterOutput
from partnerrules import Report
from partnerrules import Status
from partnerrules import hookimpl

WIDTH: Final = 80
_MARK: Final = {
    Status.MET: "[ok]",
    Status.PARTIAL: "[~~]",
    Status.UNMET: "[!!]",
    Status.UNKNOWN: "[??]",
    Status.NOT_APPLICABLE: "[--]",
}
_ORDER: Final = (Status.UNMET, Status.PARTIAL, Status.UNKNOWN, Status.MET, Status.NOT_APPLICABLE)
_HEADING: Final = {
    Status.UNMET: "Not met",
    Status.PARTIAL: "Partly met",
    Status.UNKNOWN: "Unknown: evidence needed",
    Status.MET: "Met",
    Status.NOT_APPLICABLE: "Not applicable",
}


def _wrap(text: str, indent: str, first: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    ) or [first or indent]


def show_value(value: object, present: bool) -> str:
    """Return a fact value as a reader should see it."""
    if not present:
        return "not recorded"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f'"{text}"'
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        text = json.dumps(value, default=str, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _finding_lines(finding: Finding, evidence: bool) -> list[str]:
    title = finding.title if finding.subject is None else f"{finding.title} ({finding.subject})"
    lines = _wrap(f"{finding.rule_id}  {title}", "         ", f"  {_MARK[finding.status]}  ")
    if evidence:
        notes: dict[str, None] = {}
        for e in finding.evidence:
            lines.extend(
                _wrap(f"{e.path} = {show_value(e.value, e.present)}", "           ", "         - ")
            )
            if e.note:
                notes[e.note] = None
        for note in notes:
            lines.extend(_wrap(f"Evidence: {note}", "           ", "         > "))
    return lines


def render_assessment(assessment: Assessment, options: OutputOptions) -> list[str]:
    """Return the lines for one assessment: verdict, groups, next steps, findings."""
    info = assessment.ruleset
    lines = [f"{info.title}  ({info.id} {info.version})", "-" * min(WIDTH, len(info.title) + 4)]
    lines.extend(_wrap(assessment.verdict[:1].upper() + assessment.verdict[1:], "  "))
    lines.append("")
    if assessment.groups:
        label = "Elements" if info.kind == "completeness" else "Groups"
        lines.append(f"  {label}:")
        width = max(len(g.status_label) for g in assessment.groups)
        for g in assessment.groups:
            score = (
                f"  {g.score:.0%}" if g.score is not None and info.kind != "completeness" else ""
            )
            lines.append(f"    {_MARK[g.status]} {g.status_label:<{width}}  {g.title}{score}")
        lines.append("")
    by_id = {f.rule_id: f for f in assessment.findings}
    if assessment.next_steps:
        lines.append("  What to do next:")
        for n, rule_id in enumerate(assessment.next_steps[:10], 1):
            f = by_id[rule_id]
            lines.extend(_wrap(f"{f.title} [{f.severity}, {rule_id}]", "       ", f"    {n:>2}. "))
            lines.extend(_wrap(f.advice, "       "))
        if len(assessment.next_steps) > 10:
            lines.append(
                f"    ... and {len(assessment.next_steps) - 10} more (see the findings below)"
            )
        lines.append("")
    lines.append("  Findings:")
    for status in _ORDER:
        group = [f for f in assessment.findings if f.status is status]
        if not group:
            continue
        lines.append(f"   {_HEADING[status]} ({len(group)})")
        show = options.verbose or status in (Status.UNMET, Status.PARTIAL, Status.UNKNOWN)
        for f in group:
            lines.extend(_finding_lines(f, show))
    lines.append("")
    return lines


def render_report(report: Report, options: OutputOptions) -> list[str]:
    """Return the lines of one partnership's report."""
    title = f"Partnership: {report.partnership}"
    lines = ["=" * WIDTH, title, "=" * WIDTH]
    if report.facts_origin:
        lines.append(f"Facts: {report.facts_origin}")
    lines.append("")
    lines.append("Summary")
    for a in report.assessments:
        lines.extend(_wrap(f"{a.ruleset.title}: {a.verdict}", "    ", "  - "))
    requests = report.evidence_to_request()
    lines.append("")
    for a in report.assessments:
        lines.extend(render_assessment(a, options))
    if requests:
        lines.append("Evidence to request")
        lines.append("-------------------")
        lines.extend(
            _wrap("Recording these facts would settle the findings that are unknown:", "  ")
        )
        for r in requests:
            lines.extend(_wrap(f"{r.path}  (settles {', '.join(r.rule_ids)})", "      ", "    - "))
        lines.append("")
    source_lines = list(
        dict.fromkeys(s.citation for a in report.assessments for s in a.ruleset.sources)
    )
    if source_lines:
        lines.append("Sources")
        lines.append("-------")
        for s in source_lines:
            lines.extend(_wrap(s, "      ", "    - "))
        lines.append("")
    return lines


def render_text(reports: Sequence[Report], options: OutputOptions) -> str:
    """Render reports as plain text that fits an 80-column terminal."""
    lines: list[str] = []
    for report in reports:
        lines.extend(render_report(report, options))
    return "\n".join(lines).rstrip() + "\n"


@hookimpl
def register_outputs(register: RegisterOutput) -> None:
    """Register the text output."""
    register(
        "text", render_text, description="readable plain text (the default)", extension=".txt"
    )
