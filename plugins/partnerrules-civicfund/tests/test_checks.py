"""The ``civicfund.approved_register`` check, with the register given through settings."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REGISTER
from conftest import RIVERSIDE
from conftest import MakeEngine
from partnerrules_civicfund.checks import AMBIGUOUS
from partnerrules_civicfund.checks import read_register

from partnerrules import Engine
from partnerrules import PluginError
from partnerrules import RulesetError
from partnerrules import Status

Partner = dict[str, object]


def statuses(engine: Engine, partners: list[Partner], rule: str = "CF-06") -> list[Status]:
    """Evaluate a partnership of these partners; return the rule's status per partner."""
    report = engine.evaluate({"partners": partners})
    findings = [f for f in report.findings if f.rule_id == rule]
    assert len(findings) == len(partners)
    return [f.status for f in findings]


@pytest.fixture
def engine(make_engine: MakeEngine) -> Engine:
    """The civicfund ruleset with the test register (tests/register.csv) configured."""
    return make_engine(settings={"register": str(REGISTER)})


# --------------------------------------------------------------------------- matching


def test_approved_suspended_and_missing_partners(engine: Engine) -> None:
    """Approved is met; suspended and not in the register are unmet."""
    assert statuses(
        engine,
        [
            {"id": "CF-0001", "name": "Riverside College"},
            {"id": "CF-0003", "name": "Eastgate Health Centre"},
            {"id": "CF-9999", "name": "Nobody Ltd"},
        ],
    ) == [Status.MET, Status.UNMET, Status.UNMET]


def test_id_then_name_ignoring_case_and_whitespace(engine: Engine) -> None:
    """The id decides when it is in the register; otherwise the name, normalised."""
    assert statuses(
        engine,
        [
            {"id": " cf-0002 "},  # by id alone
            {"name": "  riverside   COLLEGE "},  # by name alone
            {"id": "college", "name": "Riverside College"},  # a local id: the name decides
            {"id": "CF-0003", "name": "Riverside College"},  # the id wins over the name
            {"name": "Marsh, Okafor & Partners"},  # quoted in the CSV
        ],
    ) == [Status.MET, Status.MET, Status.MET, Status.UNMET, Status.MET]


@pytest.mark.parametrize(
    "partner",
    [
        pytest.param({"contact": "J. Marsh"}, id="neither"),
        pytest.param({"id": "", "name": "   "}, id="empty"),
        pytest.param({"id": None, "name": "unknown"}, id="not-recorded"),
        pytest.param({"id": True, "name": ["Riverside College"]}, id="not-text"),
    ],
)
def test_no_id_or_name_is_unknown(engine: Engine, partner: Partner) -> None:
    """A partner with neither id nor name cannot be looked up: unknown, never unmet."""
    report = engine.evaluate({"partners": [partner]})
    finding = report.assessment("civicfund").finding("CF-06")
    assert finding.status is Status.UNKNOWN
    assert {e.path for e in finding.evidence} >= {"partners[0].id", "partners[0].name"}


def test_a_name_shared_with_different_statuses_is_unknown(engine: Engine) -> None:
    """St Mary's School is in the register twice, approved and suspended: the name alone
    cannot say which; its id can."""
    assert read_register(REGISTER).status_of(None, "st mary's school") == AMBIGUOUS
    assert statuses(
        engine, [{"name": "St Mary's School"}, {"id": "CF-0006", "name": "St Mary's School"}]
    ) == [Status.UNKNOWN, Status.UNMET]


def test_an_integer_id_is_read_as_text(
    make_engine: MakeEngine, register_csv: Callable[[str], Path]
) -> None:
    """An id recorded as a number matches the same digits in the register."""
    path = register_csv("organisation_id,name,status\n1042,Quayside Trust,approved\n")
    engine = make_engine(settings={"register": str(path)})
    assert statuses(engine, [{"id": 1042}]) == [Status.MET]


# --------------------------------------------------------------------------- no register


