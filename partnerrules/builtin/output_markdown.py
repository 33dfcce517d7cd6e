"""The Markdown output: a full report to paste into a grant report or an issue tracker.

GitHub-flavoured Markdown with the content of the text report: the summary, then for each
assessment its verdict, outcome, warnings, a table of its groups (or of its items by
category), actions, what to do next and the findings grouped by status with their
evidence, advice and source; then the evidence to request and the sources. Tables stand
in for charts.

Everything that comes from facts or rulesets is escaped, so that a partner named
``a | b``, ``<script>`` or ``# Heading`` can neither break a table nor inject HTML or
structure: the Markdown punctuation is backslash-escaped, ``<``, ``>`` and ``&`` become
entities, and line breaks become spaces.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Final

from partnerrules import Assessment
from partnerrules import Finding
from partnerrules import OutputOptions
from partnerrules import RegisterOutput
from partnerrules import Report
from partnerrules import Status
from partnerrules import hookimpl
from partnerrules.builtin.output_text import show_value
from partnerrules.summary import summarise

_ORDER: Final = (Status.UNMET, Status.PARTIAL, Status.UNKNOWN, Status.MET, Status.NOT_APPLICABLE)
_HEADING: Final = {
    Status.UNMET: "Not met",
    Status.PARTIAL: "Partly met",
    Status.UNKNOWN: "Unknown: evidence needed",
    Status.MET: "Met",
    Status.NOT_APPLICABLE: "Not applicable",
}
#: Stage indicators are observations: observed or not, rather than met or failed.
_OBSERVED: Final = {
    Status.MET: "Observed",
    Status.PARTIAL: "Partly observed",
    Status.UNMET: "Not observed",
    Status.UNKNOWN: "Not recorded",
    Status.NOT_APPLICABLE: "Not applicable",
}
_WORD: Final = {
    Status.MET: "met",
    Status.PARTIAL: "partial",
    Status.UNMET: "unmet",
    Status.UNKNOWN: "unknown",
    Status.NOT_APPLICABLE: "not applicable",
}
_GROUP_LABEL: Final = {"completeness": "Element", "checklist": "Factor", "stages": "Stage"}

_ESCAPES: Final = str.maketrans(
    {
        "\\": "\\\\",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "|": "\\|",
        "~": "\\~",
        "#": "\\#",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
    }
)
#: What would start a list item or a setext heading underline at the start of a line: the
#: character before the lookahead gets a backslash.
_BLOCK_START: Final = re.compile(r"^(?:[-+](?=\s|$)|=|\d{1,9}(?=[.)](?:\s|$)))")
#: Text safe inside a code span (fact paths, rule and ruleset ids, file names).
_CODE_SAFE: Final = re.compile(r"[A-Za-z0-9_.\-\[\]:/ ]+")


def text(value: object) -> str:
    """Return text from facts or a ruleset escaped for Markdown, on one line.

    Safe in a paragraph, a list item, a heading and a table cell.
    """
    flat = " ".join(str(value).split())
    escaped = flat.translate(_ESCAPES)
    match = _BLOCK_START.match(escaped)
    if match is None:
        return escaped
    end = match.end()
    if escaped[:end].isdigit():  # "1. " -> "1\. ": escape the dot of a numbered list
        return f"{escaped[:end]}\\{escaped[end:]}"
    return f"\\{escaped}"


def code(value: str) -> str:
    """Return an identifier or path as a code span, or as escaped text if it is not plain."""
    if _CODE_SAFE.fullmatch(value) and value.strip() == value:
        return f"`{value}`"
    return text(value)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], align: str = "") -> list[str]:
    """Return a GFM table; cells must already be escaped. ``align``: one of l/r per column."""
    rule = [
        "---:" if align[i : i + 1] == "r" else "---" for i in range(len(headers))
    ]  # fmt: skip
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    lines.append("")
    return lines


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _finding_lines(finding: Finding, words: dict[Status, str], details: bool) -> list[str]:
    subject = f" ({text(finding.subject)})" if finding.subject is not None else ""
    lines = [
        f"- **{words[finding.status]}** {code(finding.rule_id)} {text(finding.title)}{subject}"
    ]
    if not details:
        return lines
    notes: dict[str, None] = {}
    for e in finding.evidence:
        if e.present:
            lines.append(f"  - {code(e.path)} = {text(show_value(e.value, True))}")
        else:
            lines.append(f"  - {code(e.path)}: *not recorded*")
        if e.note:
            notes[e.note] = None
    lines.extend(f"  - Evidence: {text(note)}" for note in notes)
    if finding.status is not Status.MET and finding.advice:
        lines.append(f"  - Advice: {text(finding.advice)}")
    if finding.source:
        lines.append(f"  - Source: {text(finding.source)}")
    return lines


def _groups(assessment: Assessment) -> list[str]:
    kind = assessment.ruleset.kind
    rows: list[tuple[str, ...]] = []
    if assessment.items:
        by_category: dict[str, tuple[str, list[str], str]] = {}
        for item in assessment.items:
            entry = by_category.setdefault(item.id, (item.title, [], item.advice))
            entry[1].append(text(item.subject))
        rows = [
            (text(title), "; ".join(subjects), text(advice) or "-")
            for title, subjects, advice in by_category.values()
        ]
        return ["### Items by category", "", *_table(("Category", "Items", "Advice"), rows)]
    if not assessment.groups:
        return []
    label = _GROUP_LABEL.get(kind, "Group")
    if kind == "stages":
        for g in assessment.groups:
            title = text(g.title)
            role = text(g.label)
            if g.label == "diagnosed":
                title, role = f"**{title}**", f"**{role}**"
            rows.append((title, _percent(g.score), _percent(g.coverage), role or "-"))
        headers = ("Stage", "Score", "Recorded", "Diagnosis")
        return ["### Stages", "", *_table(headers, rows, "lrrl")]
    if kind == "completeness":
        rows = [(text(g.title), text(g.status_label)) for g in assessment.groups]
        return ["### Elements", "", *_table((label, "Status"), rows)]
    rows = [(text(g.title), text(g.status_label), _percent(g.score)) for g in assessment.groups]
    return [f"### {label}s", "", *_table((label, "Status", "Score"), rows, "llr")]


def _outcome(assessment: Assessment) -> list[str]:
    parts: list[str] = []
    o = assessment.outcome
    if o is not None:
        parts.append(f"**Outcome:** {text(o.title)} ({text(o.kind)})")
        if o.confidence:
            parts.append(f"confidence {text(o.confidence)}")
        if o.margin is not None:
            parts.append(f"margin {o.margin * 100:.0f} points")
    if assessment.score is not None:
        parts.append(f"score {assessment.score:.0%}")
    if assessment.findings:
        parts.append(f"coverage {assessment.coverage:.0%}")
    if not parts:
        return []
    line = " · ".join(parts)
    lines = [line[:1].upper() + line[1:], ""]
    if o is not None and o.description:
        lines += [f"*{text(o.description)}*", ""]
    return lines


def render_assessment(assessment: Assessment, options: OutputOptions) -> list[str]:
    """Return the Markdown lines of one assessment."""
    info = assessment.ruleset
    kind = info.kind
    lines = [
        f"## {text(info.title)}",
        "",
        f"Ruleset {code(info.id)} version {text(info.version)} ({text(kind)}).",
        "",
    ]
    verdict = assessment.verdict[:1].upper() + assessment.verdict[1:]
    lines += [f"**Verdict:** {text(verdict)}", ""]
    lines += _outcome(assessment)
    if assessment.warnings:
        lines.extend(f"> **Warning:** {text(n.message)}  " for n in assessment.warnings)
        lines[-1] = lines[-1].rstrip()
        lines.append("")
    lines += _groups(assessment)
    if assessment.actions:
        lines += ["### Recommended actions" if kind == "stages" else "### Actions", ""]
        lines.extend(f"- {text(action)}" for action in assessment.actions)
        lines.append("")
    by_id = {f.rule_id: f for f in assessment.findings}
    if assessment.next_steps:
        lines += ["### What to do next", ""]
        for n, rule_id in enumerate(assessment.next_steps, 1):
            f = by_id[rule_id]
            lines.append(
                f"{n}. **{text(f.title)}** ({text(f.severity)}, {code(rule_id)}): {text(f.advice)}"
            )
        lines.append("")
    headings = _OBSERVED if kind == "stages" else _HEADING
    words = {s: w.lower() for s, w in _OBSERVED.items()} if kind == "stages" else _WORD
    lines += ["### Findings", ""]
    for status in _ORDER:
        group = [f for f in assessment.findings if f.status is status]
        if not group:
            continue
        lines += [f"#### {headings[status]} ({len(group)})", ""]
        show = options.verbose or status in (Status.UNMET, Status.PARTIAL, Status.UNKNOWN)
        if kind == "stages":  # what was observed decides the stage
            show = options.verbose or status in (Status.MET, Status.PARTIAL)
        for f in group:
            lines.extend(_finding_lines(f, words, show))
        lines.append("")
    return lines


def render_summary(report: Report) -> list[str]:
    """Return the Markdown lines of the summary that opens a report."""
    summary = summarise(report)
    lines = ["## Summary", ""]
    if summary.headlines:
        rows = [(text(h.title), text(h.text)) for h in summary.headlines]
        lines += _table(("Assessment", "Result"), rows)
    if summary.actions:
        lines += ["**Most important actions**", ""]
        for n, action in enumerate(summary.actions, 1):
            who = f" (for {text(', '.join(action.subjects))})" if action.subjects else ""
            gate = "; a gate" if action.gate else ""
            where = f"{code(action.ruleset_id)} {code(action.rule_id)}"
            lines.append(
                f"{n}. {text(action.advice)}{who} — {where}, {text(action.severity)}{gate}"
            )
        lines.append("")
    if summary.stage_actions:
        lines += ["**Recommended for this stage**", ""]
        lines.extend(f"- {text(a)}" for a in summary.stage_actions)
        lines.append("")
    count = len(summary.evidence_to_request)
    if count:
        lines.append(
            f"**Evidence to request:** {count} fact{'s' if count != 1 else ''} not recorded"
            " would settle the unknown findings (listed at the end)."
        )
    else:
        lines.append("Every fact the rules read was recorded.")
    lines.append("")
    return lines


def render_report(report: Report, options: OutputOptions) -> list[str]:
    """Return the Markdown lines of one partnership's report."""
    lines = [f"# Partnership: {text(report.partnership)}", ""]
    about = []
    if report.facts_origin:
        about.append(f"Facts: {code(report.facts_origin)}")
    if report.engine_version:
        about.append(f"partnerrules {text(report.engine_version)}")
    if about:
        lines += [" · ".join(about), ""]
    lines += render_summary(report)
    for assessment in report.assessments:
        lines += render_assessment(assessment, options)
    requests = report.evidence_to_request()
    if requests:
        lines += [
            "## Evidence to request",
            "",
            "Recording these facts would settle the findings that are unknown:",
            "",
        ]
        rows = [(code(r.path), ", ".join(code(i) for i in r.rule_ids)) for r in requests]
        lines += _table(("Fact", "Settles"), rows)
    sources = list(
        dict.fromkeys(s.citation for a in report.assessments for s in a.ruleset.sources)
    )
    if sources:
        lines += ["## Sources", ""]
        lines.extend(f"- {text(s)}" for s in sources)
        lines.append("")
    return lines


def render_markdown(reports: Sequence[Report], options: OutputOptions) -> str:
    """Render reports as GitHub-flavoured Markdown, one top-level heading per partnership."""
    lines: list[str] = []
    for n, report in enumerate(reports):
        if n:
            lines += ["---", ""]
        lines += render_report(report, options)
    return "\n".join(lines).rstrip() + "\n"


@hookimpl
def register_outputs(register: RegisterOutput) -> None:
    """Register the Markdown output."""
    register(
        "markdown",
        render_markdown,
        description="GitHub-flavoured Markdown for grant reports and issue trackers",
        extension=".md",
    )
