"""The built-in assessment kinds: roll-up, bands and gates, stage diagnosis, classification.

The worked examples of docs/assessments.md are tested here, so the page cannot drift.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from partnerrules import Engine
from partnerrules import Status
from partnerrules.rollup import roll_up

MET, PARTIAL, UNMET = Status.MET, Status.PARTIAL, Status.UNMET
UNKNOWN, NA = Status.UNKNOWN, Status.NOT_APPLICABLE


def header(kind: str, extra: str = "") -> str:
    """Return a ruleset header of a kind, with an open test namespace ``f``."""
    return textwrap.dedent(
        f"""
        [ruleset]
        id = "k"
        version = "1.0.0"
        kind = "{kind}"
        title = "Kind test"

        [[ruleset.sources]]
        id = "src"
        author = "Author, A."
        year = "2020"
        title = "A source"

        [[facts]]
        path = "f"
        type = "table"
        meaning = "Test facts."
        open = true
        """
    ) + textwrap.dedent(extra)


def judged(rule_id: str, group: str, fact: str, **extra: str) -> str:
    """Return a rule met by ``f.<fact> = yes`` and partial by ``partly``."""
    lines = "".join(f"{k} = {v}\n" for k, v in extra.items())
    return f"""
[[rules]]
id = "{rule_id}"
group = "{group}"
title = "Rule {rule_id}"
source = "src"
advice = "Do {rule_id}."
when = {{ fact = "f.{fact}", op = "yes" }}
partial = {{ fact = "f.{fact}", op = "partly" }}
{lines}"""


def engine_for(tmp_path: Path, text: str) -> Engine:
    """Build an engine on one ruleset written to a file."""
    path = tmp_path / "k.toml"
    path.write_text(text, encoding="utf-8")
    return Engine([path], entry_points=False)


# --------------------------------------------------------------------------- roll-up


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        pytest.param([MET, MET], MET, id="all-met"),
        pytest.param([UNMET, UNMET], UNMET, id="all-unmet"),
        pytest.param([MET, UNMET], PARTIAL, id="mixed"),
        pytest.param([MET, UNMET, UNKNOWN], PARTIAL, id="mixed-with-unknown"),
        pytest.param([PARTIAL, UNKNOWN], PARTIAL, id="partial-with-unknown"),
        pytest.param([MET, UNKNOWN], UNKNOWN, id="met-and-unknown"),
        pytest.param([UNMET, UNKNOWN], UNKNOWN, id="unmet-and-unknown"),
        pytest.param([UNKNOWN], UNKNOWN, id="only-unknown"),
        pytest.param([NA, NA], NA, id="only-na"),
        pytest.param([NA, MET], MET, id="na-ignored"),
        pytest.param([], NA, id="empty"),
    ],
)
def test_roll_up_claims_no_more_than_is_known(statuses: list[Status], expected: Status) -> None:
    """A group is met or unmet only when nothing unknown could change it."""
    assert roll_up(statuses) is expected


# --------------------------------------------------------------------------- checklist

CHECKLIST = header(
    "checklist",
    """
    [[bands]]
    id = "strong"
    title = "Strong"
    min = 0.8

    [[bands]]
    id = "developing"
    title = "Developing"
    min = 0.6

    [[bands]]
    id = "fragile"
    title = "Fragile"
    min = 0.4

    [[bands]]
    id = "at-risk"
    title = "At risk"
    min = 0.0

    [[groups]]
    id = "purpose"
    title = "Shared purpose"
    actions = ["Agree the purpose together."]

    [[groups]]
    id = "trust"
    title = "Trust"

    [[groups]]
    id = "resources"
    title = "Resources"

    [[groups]]
    id = "communication"
    title = "Communication"
    """,
) + "".join(
    [
        judged("P1", "purpose", "p1", gate='"fragile"'),
        judged("P2", "purpose", "p2"),
        judged("T1", "trust", "t1"),
        judged("T2", "trust", "t2"),
        judged("R1", "resources", "r1"),
        judged("C1", "communication", "c1"),
        judged("C2", "communication", "c2"),
    ]
)


def test_checklist_worked_example(tmp_path: Path) -> None:
    """docs/assessments.md: factors 0.75, 1.0, 0 and 1.0 half known: 69%, coverage 88%."""
    engine = engine_for(tmp_path, CHECKLIST)
    facts = {"f": {"p1": "yes", "p2": "partly", "t1": "yes", "t2": "yes", "r1": "no", "c1": "yes"}}
    a = engine.evaluate(facts).assessments[0]
    scores = {g.id: g.score for g in a.groups}
    assert scores == {"purpose": 0.75, "trust": 1.0, "resources": 0.0, "communication": 1.0}
    assert {g.id: g.coverage for g in a.groups}["communication"] == 0.5
    assert {g.id: g.status for g in a.groups}["communication"] is UNKNOWN
    assert a.score == pytest.approx((0.75 + 1.0 + 0 + 1.0) / 4)
    assert a.coverage == pytest.approx(0.875)
    assert a.outcome is not None
    assert (a.outcome.id, a.outcome.confidence) == ("developing", "high")
    assert a.actions == ("Agree the purpose together.",)
    assert a.next_steps == ("R1", "P2")


def test_checklist_gate_caps_the_band(tmp_path: Path) -> None:
    """An unmet gate rule caps a high score at its band, with a `gate` warning."""
    engine = engine_for(tmp_path, CHECKLIST)
    facts = {"f": dict.fromkeys(("p2", "t1", "t2", "r1", "c1", "c2"), "yes") | {"p1": "no"}}
    a = engine.evaluate(facts).assessments[0]
    assert a.score == pytest.approx((0.5 + 1 + 1 + 1) / 4)
    assert a.outcome is not None
    assert a.outcome.id == "fragile"
    assert [n.code for n in a.warnings] == ["gate"]
    assert "P1" in a.warnings[0].message


def test_checklist_unknown_gate_warns(tmp_path: Path) -> None:
    """An unknown gate rule keeps the band but warns that it may be capped."""
    engine = engine_for(tmp_path, CHECKLIST)
    facts = {"f": dict.fromkeys(("p2", "t1", "t2", "r1", "c1", "c2"), "yes")}
    a = engine.evaluate(facts).assessments[0]
    assert a.outcome is not None
    assert a.outcome.id == "strong"
    assert [n.code for n in a.warnings] == ["gate_unknown"]


def test_checklist_too_little_evidence_is_undetermined(tmp_path: Path) -> None:
    """Below min_coverage the band is undetermined, whatever the few facts say."""
    engine = engine_for(tmp_path, CHECKLIST)
    a = engine.evaluate({"f": {"t1": "yes", "c1": "yes"}}).assessments[0]
    assert a.score == pytest.approx(1.0)
    assert a.coverage == pytest.approx((0.5 + 0.5) / 4)  # trust and communication half known
    assert a.outcome is not None
    assert a.outcome.id == "undetermined"
    assert not a.outcome.determined


# --------------------------------------------------------------------------- completeness

COMPLETENESS = (
    header(
        "completeness",
        """
    [[bands]]
    id = "complete"
    title = "Complete"
    min = 0.9

    [[bands]]
    id = "substantial"
    title = "Substantial"
    min = 0.7

    [[bands]]
    id = "minimal"
    title = "Minimal"
    min = 0.0

    [[groups]]
    id = "written"
    title = "Written down"
    weight = 0.0
    """
        + "".join(f'\n[[groups]]\nid = "e{i}"\ntitle = "Element {i}"\n' for i in range(1, 11)),
    )
    + judged("W", "written", "written", gate='"minimal"')
    + "".join(
        judged(f"E{i}a", f"e{i}", f"e{i}a") + judged(f"E{i}b", f"e{i}", f"e{i}b")
        for i in range(1, 11)
    )
)


def _elements(present: int, partial: int, missing: int) -> dict[str, str]:
    facts: dict[str, str] = {}
    i = 1
    for count, (a, b) in (
        (present, ("yes", "yes")),
        (partial, ("yes", "no")),
        (missing, ("no", "no")),
    ):
        for _ in range(count):
            facts[f"e{i}a"], facts[f"e{i}b"] = a, b
            i += 1
    return facts


def test_completeness_worked_example(tmp_path: Path) -> None:
    """docs/assessments.md: 6 present, 2 partial, 1 missing, 1 unknown give 78%, substantial."""
    engine = engine_for(tmp_path, COMPLETENESS)
    facts = {"f": {"written": "yes", **_elements(6, 2, 1)}}
    a = engine.evaluate(facts).assessments[0]
    labels = [g.status_label for g in a.groups]
    assert labels == ["present"] * 7 + ["partial"] * 2 + ["missing", "unknown"]
    assert a.score == pytest.approx((6 + 2 * 0.5) / 9)
    assert a.coverage == pytest.approx(0.9)
    assert a.outcome is not None
    assert a.outcome.id == "substantial"
    assert a.verdict.startswith("6 of 10 elements present; 2 partial; 1 missing; 1 unknown")


def test_completeness_gate_caps_a_verbal_agreement(tmp_path: Path) -> None:
    """The precondition group does not count, but its unmet gate caps the band."""
    engine = engine_for(tmp_path, COMPLETENESS)
    facts = {"f": {"written": "no", **_elements(10, 0, 0)}}
    a = engine.evaluate(facts).assessments[0]
    assert a.score == pytest.approx(1.0)
    assert a.outcome is not None
    assert a.outcome.id == "minimal"
    assert [n.code for n in a.warnings] == ["gate"]


# --------------------------------------------------------------------------- stages

STAGES = header(
    "stages",
    """
    [assessment]
    min_matches = 2.0
    precedence_stage = "failing"
    precedence_min_met = 2

    [[groups]]
    id = "forming"
    title = "Forming"
    actions = ["Get to know each other."]

    [[groups]]
    id = "frustration"
    title = "Frustration"
    actions = ["Go back to common ground."]

    [[groups]]
    id = "functioning"
    title = "Functioning"
    actions = ["Implement the agreement."]

    [[groups]]
    id = "failing"
    title = "Failing"
    actions_from = "forming"
    """,
) + "".join(
    judged(f"{stage[:3].upper()}{i}", stage, f"{stage}{i}", severity='"info"')
    for stage, count in (("forming", 4), ("frustration", 6), ("functioning", 5), ("failing", 4))
    for i in range(1, count + 1)
)


def diagnose(tmp_path: Path, **indicators: str):
    """Diagnose the stage from indicator values given as keyword arguments."""
    return engine_for(tmp_path, STAGES).evaluate({"f": indicators}).assessments[0]


def test_stage_worked_example(tmp_path: Path) -> None:
    """docs/assessments.md (TC-001-2): Forming 2.5/4 with a partly Failing sign."""
    a = diagnose(tmp_path, forming1="yes", forming2="yes", forming3="partly", failing3="partly")
    assert a.outcome is not None
    assert a.outcome.id == "forming"
    assert a.groups[0].score == pytest.approx(2.5 / 4)
    assert a.groups[0].coverage == pytest.approx(3 / 4)
    assert [n.code for n in a.warnings] == ["failing_risk"]
    assert a.actions == ("Get to know each other.",)
    assert a.details["decided_by"] == ["FOR1", "FOR2", "FOR3"]


def test_stage_tie_goes_to_the_earlier_stage(tmp_path: Path) -> None:
    """Forming 2/4 and Frustration 3/6 both score 0.5: Forming wins, with margin 0."""
    a = diagnose(
        tmp_path,
        forming1="yes",
        forming2="yes",
        frustration1="yes",
        frustration2="yes",
        frustration3="yes",
    )
    assert a.outcome is not None
    assert (a.outcome.id, a.outcome.margin, a.outcome.confidence) == ("forming", 0.0, "low")
    assert a.details["runner_up"] == "frustration"
    assert [n.code for n in a.warnings] == ["mixed_signals"]


def test_failing_needs_two_full_signs(tmp_path: Path) -> None:
    """Two fully observed Failing indicators diagnose Failing, over a stronger stage."""
    a = diagnose(
        tmp_path,
        **{f"functioning{i}": "yes" for i in range(1, 5)},
        failing1="yes",
        failing2="yes",
    )
    assert a.outcome is not None
    assert a.outcome.id == "failing"
    assert a.details["underlying_stage"] == "functioning"
    assert a.actions == ("Get to know each other.",)  # back to the Forming actions


def test_no_candidate_is_undetermined(tmp_path: Path) -> None:
    """With no stage at two matches the diagnosis is undetermined, listing what to record."""
    a = diagnose(tmp_path, forming1="yes", functioning1="partly")
    assert a.outcome is not None
    assert a.outcome.id == "undetermined"
    assert "FOR2" in a.details["indicators_to_collect"]
    assert a.actions == ()


# --------------------------------------------------------------------------- classification

LADDER = (
    header(
        "classification",
        """
    [assessment]
    mode = "cumulative"
    categories = ["r1", "r2", "r3"]
    none_title = "Working alone"

    [[groups]]
    id = "r1"
    title = "Rung 1"

    [[groups]]
    id = "r2"
    title = "Rung 2"

    [[groups]]
    id = "r3"
    title = "Rung 3"
    """,
    )
    + judged("L1", "r1", "a1")
    + judged("L2", "r2", "a2")
    + judged("L3", "r3", "a3")
)


@pytest.mark.parametrize(
    ("facts", "outcome", "codes"),
    [
        pytest.param({"a1": "yes", "a2": "yes", "a3": "yes"}, "r3", [], id="top"),
        pytest.param({"a1": "yes", "a2": "no", "a3": "yes"}, "r1", ["inconsistent"], id="gap"),
        pytest.param({"a1": "yes", "a3": "no"}, "r1", ["could_be_higher"], id="unknown-rung"),
        pytest.param({"a1": "yes", "a2": "partly"}, "r1", ["partly"], id="partly"),
        pytest.param({"a1": "no"}, "none", [], id="none"),
        pytest.param({}, "undetermined", [], id="nothing-recorded"),
    ],
)
def test_cumulative_ladder(
    tmp_path: Path, facts: dict[str, str], outcome: str, codes: list[str]
) -> None:
    """The highest rung with every rung below reached; gaps and unknowns are flagged."""
    a = engine_for(tmp_path, LADDER).evaluate({"f": facts}).assessments[0]
    assert a.outcome is not None
    assert a.outcome.id == outcome
    assert [n.code for n in a.warnings] == codes


GRID = (
    header(
        "classification",
        """
    [assessment]
    items = "f.people"
    categories = ["high", "low"]

    [[facts]]
    path = "f.people"
    type = "list"
    meaning = "People."

    [[groups]]
    id = "high"
    title = "High power"
    actions = ["Manage closely."]

    [[groups]]
    id = "low"
    title = "Low power"
    actions = ["Keep informed."]

    [[groups]]
    id = "checks"
    title = "Checks"
    """,
    )
    + "".join(
        f"""
