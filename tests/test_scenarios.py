"""The worked scenarios of the domain notes give the stages and agreement results they describe.

Each file in tests/scenarios/ is one case, translated into the fact vocabulary. The
expectations below are what the scenario says (section 7 of the domain notes, and the table
of stage scores at its top); the synthetic cases are labelled as such in their files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

from partnerrules import Engine
from partnerrules import Report
from partnerrules import Status

SCENARIOS = Path(__file__).resolve().parent / "scenarios"

#: The ten elements of a partnership agreement (group ids of the agreement ruleset).
ELEMENTS = (
    "aims-objectives",
    "strategy-activities",
    "membership-decisions",
    "management-operation",
    "resources",
    "dispute-resolution",
    "information-sharing",
    "evaluation",
    "ending",
    "risk-assessment",
)
ALL_UNKNOWN = dict.fromkeys(ELEMENTS, "unknown")


class Expected(NamedTuple):
    """What a scenario says; ``None`` or empty where it says nothing."""

    stages: tuple[str, ...]  #: the expected stage and any acceptable alternative
    failing_risk: bool | None = None
    scores: Mapping[str, float] | None = None
    candidates: frozenset[str] | None = None
    underlying: str | None = None
    elements: Mapping[str, str] | None = None
    rules: Mapping[str, Status] | None = None


EXPECTED: dict[str, Expected] = {
    "TC-001-2": Expected(
        stages=("forming",),
        failing_risk=True,
        scores={"forming": 0.63},
        candidates=frozenset({"forming"}),
        elements={
            "aims-objectives": "partial",
            "strategy-activities": "partial",
            "membership-decisions": "unknown",
            "management-operation": "missing",
            "resources": "partial",
            "dispute-resolution": "unknown",
            "information-sharing": "partial",
            "evaluation": "unknown",
            "ending": "unknown",
            "risk-assessment": "unknown",
        },
        rules={"AGR-00": Status.UNMET},
    ),
    "TC-001-4": Expected(
        stages=("flying", "functioning"),
        failing_risk=False,
        scores={"flying": 0.70, "functioning": 0.40},
        candidates=frozenset({"flying", "functioning"}),
        elements=ALL_UNKNOWN,
    ),
    "TC-002-C1": Expected(
        stages=("functioning",),
        failing_risk=True,
        scores={"functioning": 0.70},
        candidates=frozenset({"functioning"}),
        elements=ALL_UNKNOWN,
    ),
    "synthetic-1-agreement-all-unknown": Expected(
        stages=("undetermined",),
        elements=ALL_UNKNOWN,
    ),
    "synthetic-2-failing-precedence": Expected(
        stages=("failing",),
        underlying="flying",
    ),
    "synthetic-3-tie": Expected(
        stages=("forming",),
        scores={"forming": 0.5, "frustration": 0.5},
        candidates=frozenset({"forming", "frustration"}),
    ),
    "synthetic-6-verbal-agreement": Expected(
        stages=("undetermined",),
        elements=dict.fromkeys(ELEMENTS, "present"),
        rules={"AGR-00": Status.UNMET},
    ),
}


def _cases(field: str) -> list[object]:
    """Return one pytest param per scenario that states something about ``field``."""
    return [
        pytest.param(name, id=name)
        for name, expected in EXPECTED.items()
        if getattr(expected, field) is not None
    ]


@pytest.fixture(scope="module")
def engine() -> Engine:
    """An engine with every shipped ruleset, built once for the module."""
    return Engine(entry_points=False)


@pytest.fixture(scope="module")
def reports(engine: Engine) -> dict[str, Report]:
    """The report on every scenario file, by file name without .toml."""
    return {
        path.stem: engine.evaluate(engine.load_facts(path), origin=str(path))
        for path in sorted(SCENARIOS.glob("*.toml"))
    }


def test_every_scenario_file_has_expectations(reports) -> None:
    """The scenario files and the expectations name the same cases."""
    assert sorted(reports) == sorted(EXPECTED)


@pytest.mark.parametrize("name", _cases("stages"))
def test_stage(reports, name) -> None:
    """The diagnosed stage is the one the scenario expects, or its acceptable alternative."""
    outcome = reports[name].assessment("stages").outcome
    assert outcome is not None
    assert outcome.id in EXPECTED[name].stages


@pytest.mark.parametrize("name", _cases("failing_risk"))
def test_failing_risk(reports, name) -> None:
    """A failing_risk warning is raised exactly where the scenario says there are failing signs."""
    codes = [n.code for n in reports[name].assessment("stages").warnings]
    assert ("failing_risk" in codes) is EXPECTED[name].failing_risk


@pytest.mark.parametrize("name", _cases("scores"))
def test_stage_scores(reports, name) -> None:
    """Each stage scores what the table of stage scores gives, to within 0.01."""
    groups = {g.id: g for g in reports[name].assessment("stages").groups}
    for stage, score in EXPECTED[name].scores.items():
        assert groups[stage].score == pytest.approx(score, abs=0.01), stage


@pytest.mark.parametrize("name", _cases("candidates"))
def test_candidate_stages(reports, name) -> None:
    """The stages with enough evidence to be candidates are those the table lists."""
    details = reports[name].assessment("stages").details["stages"]
    assert {s["id"] for s in details if s["candidate"]} == EXPECTED[name].candidates


@pytest.mark.parametrize("name", _cases("underlying"))
def test_underlying_stage(reports, name) -> None:
    """When Failing takes precedence, the stage it overrides is still reported."""
    details = reports[name].assessment("stages").details
    assert details["underlying_stage"] == EXPECTED[name].underlying


@pytest.mark.parametrize("name", _cases("elements"))
def test_agreement_elements(reports, name) -> None:
    """Each agreement element is present, partial, missing or unknown as the scenario implies."""
    groups = reports[name].assessment("agreement").groups
    assert {g.id: g.status_label for g in groups if g.id in ELEMENTS} == EXPECTED[name].elements


@pytest.mark.parametrize("name", _cases("rules"))
def test_rule_statuses(reports, name) -> None:
    """The rules the scenario names give the statuses it states."""
    assessment = reports[name].assessment("agreement")
    got = {rule_id: assessment.finding(rule_id).status for rule_id in EXPECTED[name].rules}
    assert got == EXPECTED[name].rules


def test_unknown_agreement_is_never_judged(reports) -> None:
    """Synthetic case 1: every agreement rule is unknown and no completeness figure is given."""
    assessment = reports["synthetic-1-agreement-all-unknown"].assessment("agreement")
    assert {f.status for f in assessment.findings} == {Status.UNKNOWN}
    assert assessment.score is None
    assert assessment.outcome is not None
    assert assessment.outcome.id == "undetermined"


def test_verbal_agreement_still_judges_its_elements(reports) -> None:
    """Synthetic case 6: a verbal agreement fails the written-form check, not its elements."""
    assessment = reports["synthetic-6-verbal-agreement"].assessment("agreement")
    assert assessment.score == 1.0
