"""The Markdown output: registered, complete, and safe from hostile names in the facts."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnerrules import Engine
from partnerrules import OutputOptions
from partnerrules import Report
from partnerrules.builtin.output_markdown import code
from partnerrules.builtin.output_markdown import render_markdown
from partnerrules.builtin.output_markdown import text
from partnerrules.cli import cli
from partnerrules.plugins import LOAD_PLUGINS_ENV
from partnerrules.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))

WriteRuleset = Callable[..., Path]

#: A ruleset whose findings carry names and values straight from the facts.
HOSTILE_RULESET = """
[ruleset]
id = "hostile"
version = "1.0.0"
kind = "checklist"
title = "Hostile | names"

[[ruleset.sources]]
id = "src"
author = "Author, A."
year = "2020"
title = "A <b>source</b>"

[[facts]]
path = "demo"
type = "table"
meaning = "Facts of the demo."
open = true

[[rules]]
id = "H-01"
group = "people"
title = "Each partner names a contact"
source = "src"
for_each = "partners"
label = "name"
when = { fact = "item.contact", op = "filled" }
advice = "Name a contact."

[[rules]]
id = "H-02"
group = "people"
title = "The demo has a motto"
source = "src"
when = { fact = "demo.motto", op = "filled" }
advice = "Write a motto."
"""

HOSTILE_NAMES = ("a | b", "<script>alert(1)</script>", "`rm -rf /`", "# Heading", "- item")

#: An unescaped table pipe.
PIPE = re.compile(r"(?<!\\)\|")


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


@pytest.fixture
def hostile_report(tmp_ruleset: WriteRuleset) -> Report:
    """A report whose partnership, partners and values are hostile Markdown."""
    engine = Engine([tmp_ruleset(HOSTILE_RULESET)])
    facts = {
        "partnership": {"name": "Evil | Partnership <img src=x onerror=alert(1)>"},
        "partners": [
            {"name": name, "contact": "tbd" if i % 2 else f"Jo | {name}"}
            for i, name in enumerate(HOSTILE_NAMES)
        ],
        "demo": {"motto": "no"},
        "evidence": {"partners": "Minutes | <i>signed</i> `x`"},
    }
    return engine.evaluate(facts, origin="facts|evil.toml")


def test_markdown_output_is_registered(registry: Registry) -> None:
    """The built-in plugin registers the "markdown" output with the .md extension."""
    spec = registry.outputs["markdown"]
    assert spec.extension == ".md"
    assert spec.plugin == "partnerrules.builtin.output_markdown"
    assert spec.description


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        pytest.param("a | b", "a \\| b", id="pipe"),
        pytest.param("<script>", "&lt;script&gt;", id="html"),
        pytest.param("`x`", "\\`x\\`", id="backticks"),
        pytest.param("# Heading", "\\# Heading", id="heading"),
        pytest.param("- item", "\\- item", id="list"),
        pytest.param("1. first", "1\\. first", id="numbered"),
        pytest.param("*bold* _it_ [link](x)", "\\*bold\\* \\_it\\_ \\[link\\](x)", id="inline"),
        pytest.param("Health & Care", "Health &amp; Care", id="ampersand"),
        pytest.param("two\nlines", "two lines", id="newline"),
        pytest.param("version 1.0.0", "version 1.0.0", id="plain"),
    ],
)
def test_text_is_escaped(raw: str, escaped: str) -> None:
    """Markdown-significant characters are escaped; line breaks become spaces."""
    assert text(raw) == escaped


def test_code_spans_only_for_plain_identifiers() -> None:
    """Paths and ids become code spans; anything else is escaped text."""
    assert code("agreement.sections.resources.cash") == "`agreement.sections.resources.cash`"
    assert code("partners[0].name") == "`partners[0].name`"
    assert code("a`b") == "a\\`b"
    assert code("a | b") == "a \\| b"


def test_hostile_names_cannot_break_tables_or_inject_html(hostile_report: Report) -> None:
    """Hostile names and values are escaped everywhere: no raw HTML, tables stay whole."""
    out = render_markdown([hostile_report], OutputOptions(verbose=True))
    assert "<" not in out
    assert ">" not in out.replace("\n>", "\n")  # only the warning blockquotes, if any
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert "\\`rm -rf /\\`" in out
    assert "# Partnership: Evil \\| Partnership &lt;img src=x onerror=alert(1)&gt;\n" in out
    # Headings are only the report's own.
    headings = [line for line in out.splitlines() if line.startswith("#")]
    assert all(re.match(r"#{1,4} [A-Z]", h) for h in headings), headings
    assert "\\# Heading" in out
    # Every table row has as many cells as its header.
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("| ---"):
            columns = len(PIPE.findall(line))
            j = i + 1
            while j < len(lines) and lines[j].startswith("|"):
                assert len(PIPE.findall(lines[j])) == columns, lines[j]
                j += 1
    # Every finding line is one list item that names its subject, escaped.
    for name in HOSTILE_NAMES:
        assert f"({text(name)})" in out
    assert "  - Evidence: Minutes \\| &lt;i&gt;signed&lt;/i&gt; \\`x\\`" in out


def test_report_content(hostile_report: Report) -> None:
    """The report has the summary, the assessment with its table, findings, evidence, sources."""
    out = render_markdown([hostile_report], OutputOptions())
    assert "## Summary\n\n| Assessment | Result |\n| --- | --- |\n| Hostile \\| names | " in out
    assert "**Most important actions**\n\n1. Name a contact. (for " in out
    assert "## Hostile \\| names\n\nRuleset `hostile` version 1.0.0 (checklist).\n" in out
    assert "**Verdict:** " in out
    assert (
        "### Factors\n\n| Factor | Status | Score |\n| --- | --- | ---: |\n"
        "| People | partial | 50% |\n"
    ) in out
    assert "### What to do next\n\n1. **" in out
    assert "#### Not met (" in out
    assert "- **unmet** `H-02` The demo has a motto\n" in out
    assert '  - `demo.motto` = "no"\n' in out
    assert "  - Advice: Write a motto.\n" in out
    assert "  - Source: Author, A. (2020). A &lt;b&gt;source&lt;/b&gt;.\n" in out
    assert "#### Met (" in out
    assert out.endswith("## Sources\n\n- Author, A. (2020). A &lt;b&gt;source&lt;/b&gt;.\n")


def test_evidence_to_request_and_not_recorded(tmp_ruleset: WriteRuleset) -> None:
    """Unrecorded facts are shown as not recorded and listed in the evidence to request."""
    engine = Engine([tmp_ruleset(HOSTILE_RULESET)])
    out = render_markdown([engine.evaluate({})], OutputOptions())
    assert "- **unknown** `H-02` The demo has a motto\n  - `demo.motto`: *not recorded*\n" in out
    assert "**Evidence to request:** 2 facts not recorded would settle" in out
    assert (
        "## Evidence to request\n\n"
        "Recording these facts would settle the findings that are unknown:\n\n"
        "| Fact | Settles |\n| --- | --- |\n| `partners` | `H-01` |\n| `demo.motto` | `H-02` |\n"
    ) in out


def test_verbose_adds_the_evidence_of_met_findings(tmp_ruleset: WriteRuleset) -> None:
    """As in the text output, met findings show their evidence only with verbose."""
    engine = Engine([tmp_ruleset(HOSTILE_RULESET)])
    report = engine.evaluate({"demo": {"motto": "Together"}})
    line = '  - `demo.motto` = "Together"\n'
    assert line not in render_markdown([report], OutputOptions())
    assert line in render_markdown([report], OutputOptions(verbose=True))


@pytest.mark.parametrize("facts", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_assessment_of_the_examples_is_present(facts: Path) -> None:
    """Each assessment of a shipped example has its section, groups and findings."""
    engine = Engine()
    report = engine.evaluate(engine.load_facts(facts), origin=str(facts))
    out = render_markdown([report], OutputOptions())
    assert out.startswith(f"# Partnership: {text(report.partnership)}\n")
    sections = out.split("\n## ")
    titles = [s.split("\n", 1)[0] for s in sections[1:]]
    expected = [text(a.ruleset.title) for a in report.assessments]
    assert titles[0] == "Summary"
    assert titles[1 : 1 + len(expected)] == expected
    for assessment in report.assessments:
        section = out.split(f"\n## {text(assessment.ruleset.title)}\n", 1)[1].split("\n## ")[0]
        assert "### Findings" in section
        for finding in assessment.findings:
            assert f"`{finding.rule_id}` {text(finding.title)}" in section
    assert "\n## Sources\n" in out


def test_audit_markdown_through_the_cli(runner: CliRunner, tmp_path: Path) -> None:
    """`audit -f markdown` prints Markdown; `-o` writes the same to a file."""
    facts = EXAMPLES[0]
    shown = runner.invoke(cli, ["audit", "-f", "markdown", str(facts)])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("# Partnership: ")
    target = tmp_path / "report.md"
    written = runner.invoke(cli, ["audit", "-f", "markdown", "-o", str(target), str(facts)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == shown.stdout


def test_several_partnerships_are_separated(tmp_ruleset: WriteRuleset) -> None:
    """Each partnership gets its own top-level heading, separated by a rule."""
    engine = Engine([tmp_ruleset(HOSTILE_RULESET)])
    reports = [engine.evaluate({"partnership": {"name": n}}) for n in ("One", "Two")]
    out = render_markdown(reports, OutputOptions())
    assert out.startswith("# Partnership: One\n")
    assert "\n---\n\n# Partnership: Two\n" in out