[[rules]]
id = "{rid}"
group = "{group}"
title = "{group}"
source = "src"
advice = "Classify."
for_each = "f.people"
when = {{ fact = "item.power", op = "==", value = "{value}" }}
"""
        for rid, group, value in (("G1", "high", "high"), ("G2", "low", "low"))
    )
    + """
[[rules]]
id = "CHK"
group = "checks"
title = "Each person has a contact"
source = "src"
advice = "Name a contact."
for_each = "f.people"
when = { fact = "item.contact", op = "filled" }
"""
)


def test_classification_per_item(tmp_path: Path) -> None:
    """Each item gets the first category it meets, with advice; missing facts: undetermined."""
    engine = engine_for(tmp_path, GRID)
    people = [
        {"name": "Council", "power": "high", "contact": "J. Smith"},
        {"name": "Residents", "power": "low"},
        {"name": "Press"},
    ]
    a = engine.evaluate({"f": {"people": people}}).assessments[0]
    assert [(i.subject, i.id, i.advice) for i in a.items] == [
        ("Council", "high", "Manage closely."),
        ("Residents", "low", "Keep informed."),
        ("Press", "undetermined", a.items[2].advice),
    ]
    assert a.items[2].advice.startswith("Record the facts")
    assert a.next_steps == ()  # Residents' contact is unknown, not unmet
    assert a.verdict == "High power: 1; Low power: 1; Undetermined: 1"
