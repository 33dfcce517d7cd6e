"""The HTML output: registered, escaped, self-contained, complete and well formed."""

from __future__ import annotations

import html
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest

from partnerrules import Assessment
from partnerrules import Engine
from partnerrules import GroupResult
from partnerrules import ItemOutcome
from partnerrules import OutputOptions
from partnerrules import Report
from partnerrules import RulesetInfo
from partnerrules import Status
from partnerrules.builtin.output_html import render_html
from partnerrules.cli import cli
from partnerrules.registry import Registry

from .conftest import ROOT

SCENARIO = ROOT / "tests" / "scenarios" / "TC-001-2.toml"

#: Shipped rulesets the tests use, named explicitly (colleagues may be editing others).
SHIPPED = ("stages", "agreement", "ladder", "stakeholders")

HOSTILE_NAME = "<script>alert(1)</script>"
HOSTILE_TEXT = '"><img src=x onerror=alert(1)>'
HOSTILE_STAKEHOLDER = "</svg><script>"

#: A checklist whose band the facts below decide, so the factor chart has real bars.
CHECKLIST = textwrap.dedent(
    """
    [ruleset]
    id = "factors-demo"
    version = "1.0.0"
    kind = "checklist"
    title = "Demo success factors"

    [[ruleset.sources]]
    id = "src"
    author = "Author, A."
    year = "2020"
    title = "A source"

    [[facts]]
    path = "demo"
    type = "table"
    meaning = "Test facts."
    open = true

    [[groups]]
    id = "purpose"
    title = "Shared purpose"
    actions = ["Agree the purpose together."]

    [[groups]]
    id = "trust"
    title = "Trust"

    [[bands]]
    id = "strong"
    title = "Strong"
    min = 0.8

    [[bands]]
    id = "fragile"
    title = "Fragile"
    min = 0.0

    [[rules]]
    id = "F-1"
    group = "purpose"
    title = "The purpose is agreed"
    source = "src"
    advice = "Agree the purpose."
    when = { fact = "demo.purpose", op = "yes" }
    partial = { fact = "demo.purpose", op = "partly" }

    [[rules]]
    id = "F-2"
    group = "trust"
    title = "Partners trust each other"
    source = "src"
    advice = "Build trust."
    when = { fact = "demo.trust", op = "yes" }
    """
)


