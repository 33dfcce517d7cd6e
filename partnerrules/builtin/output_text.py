"""The text output: what a funder's officer reads in a terminal or a plain-text e-mail.

Every line fits 80 columns: text is wrapped, and a long fact path or file name is broken
after a ``.`` or ``/`` rather than left to overflow. With ``OutputOptions.color`` (set by
the command line only for a terminal, never under ``NO_COLOR``) statuses, headings and
warnings are coloured with ANSI codes; the status words and marks stay, so nothing is
said by colour alone.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Sequence
from typing import Any
from typing import Final

import click

from partnerrules import Assessment
from partnerrules import Finding
from partnerrules import OutputOptions
from partnerrules import RegisterOutput
from partnerrules import Report
from partnerrules import Status
from partnerrules import hookimpl
from partnerrules.summary import summarise

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
#: Stage indicators are observations: they are observed or not, not met or failed.
_OBSERVED: Final = {
    Status.MET: "Observed",
    Status.PARTIAL: "Partly observed",
    Status.UNMET: "Not observed",
    Status.UNKNOWN: "Not recorded",
    Status.NOT_APPLICABLE: "Not applicable",
}
#: The ANSI style of each status (click.style keywords).
_STATUS_STYLE: Final[dict[Status, dict[str, Any]]] = {
    Status.MET: {"fg": "green"},
    Status.PARTIAL: {"fg": "yellow"},
    Status.UNMET: {"fg": "red", "bold": True},
    Status.UNKNOWN: {"fg": "magenta"},
    Status.NOT_APPLICABLE: {"dim": True},
}
#: Where a path or file name too long for a line may be broken: after '.', '/' or '\'.
_BREAKS: Final = re.compile(r"(?<=[./\\])(?=[^./\\])")


class _Wrapper(textwrap.TextWrapper):
    """A text wrapper that breaks a path too long for a line after its separators."""

    def _split(self, text: str) -> list[str]:
        room = self.width - max(len(self.initial_indent), len(self.subsequent_indent))
        chunks: list[str] = []
        for chunk in super()._split(text):
            if len(chunk) > room:
                chunks.extend(_BREAKS.split(chunk))
            else:
                chunks.append(chunk)
        return chunks


def wrap(text: str, indent: str = "", first: str | None = None, width: int = WIDTH) -> list[str]:
    """Return ``text`` wrapped to ``width`` columns, the first line after ``first``.

    Long paths are broken after a ``.`` or ``/``; a name longer than the line is the only
    thing ever broken elsewhere.
    """
    wrapper = _Wrapper(
        width,
        initial_indent=first if first is not None else indent,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )
    return wrapper.wrap(text) or [(first if first is not None else indent).rstrip()]


_wrap = wrap


def _style(text: str, color: bool, **style: Any) -> str:  # noqa: ANN401 - click.style's keywords
    return click.style(text, **style) if color and text else text


def _paint_first(lines: list[str], plain: str, color: bool, **style: Any) -> list[str]:  # noqa: ANN401
    """Colour the first occurrence of ``plain`` in the first line (wrapping is done)."""
    if color and lines and plain:
        lines[0] = lines[0].replace(plain, click.style(plain, **style), 1)
    return lines


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


def _finding_lines(finding: Finding, evidence: bool, color: bool = False) -> list[str]:
    title = finding.title if finding.subject is None else f"{finding.title} ({finding.subject})"
    mark = _MARK[finding.status]
    lines = _wrap(f"{finding.rule_id}  {title}", "         ", f"  {mark}  ")
    _paint_first(lines, mark, color, **_STATUS_STYLE[finding.status])
    if evidence:
        notes: dict[str, None] = {}
        for e in finding.evidence:
            text = f"{e.path} = {show_value(e.value, e.present)}"
            block = _wrap(text, "           ", "         - ")
            if color and not e.present and block[-1].endswith("not recorded"):
                block[-1] = block[-1][: -len("not recorded")] + _style(
                    "not recorded", color, **_STATUS_STYLE[Status.UNKNOWN]
                )
            lines.extend(block)
            if e.note:
                notes[e.note] = None
        for note in notes:
            lines.extend(_wrap(f"Evidence: {note}", "           ", "         > "))
    return lines


def _heading(text: str, color: bool = False) -> list[str]:
    lines = _wrap(text)
    rule = "-" * min(WIDTH, max(len(line) for line in lines))
    return [_style(line, color, bold=True) for line in lines] + [rule]


def _group_lines(assessment: Assessment, color: bool) -> list[str]:
    kind = assessment.ruleset.kind
    label = {"completeness": "Elements", "stages": "Stages"}.get(kind, "Groups")
    lines = [f"  {label}:"]
    width = max(len(g.status_label) for g in assessment.groups)
    for g in assessment.groups:
        if kind == "stages":
            coverage = f", {g.coverage:.0%} recorded" if g.coverage is not None else ""
            role = f"  <- {g.label}" if g.label else ""
            score = f"{g.score:.0%}" if g.score is not None else "-"
            block = _wrap(f"{g.title:<14} score {score:>4}{coverage}{role}", "      ", "    ")
            if role:
                style = {"fg": "cyan", "bold": True} if g.label == "diagnosed" else {"fg": "cyan"}
                _paint_first(block, f"<- {g.label}", color, **style)
            lines.extend(block)
            continue
        score = f"  {g.score:.0%}" if g.score is not None and kind != "completeness" else ""
        mark = _MARK[g.status]
        first = f"    {mark} {g.status_label:<{width}}  "
        block = _wrap(f"{g.title}{score}", " " * min(len(first), 40), first)
        _paint_first(block, f"{mark} {g.status_label}", color, **_STATUS_STYLE[g.status])
        lines.extend(block)
    lines.append("")
    return lines


def render_assessment(assessment: Assessment, options: OutputOptions) -> list[str]:
    """Return the lines for one assessment: outcome, groups, actions, findings."""
    color = options.color
    info = assessment.ruleset
    kind = info.kind
    lines = _heading(f"{info.title}  ({info.id} {info.version})", color)
    verdict = _wrap(assessment.verdict[:1].upper() + assessment.verdict[1:], "  ")
    lines.extend(_style(line, color, bold=True) for line in verdict)
    for notice in assessment.warnings:
        block = _wrap(f"Warning: {notice.message}", "    ", "  ! ")
        lines.extend(_paint_first(block, "! Warning:", color, fg="yellow", bold=True))
    lines.append("")
    if assessment.items:
        lines.append("  By item:")
        for item in assessment.items:
            lines.extend(_wrap(f"{item.subject}: {item.title}", "        ", "    - "))
            if item.advice:
                lines.extend(_wrap(item.advice, "        "))
        lines.append("")
    if assessment.groups and not assessment.items:
        lines.extend(_group_lines(assessment, color))
    if assessment.actions:
        what = "Recommended actions" if kind == "stages" else "Actions"
        lines.append(f"  {what}:")
        for action in assessment.actions:
            lines.extend(_wrap(action, "      ", "    - "))
        lines.append("")
    by_id = {f.rule_id: f for f in assessment.findings}
    if assessment.next_steps:
        lines.append("  What to do next:")
        for n, rule_id in enumerate(assessment.next_steps[:10], 1):
            f = by_id[rule_id]
            lines.extend(_wrap(f"{f.title} [{f.severity}, {rule_id}]", "       ", f"    {n:>2}. "))
            lines.extend(_wrap(f.advice, "       "))
        if len(assessment.next_steps) > 10:
            more = len(assessment.next_steps) - 10
            lines.append(f"    ... and {more} more (see the findings below)")
        lines.append("")
    headings = _OBSERVED if kind == "stages" else _HEADING
    lines.append("  Findings:")
    for status in _ORDER:
        group = [f for f in assessment.findings if f.status is status]
        if not group:
            continue
        heading = f"{headings[status]} ({len(group)})"
        lines.append("   " + _style(heading, color, **_STATUS_STYLE[status]))
        show = options.verbose or status in (Status.UNMET, Status.PARTIAL, Status.UNKNOWN)
        if kind == "stages":  # what was observed decides the stage
            show = options.verbose or status in (Status.MET, Status.PARTIAL)
        for f in group:
            lines.extend(_finding_lines(f, show, color))
    lines.append("")
    return lines


def render_summary(report: Report, options: OutputOptions | None = None) -> list[str]:
    """Return the summary lines that open a report."""
    color = options.color if options is not None else False
    summary = summarise(report)
    lines = _heading("Summary", color)
    for h in summary.headlines:
        lines.extend(_wrap(f"{h.title}: {h.text}", "      ", "  - "))
    if summary.actions:
        lines.append("")
        lines.append("  Most important actions:")
        for n, action in enumerate(summary.actions, 1):
            who = f" (for {', '.join(action.subjects)})" if action.subjects else ""
            gate = "; a gate" if action.gate else ""
            label = f"[{action.ruleset_id} {action.rule_id}, {action.severity}{gate}]"
            block = _wrap(f"{action.advice}{who} {label}", "       ", f"    {n}. ")
            lines.extend(_paint_first(block, f"{n}.", color, bold=True))
    if summary.stage_actions:
        lines.append("")
        lines.append("  Recommended for this stage:")
        for stage_action in summary.stage_actions:
            lines.extend(_wrap(stage_action, "      ", "    - "))
    lines.append("")
    count = len(summary.evidence_to_request)
    if count:
        lines.extend(
            _wrap(
                f"Evidence to request: {count} fact{'s' if count != 1 else ''} not recorded"
                " would settle the unknown findings (listed at the end).",
                "  ",
            )
        )
    else:
        lines.append("  Every fact the rules read was recorded.")
    lines.append("")
    return lines


def render_report(report: Report, options: OutputOptions) -> list[str]:
    """Return the lines of one partnership's report."""
    color = options.color
    lines = ["=" * WIDTH]
    lines.extend(
        _style(line, color, bold=True)
        for line in _wrap(report.partnership, " " * 13, "Partnership: ")
    )
    if report.facts_origin:
        lines.extend(_wrap(report.facts_origin, "       ", "Facts: "))
    lines += ["=" * WIDTH, ""]
    lines.extend(render_summary(report, options))
    for a in report.assessments:
        lines.extend(render_assessment(a, options))
    requests = report.evidence_to_request()
    if requests:
        lines.extend(_heading("Evidence to request", color))
        lines.extend(
            _wrap("Recording these facts would settle the findings that are unknown:", "  ")
        )
        for r in requests:
            settles = ", ".join(r.rule_ids)
            lines.extend(_wrap(f"{r.path}  (settles {settles})", "      ", "    - "))
        lines.append("")
    sources = list(
        dict.fromkeys(s.citation for a in report.assessments for s in a.ruleset.sources)
    )
    if sources:
        lines.extend(_heading("Sources", color))
        for s in sources:
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
