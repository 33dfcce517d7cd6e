"""The civicfund ruleset: its own test cases, its sources, and whole partnerships."""

from __future__ import annotations

from importlib import metadata

import pytest
from conftest import REGISTER
from conftest import RIVERSIDE
from conftest import MakeEngine

from partnerrules import Status
from partnerrules.testing import run_cases

#: The settings the cases are run with: they must pass with and without a register.
SETTINGS = [
    pytest.param({}, id="no-settings"),
    pytest.param({"register": str(REGISTER)}, id="register"),
    pytest.param({"register": str(REGISTER), "as_of": "2026-03-31"}, id="register-as-of"),
]


@pytest.mark.parametrize("settings", SETTINGS)
def test_the_rulesets_own_cases_pass(make_engine: MakeEngine, settings: dict[str, str]) -> None:
    """Every [[tests]] case passes, whatever register the Fund configures."""
    engine = make_engine(settings=settings)
    (ruleset,) = engine.rulesets
    results = list(run_cases(engine, ruleset))
    assert len(results) >= 10
    assert [(r.case, r.failures) for r in results if not r.passed] == []


def test_the_ruleset_is_shipped_by_the_plugin(
    make_engine: MakeEngine, installed: metadata.Distribution
) -> None:
    """A checklist that requires this plugin and cites the Fund's own conditions."""
    engine = make_engine()
    (ruleset,) = engine.rulesets
    assert ruleset.ruleset.kind == "checklist"
    assert ruleset.ruleset.requires == ("partnerrules-civicfund>=0.1",)
    assert [b.id for b in ruleset.bands] == ["eligible", "conditions-outstanding", "not-eligible"]
    (source,) = ruleset.ruleset.sources
    assert source.citation.startswith(
        "Civic Fund (2026). Conditions of grant for local partnerships."
    )
    assert [r.id for r in ruleset.rules] == [f"CF-0{i}" for i in range(1, 8)]
    assert {r.source for r in ruleset.rules} == {"civicfund-conditions"}
    assert all(r.source_detail and r.source_detail.startswith("Condition ") for r in ruleset.rules)
    assert {r.id: r.gate for r in ruleset.rules if r.gate} == {
        "CF-01": "conditions-outstanding",
        "CF-02": "conditions-outstanding",
        "CF-04": "conditions-outstanding",
        "CF-06": "not-eligible",
        "CF-07": "not-eligible",
    }
    assert [
        location.plugin
        for location in engine.registry.rulesets
        if "civicfund" in str(location.location)
    ] == ["civicfund"]


def test_a_partnership_that_meets_every_condition_is_eligible(make_engine: MakeEngine) -> None:
    """The Riverside facts, with the register and an assessment date: eligible."""
    engine = make_engine(settings={"register": str(REGISTER), "as_of": "2026-03-31"})
    assessment = engine.evaluate(engine.load_facts(RIVERSIDE)).assessment("civicfund")
    assert assessment.outcome is not None
    assert (assessment.outcome.id, assessment.score, assessment.coverage) == ("eligible", 1.0, 1.0)
    assert {f.status for f in assessment.findings} == {Status.MET}
    assert assessment.warnings == ()


def test_a_suspended_partner_makes_the_partnership_not_eligible(make_engine: MakeEngine) -> None:
    """CF-06's gate caps the band, however well the rest is met."""
    engine = make_engine(settings={"register": str(REGISTER), "as_of": "2026-03-31"})
    facts = engine.load_facts(RIVERSIDE)
    facts["partners"] = [
        *facts["partners"],  # type: ignore[misc]
        {"id": "CF-0003", "name": "Eastgate Health Centre", "contact": "Dr R. Shah"},
    ]
    assessment = engine.evaluate(facts).assessment("civicfund")
    assert assessment.outcome is not None
    assert assessment.outcome.id == "not-eligible"
    assert [n.code for n in assessment.warnings] == ["gate"]
    unmet = [(f.rule_id, f.subject) for f in assessment.findings if f.status is Status.UNMET]
    assert unmet == [("CF-06", "Eastgate Health Centre")]