class Checker(HTMLParser):
    """Check that every opened non-void element is closed, in order; collect ids and links."""

    VOID = frozenset(
        "area base br col embed hr img input link meta source track wbr".split()  # noqa: SIM905
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.append(str(found["id"]))
        for name in ("href", "src", "xlink:href", "action", "srcset", "poster", "data"):
            if name in found:
                self.refs.append((tag, name, str(found[name])))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


def check(document: str) -> Checker:
    """Parse a document and assert that its structure is balanced."""
    checker = Checker()
    checker.feed(document)
    checker.close()
    assert checker.errors == []
    assert checker.stack == [], f"never closed: {checker.stack}"
    return checker


def summary_band(document: str, index: int = 1) -> str:
    """Return the markup of one partnership's summary band."""
    match = re.search(
        rf'<header class="summary" id="p{index}-summary">(.*?)</header>', document, re.S
    )
    assert match is not None
    return match.group(1)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("rulesets") / "factors-demo.toml"
    path.write_text(CHECKLIST, encoding="utf-8")
    return Engine([*SHIPPED, path], entry_points=False)


@pytest.fixture(scope="module")
def report(engine: Engine) -> Report:
    facts = engine.load_facts(SCENARIO)
    facts["demo"] = {"purpose": "partly", "trust": "yes"}
    return engine.evaluate(facts, origin=str(SCENARIO.relative_to(ROOT)))


@pytest.fixture(scope="module")
def document(report: Report) -> str:
    return render_html([report], OutputOptions())


@pytest.fixture(scope="module")
def hostile(engine: Engine) -> str:
    facts = engine.load_facts(SCENARIO)
    facts["partnership"]["name"] = HOSTILE_NAME  # type: ignore[index]
    facts["agreement"] = {
        "form": "partnership_agreement",
        "sections": {"aims_objectives": {"purpose": HOSTILE_TEXT, "objectives": HOSTILE_TEXT}},
    }
    facts["evidence"] = {"agreement.sections": HOSTILE_TEXT}
    facts["stakeholders"] = [
        {"name": HOSTILE_STAKEHOLDER, "power": "high", "interest": "high"},
        {"name": HOSTILE_NAME, "power": "low", "interest": "high"},
        {"name": HOSTILE_TEXT},
    ]
    report = engine.evaluate(facts, origin=HOSTILE_TEXT)
    return render_html([report], OutputOptions())


def test_html_output_is_registered(registry: Registry) -> None:
    spec = registry.outputs["html"]
    assert spec.extension == ".html"
    assert spec.plugin == "partnerrules.builtin.output_html"
    assert spec.render is render_html


@pytest.mark.parametrize("raw", [HOSTILE_NAME, HOSTILE_TEXT, HOSTILE_STAKEHOLDER])
def test_hostile_values_are_escaped(hostile: str, raw: str) -> None:
    assert raw not in hostile
    assert html.escape(raw) in hostile


def test_hostile_values_add_no_elements(hostile: str) -> None:
    checker = check(hostile)
    tags = [tag for tag, _ in checker.tags]
    assert tags.count("script") == 1  # the optional print helper, nothing injected
    assert "img" not in tags
    assert not any(name.startswith("on") for _, attrs in checker.tags for name in attrs)
    # The stakeholder placed on the grid stays text inside the chart.
    grid = re.search(r'<figure class="chart chart-stakeholders".*?</figure>', hostile, re.S)
    assert grid is not None
    assert html.escape(HOSTILE_STAKEHOLDER) in grid.group(0)
    assert "<title>Partnership report: " + html.escape(HOSTILE_NAME) + "</title>" in hostile


def test_document_is_self_contained(document: str) -> None:
    assert "http://" not in document
    assert "https://" not in document
    assert "<link" not in document.lower()
    assert "@import" not in document
    assert "@font-face" not in document
    assert "url(" not in document
    checker = check(document)
    for tag, name, value in checker.refs:
        assert value.startswith("#"), f"<{tag} {name}={value!r}> points outside the page"
    csp = [a for t, a in checker.tags if t == "meta" and a.get("http-equiv")]
    assert csp
    assert "default-src 'none'" in str(csp[0]["content"])


def test_structure_is_balanced_and_links_resolve(document: str) -> None:
    checker = check(document)
    assert document.startswith("<!DOCTYPE html>")
    assert len(checker.ids) == len(set(checker.ids)), "ids are not unique"
    for _, _, value in checker.refs:
        assert value[1:] in checker.ids, f"link to a missing id: {value}"


def test_every_assessment_appears(report: Report, document: str) -> None:
    assert len(report.assessments) == len(SHIPPED) + 1
    for a in report.assessments:
        assert f'data-ruleset="{a.ruleset.id}" data-kind="{a.ruleset.kind}"' in document
        assert html.escape(a.ruleset.title) in document
        for finding in a.findings:
            assert f'data-rule="{finding.rule_id}"' in document


def test_summary_shows_stage_band_and_completeness(report: Report, document: str) -> None:
    band = summary_band(document)
    assert html.escape(report.partnership) in band
    assert "Report date" in band
    assert html.escape(str(report.facts_origin)) in band
    stage = report.assessment("stages").outcome
    assert stage is not None
    assert stage.determined
    assert f'<p class="tile-value">{stage.title}</p>' in band
    assert f"Confidence: {stage.confidence}" in band
    agreement = report.assessment("agreement")
    assert agreement.outcome is not None
    assert agreement.score is not None
    assert f"{agreement.score:.0%} complete" in band
    assert f"Band: {agreement.outcome.title}" in band
    factors = report.assessment("factors-demo")
    assert factors.outcome is not None
    assert factors.outcome.title == "Fragile"  # (0.5 + 1) / 2 = 0.75 < 0.8
    assert f'<p class="tile-value">{factors.outcome.title}</p>' in band
    assert "Score: 75%" in band
    assert "Most important actions" in band
    count = len(report.evidence_to_request())
    assert f"{count} facts" in band


def test_charts_for_each_kind(report: Report, document: str) -> None:
    for kind in ("stages", "completeness", "stakeholders", "factors"):
        assert f'<figure class="chart chart-{kind}"' in document
    stages = re.search(r'<figure class="chart chart-stages".*?</figure>', document, re.S)
    assert stages is not None
    assert 'class="hl"' in stages.group(0)  # the diagnosed stage is marked
    assert "(diagnosed)" in stages.group(0)
    # The completeness strip labels every element with its status word, not colour only.
    strip = re.search(r'<figure class="chart chart-completeness".*?</figure>', document, re.S)
    assert strip is not None
    for g in report.assessment("agreement").groups:
        assert f"{g.status_label} · " in strip.group(0) or f">{g.status_label}<" in strip.group(0)


def test_findings_are_grouped_and_collapsible(report: Report, document: str) -> None:
    checker = check(document)
    groups = [attrs for tag, attrs in checker.tags if tag == "details" and "data-group" in attrs]
    assert groups
    agreement = report.assessment("agreement")
    by_group = {g.id: g.status for g in agreement.groups}
    section = re.search(
        r'<section class="assessment"[^>]*data-ruleset="agreement".*?</section>', document, re.S
    )
    assert section is not None
    for gid, status in by_group.items():
        tag = re.search(
            rf'<details class="group"( open)? data-group="{re.escape(gid)}"', section.group(0)
        )
        assert tag is not None, gid
        wants_open = status in (Status.UNMET, Status.PARTIAL, Status.UNKNOWN)
        assert bool(tag.group(1)) == wants_open, gid


def test_evidence_to_request_lists_paths_and_rules(report: Report, document: str) -> None:
    requests = report.evidence_to_request()
    assert requests
    section = re.search(r'<section class="evidence-request".*?</section>', document, re.S)
    assert section is not None
    for r in requests:
        assert f"<code>{html.escape(r.path)}</code>" in section.group(0)
        for rid in r.rule_ids:
            assert rid in section.group(0)


def test_print_and_narrow_screen_styles(document: str) -> None:
    assert "@media print" in document
    assert "size:A4" in document
    assert "break-inside:avoid" in document
    assert 'name="viewport"' in document


def test_several_partnerships_make_one_document(engine: Engine) -> None:
    reports = [
        engine.evaluate(engine.load_facts(path), origin=path.name)
        for path in sorted((ROOT / "examples").glob("*.toml"))
    ]
    assert len(reports) >= 2
    document = render_html(reports, OutputOptions())
    check(document)
    assert document.count("<html") == 1
    assert document.count('<article class="partnership"') == len(reports)
    assert '<nav class="toc"' in document
    for n, r in enumerate(reports, 1):
        assert html.escape(r.partnership) in summary_band(document, n)


def test_any_set_of_assessments_and_kinds() -> None:
    """No assessments at all, and a kind the output has never heard of."""
    info = RulesetInfo("custom", "1.0.0", "custom-kind", "A plugin's own kind")
    odd = Assessment(
        info,
        (),
        (
            GroupResult("a", "Group A", Status.MET, 0.9, ()),
            GroupResult("b", "Group B", Status.UNKNOWN, None, ()),
        ),
        score=0.9,
        verdict="custom verdict",
        items=(ItemOutcome("Item 1", "cat", "A category"),),
    )
    listed = Assessment(
        RulesetInfo("sorted", "1.0.0", "classification", "Sorted items"),
        (),
        (GroupResult("x", "X", Status.UNKNOWN, None, ()),),
        items=(
            ItemOutcome("Thing", "x", "X"),
            ItemOutcome("Other", "undetermined", "Undetermined"),
        ),
    )
    reports = [Report("Empty", ()), Report("Odd", (odd, listed))]
    document = render_html(reports, OutputOptions())
    check(document)
    assert 'data-ruleset="custom" data-kind="custom-kind"' in document
    assert "custom verdict" in document
    assert '<figure class="chart chart-factors"' in document
    assert '<figure class="chart chart-items"' in document  # items not on the grid
    assert "Every fact the rules read was recorded." in document


def test_cli_writes_the_html_report(runner, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    args = ["audit", str(SCENARIO), "-f", "html", "-o", str(out)]
    for rid in SHIPPED:
        args += ["-r", rid]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    check(text)
    assert "Apprentice (A) Factor" in text