def test_no_register_configured_makes_the_rule_unknown(make_engine: MakeEngine) -> None:
    """Without a register every partner is unknown, and the band may be capped."""
    engine = make_engine()
    partners: list[Partner] = [
        {"id": "CF-0001", "name": "Riverside College"},
        {"id": "CF-9999", "name": "Nobody Ltd"},
    ]
    assert statuses(engine, partners) == [Status.UNKNOWN, Status.UNKNOWN]
    spec = engine.registry.checks["civicfund.approved_register"]
    assert "no register configured" in spec.description
    facts = {**engine.load_facts(RIVERSIDE), "partners": partners}
    assessment = engine.evaluate(facts).assessment("civicfund")
    assert "gate_unknown" in [n.code for n in assessment.warnings]
    # The partners' ids and names were recorded: what is missing is the configuration,
    # not a fact, so no evidence is requested for CF-06.
    assert all(not f.missing for f in assessment.findings if f.rule_id == "CF-06")


def test_facts_cannot_name_the_register(make_engine: MakeEngine) -> None:
    """A register path in the facts is data, not configuration: it is never opened."""
    engine = make_engine()
    facts = {
        "civicfund": {"register": str(REGISTER)},
        "partners": [{"id": "CF-0001", "name": "Riverside College"}],
    }
    report = engine.evaluate(facts)
    assert report.assessment("civicfund").finding("CF-06").status is Status.UNKNOWN


def test_the_register_is_read_once_per_engine(
    make_engine: MakeEngine, register_csv: Callable[[str], Path]
) -> None:
    """The CSV is read when the engine is built; a later change needs a new engine."""
    path = register_csv("organisation_id,name,status\nCF-1,Quayside Trust,approved\n")
    engine = make_engine(settings={"register": str(path)})
    path.write_text("organisation_id,name,status\nCF-1,Quayside Trust,suspended\n")
    assert statuses(engine, [{"id": "CF-1"}]) == [Status.MET]
    path.unlink()
    assert statuses(engine, [{"id": "CF-1"}]) == [Status.MET]
    register_csv("organisation_id,name,status\nCF-1,Quayside Trust,suspended\n")
    assert statuses(make_engine(settings={"register": str(path)}), [{"id": "CF-1"}]) == [
        Status.UNMET
    ]


