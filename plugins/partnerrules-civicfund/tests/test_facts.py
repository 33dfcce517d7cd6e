"""prepare_facts: partnership.age_months from formed_on, as of the as_of setting or today."""

from __future__ import annotations

import copy
import datetime as dt

import partnerrules_civicfund
import pytest
from conftest import RIVERSIDE
from conftest import MakeEngine
from partnerrules_civicfund.facts import months_between
from partnerrules_civicfund.facts import with_age_months

from partnerrules import PluginError
from partnerrules import Status


def prepare(facts: dict[str, object], **settings: object) -> object:
    """Call the hook implementation as the engine does, with the plugin's settings."""
    return partnerrules_civicfund.prepare_facts(facts=facts, settings=settings)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2025-01-15", "2025-01-15", 0),
        ("2025-01-15", "2025-03-14", 1),
        ("2025-01-15", "2025-03-15", 2),
        ("2024-09-15", "2026-03-31", 18),
        ("2024-01-31", "2024-02-29", 0),
        ("2024-12-01", "2025-12-01", 12),
    ],
)
def test_months_between_counts_whole_months(start: str, end: str, months: int) -> None:
    """A month is complete on the day of the month the partnership started."""
    assert months_between(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == months


@pytest.mark.parametrize(
    "formed_on",
    [
        pytest.param(dt.date(2024, 9, 15), id="date"),
        pytest.param("2024-09-15", id="iso-text"),
        pytest.param(dt.datetime(2024, 9, 15, 10, 30), id="datetime"),
    ],
)
@pytest.mark.parametrize(
    "as_of", [pytest.param("2026-03-31", id="text"), pytest.param(dt.date(2026, 3, 31), id="date")]
)
def test_age_months_is_derived_as_of_the_setting(formed_on: object, as_of: object) -> None:
    """formed_on (a date, a datetime or ISO text) gives age_months as of `as_of`."""
    facts: dict[str, object] = {"partnership": {"name": "Riverside", "formed_on": formed_on}}
    assert prepare(facts, as_of=as_of) == {
        "partnership": {"name": "Riverside", "formed_on": formed_on, "age_months": 18}
    }


def test_without_as_of_the_age_is_worked_out_today() -> None:
    """With no as_of setting, the age is counted up to today."""
    formed = dt.date(2020, 6, 1)
    result = prepare({"partnership": {"formed_on": formed}})
    assert result == {
        "partnership": {
            "formed_on": formed,
            "age_months": months_between(formed, dt.date.today()),
        }
    }


def test_the_input_is_never_modified() -> None:
    """The hook returns new mappings; the facts it was given are left as they were."""
    facts: dict[str, object] = {
        "partnership": {"formed_on": dt.date(2024, 9, 15)},
        "partners": [{"name": "Riverside College"}],
    }
    before = copy.deepcopy(facts)
    result = prepare(facts, as_of="2026-03-31")
    assert facts == before
    assert isinstance(result, dict)
    assert result["partnership"] is not facts["partnership"]
    assert result["partners"] == facts["partners"]


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param({"partnership": {"formed_on": "2024-09-15", "age_months": 4}}, id="recorded"),
        pytest.param({"partnership": {"formed_on": "2024-09-15", "age_months": 0}}, id="zero"),
        pytest.param({"partnership": {"name": "Riverside"}}, id="no-formed-on"),
        pytest.param({"partnership": {"formed_on": "autumn 2024"}}, id="not-a-date"),
        pytest.param({"partnership": {"formed_on": "2027-01-01"}}, id="after-as-of"),
        pytest.param({"partnership": "Riverside"}, id="not-a-table"),
        pytest.param({}, id="no-partnership"),
    ],
)
def test_nothing_is_derived_without_a_gap_to_fill(facts: dict[str, object]) -> None:
    """A recorded age is never overwritten; without a usable formed_on nothing is derived."""
    assert prepare(facts, as_of="2026-03-31") is None


@pytest.mark.parametrize("recorded", [None, "unknown", "Unknown"])
def test_an_age_recorded_as_not_known_is_filled(recorded: object) -> None:
    """null and "unknown" mean not recorded, as everywhere in partnerrules."""
    facts = {"partnership": {"formed_on": "2024-09-15", "age_months": recorded}}
    assert with_age_months(facts, "2026-03-31") == {
        "partnership": {"formed_on": "2024-09-15", "age_months": 18}
    }


def test_a_bad_as_of_setting_is_an_error() -> None:
    """An as_of that is not a date is refused with the setting's name."""
    with pytest.raises(ValueError, match="setting 'as_of' must be a date"):
        prepare({"partnership": {"formed_on": "2024-09-15"}}, as_of="31/03/2026")


# --------------------------------------------------------------------------- in an engine


@pytest.mark.parametrize(
    ("as_of", "status", "months"),
    [("2026-03-31", Status.MET, 18), ("2025-06-30", Status.UNMET, 9)],
)
def test_the_engine_passes_as_of_to_prepare_facts(
    make_engine: MakeEngine, as_of: str, status: Status, months: int
) -> None:
    """[settings.civicfund] as_of decides the age CF-07 (continuation grants) reads."""
    engine = make_engine(settings={"as_of": as_of})
    report = engine.evaluate(engine.load_facts(RIVERSIDE))
    finding = report.assessment("civicfund").finding("CF-07")
    assert finding.status is status
    assert [(e.path, e.value) for e in finding.evidence] == [
        ("civicfund.grant_type", "continuation"),
        ("partnership.age_months", months),
    ]


def test_a_bad_as_of_setting_stops_the_evaluation(make_engine: MakeEngine) -> None:
    """The host reports the plugin's error, naming it."""
    engine = make_engine(settings={"as_of": "next Tuesday"})
    with pytest.raises(PluginError, match="setting 'as_of' must be a date") as info:
        engine.evaluate({"partnership": {"formed_on": "2024-09-15"}})
    assert info.value.plugin == "civicfund"