def test_a_relative_register_path_is_taken_from_the_working_directory(
    make_engine: MakeEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """partnerrules passes settings as written; the plugin resolves them from the cwd."""
    (tmp_path / "register.csv").write_bytes(REGISTER.read_bytes())
    monkeypatch.chdir(tmp_path)
    engine = make_engine(settings={"register": "register.csv"})
    assert statuses(engine, [{"id": "CF-0001"}]) == [Status.MET]


# --------------------------------------------------------------------------- bad registers

BAD_REGISTERS = [
    pytest.param("", "the register is empty", id="empty"),
    pytest.param(
        "id,name,state\nCF-1,Quayside Trust,approved\n",
        "line 1: the register has no organisation_id, status column",
        id="columns",
    ),
    pytest.param(
        "organisation_id,name,status\nCF-1,Quayside Trust,approved\nCF-2,Dock Ltd,pending\n",
        "line 3: status 'pending' is neither 'approved' nor 'suspended'",
        id="status",
    ),
    pytest.param(
        "organisation_id,name,status\n,,approved\n",
        "line 2: the row has neither an organisation_id nor a name",
        id="anonymous",
    ),
    pytest.param(
        "organisation_id,name,status\nCF-1,Quayside Trust,approved\ncf-1,Dock Ltd,approved\n",
        "line 3: organisation_id 'cf-1' appears twice in the register",
        id="duplicate-id",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_REGISTERS)
def test_a_broken_register_stops_the_engine(
    make_engine: MakeEngine, register_csv: Callable[[str], Path], text: str, message: str
) -> None:
    """A register the Fund configured but that cannot be used is an error, not unknown."""
    path = register_csv(text)
    with pytest.raises(PluginError) as info:
        make_engine(settings={"register": str(path)})
    assert info.value.plugin == "civicfund"
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_a_missing_register_file_names_the_path(make_engine: MakeEngine, tmp_path: Path) -> None:
    """A configured register that does not exist stops the engine, naming the path."""
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(PluginError, match="does not exist") as info:
        make_engine(settings={"register": str(missing)})
    assert str(missing) in str(info.value)


def test_the_register_setting_must_be_a_path(make_engine: MakeEngine) -> None:
    """A register setting that is not text is refused with the setting's name."""
    with pytest.raises(PluginError, match="setting 'register' must be the path"):
        make_engine(settings={"register": 42})


def test_a_misspelt_setting_is_an_error(make_engine: MakeEngine) -> None:
    """A misspelt setting would leave the register silently unconfigured: refuse it."""
    with pytest.raises(PluginError) as info:
        make_engine(settings={"regsiter": str(REGISTER)})
    assert info.value.plugin == "civicfund"
    assert (
        "unknown setting 'regsiter'; did you mean 'register'?"
        " (the settings of civicfund are: register, as_of)"
    ) in str(info.value)


def test_a_byte_order_mark_and_blank_lines_are_accepted(
    make_engine: MakeEngine, register_csv: Callable[[str], Path]
) -> None:
    """Spreadsheets save CSV with a byte-order mark; blank lines are skipped."""
    path = register_csv("\ufeffOrganisation_ID, Name ,Status\n\nCF-1,Quayside Trust,Approved\n\n")
    engine = make_engine(settings={"register": str(path)})
    assert statuses(engine, [{"name": "quayside trust"}]) == [Status.MET]


# --------------------------------------------------------------------------- params

RULESET = """\
[ruleset]
id = "civicfund-lenient"
version = "0.1.0"
kind = "checklist"
title = "A host's own rule with the Fund's check"

[[ruleset.sources]]
id = "host"
author = "A host"
year = "2026"
title = "Local policy"

[[rules]]
id = "HOST-01"
group = "eligibility"
title = "Each partner is approved or suspended"
source = "host"
for_each = "partners"
label = "name"
when = {{ check = "civicfund.approved_register", params = {params} }}
advice = "Ask the Fund."
"""


def write_ruleset(tmp_path: Path, params: str) -> Path:
    path = tmp_path / "lenient.toml"
    path.write_text(textwrap.dedent(RULESET.format(params=params)), encoding="utf-8")
    return path


def test_allow_suspended_counts_a_suspended_partner(
    make_engine: MakeEngine, tmp_path: Path
) -> None:
    """With params allow_suspended = true, a suspended partner meets the rule."""
    ruleset = write_ruleset(tmp_path, "{ allow_suspended = true }")
    engine = make_engine([ruleset], settings={"register": str(REGISTER)})
    partners: list[Partner] = [{"id": "CF-0003"}, {"id": "CF-9999"}]
    assert statuses(engine, partners, rule="HOST-01") == [Status.MET, Status.UNMET]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        pytest.param(
            "{ allow_suspendd = true }",
            "($.rules[0].when.params.allow_suspendd): check 'civicfund.approved_register':"
            " unknown key 'allow_suspendd'; did you mean 'allow_suspended'?",
            id="unknown-key",
        ),
        pytest.param(
            '{ allow_suspended = "yes" }',
            "($.rules[0].when.params.allow_suspended): check 'civicfund.approved_register':"
            " expected true or false, got text 'yes'",
            id="wrong-type",
        ),
    ],
)
def test_params_errors_name_the_rule_and_key(
    make_engine: MakeEngine, tmp_path: Path, params: str, message: str
) -> None:
    """A params table the check's attrs class does not accept is a ruleset error."""
    ruleset = write_ruleset(tmp_path, params)
    with pytest.raises(RulesetError) as info:
        make_engine([ruleset], settings={"register": str(REGISTER)})
    assert f"rule 'HOST-01' {message}" in str(info.value)
