"""The engine: statuses, honesty about unknowns, evidence, for_each, the shipped ruleset."""

from __future__ import annotations

import concurrent.futures
import copy
import multiprocessing
import pickle
import types
from collections.abc import Callable
from pathlib import Path

import pytest

import partnerrules
from partnerrules import Assessment
from partnerrules import Engine
from partnerrules import Evidence
from partnerrules import EvidenceRequest
from partnerrules import Finding
from partnerrules import GroupResult
from partnerrules import Report
from partnerrules import RulesetError
from partnerrules import Status
from partnerrules import UnknownRulesetError

from .conftest import EXAMPLES

MET = Status.MET
PARTIAL = Status.PARTIAL
UNMET = Status.UNMET
UNKNOWN = Status.UNKNOWN
NA = Status.NOT_APPLICABLE

RIVERSIDE = EXAMPLES / "riverside-learning-partnership.toml"
NORTHFIELD = EXAMPLES / "northfield-health-alliance.toml"

MakeEngine = Callable[..., Engine]


def rule(rule_id: str, when: str, **extra: str) -> str:
    """Return one ``[[rules]]`` table; ``extra`` values are TOML (quote strings yourself)."""
    lines = [
        "",
        "[[rules]]",
        f'id = "{rule_id}"',
        f'title = "Rule {rule_id}"',
        'group = "g"',
        'source = "src"',
        'advice = "Record it."',
        f"when = {when}",
    ]
    lines += [f"{key} = {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def make_engine(tmp_ruleset: Callable[..., Path]) -> MakeEngine:
    """Build an engine from rules appended to the demo header."""

    def build(*rules: str) -> Engine:
        return Engine([tmp_ruleset("".join(rules), header=True)], entry_points=False)

    return build


def findings_of(report: Report) -> tuple[Finding, ...]:
    """Return the findings of the only assessment of a report."""
    (assessment,) = report.assessments
    return assessment.findings


def only_finding(report: Report) -> Finding:
    """Return the single finding of a report."""
    (finding,) = findings_of(report)
    return finding


# --------------------------------------------------------------------------- statuses

FILLED_X = '{ fact = "a.x", op = "filled" }'
YES_X = '{ fact = "a.x", op = "yes" }'
PARTLY_X = '{ fact = "a.x", op = "partly" }'
FORMAL = '{ fact = "a.kind", op = "==", value = "formal" }'


@pytest.mark.parametrize(
    ("when", "extra", "facts", "expected"),
    [
        (FILLED_X, {}, {"a": {"x": "Written down"}}, MET),
        (FILLED_X, {}, {"a": {"x": "tbd"}}, UNMET),
        (FILLED_X, {}, {"a": {"x": ""}}, UNMET),
        (FILLED_X, {}, {}, UNKNOWN),
        (FILLED_X, {}, {"a": {}}, UNKNOWN),
        (FILLED_X, {}, {"a": {"x": "unknown"}}, UNKNOWN),
        (FILLED_X, {}, {"a": {"x": None}}, UNKNOWN),
        (YES_X, {"partial": PARTLY_X}, {"a": {"x": "yes"}}, MET),
        (YES_X, {"partial": PARTLY_X}, {"a": {"x": "partly"}}, PARTIAL),
        (YES_X, {"partial": PARTLY_X}, {"a": {"x": "partial"}}, PARTIAL),
        (YES_X, {"partial": PARTLY_X}, {"a": {"x": "no"}}, UNMET),
        (YES_X, {"partial": PARTLY_X}, {"a": {"x": "tbd"}}, UNMET),
        (YES_X, {"partial": PARTLY_X}, {"a": {"x": "We think so"}}, UNKNOWN),
        (YES_X, {"partial": PARTLY_X}, {}, UNKNOWN),
        (YES_X, {"partial": '{ fact = "a.y", op = "filled" }'}, {"a": {"x": "no"}}, UNKNOWN),
        (
            '{ all = [{ fact = "a.x", op = "yes" }, { fact = "a.y", op = "filled" }] }',
            {"partial": YES_X},
            {"a": {"x": "yes"}},
            UNKNOWN,
        ),
        (FILLED_X, {"applies": FORMAL}, {"a": {"kind": "informal", "x": "tbd"}}, NA),
        (FILLED_X, {"applies": FORMAL}, {"a": {"kind": "informal"}}, NA),
        (FILLED_X, {"applies": FORMAL}, {"a": {"x": "Written down"}}, UNKNOWN),
        (FILLED_X, {"applies": FORMAL}, {"a": {"kind": "formal", "x": "Written down"}}, MET),
        (FILLED_X, {"applies": FORMAL}, {"a": {"kind": "formal", "x": "tbd"}}, UNMET),
        (FILLED_X, {"applies": FORMAL}, {"a": {"kind": "formal"}}, UNKNOWN),
        (
            YES_X,
            {"applies": FORMAL, "partial": PARTLY_X},
            {"a": {"kind": "formal", "x": "partly"}},
            PARTIAL,
        ),
    ],
    ids=[
        "filled-met",
        "placeholder-unmet",
        "empty-text-unmet",
        "no-facts-unknown",
        "no-key-unknown",
        "word-unknown",
        "null-unknown",
        "judgement-met",
        "judgement-partial",
        "judgement-partial-alias",
        "judgement-unmet",
        "placeholder-judgement-unmet",
        "free-text-unknown",
        "not-recorded-unknown",
        "false-when-unknown-partial-unknown",
        "unknown-when-is-not-rescued-by-partial",
        "applies-false-not-applicable",
        "applies-false-when-unknown-not-applicable",
        "applies-unknown-unknown-even-if-met",
        "applies-true-met",
        "applies-true-unmet",
        "applies-true-when-unknown",
        "applies-true-partial",
    ],
)
def test_status_from_when_partial_and_applies(
    make_engine: MakeEngine,
    when: str,
    extra: dict[str, str],
    facts: dict[str, object],
    expected: Status,
) -> None:
    """applies, when and partial decide the status in that order, unknown never turning unmet."""
    engine = make_engine(rule("R1", when, **extra))
    finding = only_finding(engine.evaluate(facts))
    assert finding.status is expected
    assert finding.subject is None


def test_finding_carries_the_rule_fields(make_engine: MakeEngine) -> None:
    """A finding repeats the rule's id, title, group, severity, weight, source and advice."""
    engine = make_engine(
        rule(
            "R1",
            FILLED_X,
            severity='"critical"',
            weight="2.5",
            source_detail='"Section 3"',
        )
    )
    finding = only_finding(engine.evaluate({"a": {"x": "tbd"}}))
    assert finding == Finding(
        rule=engine.rulesets[0].rules[0],
        status=UNMET,
        evidence=(Evidence("a.x", "tbd", True, None),),
        subject=None,
    )
    assert finding.source == "Author, A. (2020). A source. Section 3."
    assert (finding.rule_id, finding.title, finding.group) == ("R1", "Rule R1", "g")
    assert finding.severity is partnerrules.Severity.CRITICAL
    assert finding.weight == 2.5
    assert finding.advice == "Record it."


# --------------------------------------------------------------------------- honesty


@pytest.mark.parametrize(
    "when",
    [
        '{ fact = "a.b", op = "filled" }',
        '{ fact = "a.b", op = "==", value = "x" }',
        '{ fact = "a.b", op = "!=", value = "x" }',
        '{ fact = "a.b", op = ">=", value = 3 }',
        '{ fact = "a.b", op = "in", value = ["x", "y"] }',
        '{ fact = "a.b", op = "not_in", value = ["x", "y"] }',
        '{ fact = "a.b", op = "contains", value = "x" }',
        '{ fact = "a.b", op = "yes" }',
        '{ fact = "a.b", op = "no" }',
        '{ fact = "a.b", op = "at_least", value = "partly" }',
        '{ not = { fact = "a.b", op = "filled" } }',
        '{ any = [{ fact = "a.b", op = "filled" }, { fact = "c", op = "filled" }] }',
        '{ count = "a.b", op = ">=", value = 0 }',
        '{ all_items = "a.b", where = { fact = "item.x", op = "filled" } }',
    ],
    ids=[
        "filled",
        "eq",
        "ne",
        "ge",
        "in",
        "not-in",
        "contains",
        "yes",
        "no",
        "at-least",
        "not",
        "any-with-false",
        "count",
        "all-items",
    ],
)
@pytest.mark.parametrize(
    "facts",
    [
        {"c": "tbd"},
        {"a": {}, "c": "tbd"},
        {"a": {"b": "unknown"}, "c": "tbd"},
        {"a": "unknown", "c": "tbd"},
    ],
    ids=["no-table", "no-key", "word-unknown", "parent-unknown"],
)
def test_unrecorded_fact_is_unknown_never_unmet(
    make_engine: MakeEngine, when: str, facts: dict[str, object]
) -> None:
    """A rule over an unrecorded fact is unknown, names the fact as missing and asks for it."""
    report = make_engine(rule("R1", when)).evaluate(facts)
    finding = only_finding(report)
    assert finding.status is UNKNOWN
    assert finding.missing == ("a.b",)
    assert report.evidence_to_request() == (EvidenceRequest("a.b", ("R1",)),)


def test_evidence_to_request_groups_rules_by_missing_fact(make_engine: MakeEngine) -> None:
    """Each unrecorded fact is requested once, naming every unknown rule it would settle."""
    engine = make_engine(
        rule("R1", '{ fact = "a.b", op = "filled" }'),
        rule("R2", '{ all = [{ fact = "c", op = "filled" }, { fact = "a.b", op = "yes" }] }'),
        rule("R3", '{ any = [{ fact = "d", op = "yes" }, { fact = "a.b", op = "yes" }] }'),
        # unmet despite an unrecorded read: a false part settles 'all', nothing to request
        rule(
            "R4", '{ all = [{ fact = "c", op = "==", value = "x" }, { fact = "e", op = "yes" }] }'
        ),
        rule("R5", '{ fact = "c", op = "filled" }'),
    )
    report = engine.evaluate({"c": "Recorded"})
    statuses = {f.rule_id: f.status for f in findings_of(report)}
    assert statuses == {"R1": UNKNOWN, "R2": UNKNOWN, "R3": UNKNOWN, "R4": UNMET, "R5": MET}
    assert report.assessment("demo").finding("R4").missing == ("e",)
    assert report.evidence_to_request() == (
        EvidenceRequest("a.b", ("R1", "R2", "R3")),
        EvidenceRequest("d", ("R3",)),
    )


@pytest.mark.parametrize(
    ("op", "recorded", "not_recorded"),
    [("exists", MET, UNMET), ("missing", UNMET, MET)],
    ids=["exists", "missing"],
)
def test_exists_and_missing_decide_on_absence(
    make_engine: MakeEngine, op: str, recorded: Status, not_recorded: Status
) -> None:
    """Only exists/missing turn absence into met or unmet (they are meant for applicability)."""
    engine = make_engine(rule("R1", f'{{ fact = "a.b", op = "{op}" }}'))
    assert only_finding(engine.evaluate({"a": {"b": "tbd"}})).status is recorded
    unrecorded = engine.evaluate({})
    assert only_finding(unrecorded).status is not_recorded
    assert unrecorded.evidence_to_request() == ()


# --------------------------------------------------------------------------- evidence


def test_evidence_records_each_path_read_with_its_value(make_engine: MakeEngine) -> None:
    """Evidence lists applies, when and partial reads once each, with the value seen or absent."""
    engine = make_engine(
        rule(
            "R1",
            '{ all = [{ fact = "a.x", op = "filled" }, { fact = "a.n", op = ">=", value = 3 },'
            ' { fact = "a.tags", op = "contains", value = "k" }] }',
            applies='{ fact = "a.kind", op = "!=", value = "none" }',
            partial='{ fact = "a.x", op = "partly" }',
        )
    )
    facts = {"a": {"kind": "formal", "x": "Written", "tags": ["k", "m"], "n": "unknown"}}
    finding = only_finding(engine.evaluate(facts))
    assert finding.status is UNKNOWN
    assert finding.evidence == (
        Evidence("a.kind", "formal", True, None),
        Evidence("a.x", "Written", True, None),
        Evidence("a.n", None, False, None),
        Evidence("a.tags", ["k", "m"], True, None),
    )
    assert finding.missing == ("a.n",)


def test_not_applicable_finding_shows_only_what_decided_applicability(
    make_engine: MakeEngine,
) -> None:
    """A not-applicable finding's evidence is the applies reads, not the when reads."""
    engine = make_engine(rule("R1", FILLED_X, applies=FORMAL))
    finding = only_finding(engine.evaluate({"a": {"kind": "informal"}}))
    assert finding.status is NA
    assert finding.evidence == (Evidence("a.kind", "informal", True, None),)
    assert finding.missing == ()


def test_evidence_keeps_recorded_values_of_any_type(make_engine: MakeEngine) -> None:
    """Dates, numbers, booleans and tables are reported as read, not converted."""
    import datetime

    engine = make_engine(
        rule(
            "R1",
            '{ all = [{ fact = "d", op = "exists" }, { fact = "n", op = "exists" },'
            ' { fact = "b", op = "exists" }, { fact = "t", op = "exists" }] }',
        )
    )
    facts = {"d": datetime.date(2024, 11, 14), "n": 0, "b": False, "t": {"k": "v"}}
    finding = only_finding(engine.evaluate(facts))
    assert finding.status is MET
    assert [(e.path, e.value, e.present) for e in finding.evidence] == [
        ("d", datetime.date(2024, 11, 14), True),
        ("n", 0, True),
        ("b", False, True),
        ("t", {"k": "v"}, True),
    ]


def test_evidence_notes_come_from_the_exact_path_or_nearest_ancestor(
    make_engine: MakeEngine,
) -> None:
    """A note on the path wins; otherwise the nearest ancestor's; a name prefix is no ancestor."""
    engine = make_engine(
        rule(
            "R1",
            '{ all = [{ fact = "a.b.c", op = "filled" }, { fact = "a.b.d", op = "filled" },'
            ' { fact = "a.e", op = "filled" }, { fact = "ab.f", op = "filled" },'
            ' { fact = "g", op = "filled" }] }',
        )
    )
    facts = {
        "a": {"b": {"c": "x", "d": "y"}, "e": "z"},
        "ab": {"f": "w"},
        "evidence": {
            "a.b.c": "Minutes, p. 3",
            "a.b": "Annex B",
            "a": "Signed agreement",
            "g": "Asked, no answer yet",
        },
    }
    evidence = only_finding(engine.evaluate(facts)).evidence
    assert [(e.path, e.note) for e in evidence] == [
        ("a.b.c", "Minutes, p. 3"),
        ("a.b.d", "Annex B"),
        ("a.e", "Signed agreement"),
        ("ab.f", None),
        ("g", "Asked, no answer yet"),
    ]
    assert evidence[-1].present is False


def test_evidence_table_that_is_not_a_table_gives_no_notes(make_engine: MakeEngine) -> None:
    """A top-level ``evidence`` that is not a table is ignored as a source of notes."""
    engine = make_engine(rule("R1", FILLED_X))
    finding = only_finding(engine.evaluate({"a": {"x": "Written"}, "evidence": "see the file"}))
    assert finding.evidence == (Evidence("a.x", "Written", True, None),)


# --------------------------------------------------------------------------- for_each

CONTACT = '{ fact = "item.contact", op = "filled" }'


def test_for_each_gives_one_finding_per_item(make_engine: MakeEngine) -> None:
    """Each item gets its own status and a subject from name, then id, then its index."""
    engine = make_engine(rule("R1", CONTACT, for_each='"partners"'))
    facts = {
        "partners": [
            {"name": "Acme College", "id": "P1", "contact": "Jo Bloggs"},
            {"id": "P2", "contact": "tbd"},
            {"id": 7, "contact": "Sam"},
            {"name": "   ", "contact": "Kim"},
            {"name": "Delta Trust"},
            {"name": "Echo", "contact": "unknown"},
            "Foxtrot",
        ]
    }
    findings = findings_of(engine.evaluate(facts))
    assert [(f.subject, f.status) for f in findings] == [
        ("Acme College", MET),
        ("P2", UNMET),
        ("7", MET),
        ("partners[3]", MET),
        ("Delta Trust", UNKNOWN),
        ("Echo", UNKNOWN),
        ("partners[6]", UNKNOWN),
    ]
    assert findings[1].evidence == (Evidence("partners[1].contact", "tbd", True, None),)
    assert [f.missing for f in findings[4:]] == [
        ("partners[4].contact",),
        ("partners[5].contact",),
        ("partners[6].contact",),
    ]
    assert {f.rule_id for f in findings} == {"R1"}


def test_for_each_label_names_the_subject_field(make_engine: MakeEngine) -> None:
    """With ``label``, that field names the item; without a usable value, the index does."""
    engine = make_engine(rule("R1", CONTACT, for_each='"partners"', label='"org"'))
    facts = {
        "partners": [
            {"org": "Org A", "name": "Name A", "contact": "x"},
            {"org": 12, "contact": "x"},
            {"name": "Name C", "contact": "x"},
            {"org": True, "contact": "x"},
        ]
    }
    subjects = [f.subject for f in findings_of(engine.evaluate(facts))]
    assert subjects == ["Org A", "12", "partners[2]", "partners[3]"]


@pytest.mark.parametrize(
    ("partners", "status", "evidence"),
    [
        (None, UNKNOWN, Evidence("partners", None, False, None)),
        ("unknown", UNKNOWN, Evidence("partners", None, False, None)),
        ("Acme and Beta", UNKNOWN, Evidence("partners", "Acme and Beta", True, None)),
        ([], NA, Evidence("partners", [], True, None)),
    ],
    ids=["not-recorded", "word-unknown", "not-a-list", "empty-list"],
)
def test_for_each_without_items(
    make_engine: MakeEngine, partners: object, status: Status, evidence: Evidence
) -> None:
    """No list gives one unknown finding about the list; an empty list one not-applicable."""
    engine = make_engine(rule("R1", CONTACT, for_each='"partners"'))
    facts = {} if partners is None else {"partners": partners}
    report = engine.evaluate(facts)
    finding = only_finding(report)
    assert (finding.status, finding.subject, finding.evidence) == (status, "partners", (evidence,))
    expected_requests = (EvidenceRequest("partners", ("R1",)),) if not evidence.present else ()
    assert report.evidence_to_request() == expected_requests


def test_for_each_evidence_paths_and_notes(make_engine: MakeEngine) -> None:
    """Item reads are reported at ``list[i].field`` with notes from the item or the list."""
    engine = make_engine(
        rule(
            "R1",
            '{ all = [{ fact = "item.contact", op = "filled" },'
            ' { fact = "form", op = "exists" }] }',
            for_each='"org.partners"',
        )
    )
    facts = {
        "form": "mou",
        "org": {"partners": [{"name": "A", "contact": "Jo"}, {"name": "B", "contact": "Sam"}]},
        "evidence": {"org.partners": "Partner register", "org.partners[1].contact": "Email"},
    }
    findings = findings_of(engine.evaluate(facts))
    assert [f.evidence for f in findings] == [
        (
            Evidence("org.partners[0].contact", "Jo", True, "Partner register"),
            Evidence("form", "mou", True, None),
        ),
        (
            Evidence("org.partners[1].contact", "Sam", True, "Email"),
            Evidence("form", "mou", True, None),
        ),
    ]


def test_for_each_list_evidence_takes_an_ancestor_note(make_engine: MakeEngine) -> None:
    """The finding about an absent or empty list takes its note like any other path."""
    engine = make_engine(rule("R1", CONTACT, for_each='"org.partners"'))
    notes = {"evidence": {"org": "Organisation chart, 2025"}}
    absent = only_finding(engine.evaluate(notes))
    assert absent.evidence == (Evidence("org.partners", None, False, "Organisation chart, 2025"),)
    empty = only_finding(engine.evaluate({"org": {"partners": []}, **notes}))
    assert empty.evidence == (Evidence("org.partners", [], True, "Organisation chart, 2025"),)


def test_for_each_applies_per_item(make_engine: MakeEngine) -> None:
    """``applies`` is judged per item; a not-applicable item shows only the applies reads."""
    engine = make_engine(
        rule(
            "R1",
            CONTACT,
            for_each='"partners"',
            applies='{ fact = "item.active", op = "yes" }',
        )
    )
    facts = {
        "partners": [
            {"name": "A", "active": "yes", "contact": "Jo"},
            {"name": "B", "active": "no", "contact": "tbd"},
            {"name": "C", "contact": "Sam"},
        ]
    }
    findings = findings_of(engine.evaluate(facts))
    assert [(f.subject, f.status) for f in findings] == [("A", MET), ("B", NA), ("C", UNKNOWN)]
    assert findings[1].evidence == (Evidence("partners[1].active", "no", True, None),)
    assert findings[2].missing == ("partners[2].active",)


def test_item_paths_outside_for_each_are_rejected(tmp_ruleset: Callable[..., Path]) -> None:
    """A rule reading ``item.`` without ``for_each`` (or a quantifier) fails to compile."""
    path = tmp_ruleset(rule("R1", CONTACT), header=True)
    with pytest.raises(RulesetError) as info:
        Engine([path], entry_points=False)
    (message,) = info.value.messages
    assert "'R1'" in message
    assert message.endswith(
        "its conditions read 'item.' paths outside a quantifier, so it needs 'for_each'"
    )


# --------------------------------------------------------------------------- quantifier evidence

ALL_SIGNED = '{ all_items = "partners", where = { fact = "item.signed", op = "yes" } }'


def test_quantifier_evidence_expands_per_item(make_engine: MakeEngine) -> None:
    """A quantifier's evidence is the list, then each item's field at ``list[i].field``."""
    engine = make_engine(rule("R1", ALL_SIGNED))
    facts = {"partners": [{"signed": "yes"}, {"name": "B"}, {"signed": "unknown"}]}
    report = engine.evaluate(facts)
    finding = only_finding(report)
    assert finding.status is UNKNOWN
    assert finding.evidence == (
        Evidence("partners", facts["partners"], True, None),
        Evidence("partners[0].signed", "yes", True, None),
        Evidence("partners[1].signed", None, False, None),
        Evidence("partners[2].signed", None, False, None),
    )
    assert report.evidence_to_request() == (
        EvidenceRequest("partners[1].signed", ("R1",)),
        EvidenceRequest("partners[2].signed", ("R1",)),
    )


def test_quantifier_evidence_for_an_absent_list_is_the_list(make_engine: MakeEngine) -> None:
    """With no list there are no items: the evidence is the list itself, not recorded."""
    engine = make_engine(rule("R1", ALL_SIGNED))
    finding = only_finding(engine.evaluate({}))
    assert finding.status is UNKNOWN
    assert finding.evidence == (Evidence("partners", None, False, None),)


def test_quantifier_settled_by_a_false_item_is_unmet(make_engine: MakeEngine) -> None:
    """One item known to fail settles ``all_items`` even when another item is unknown."""
    engine = make_engine(rule("R1", ALL_SIGNED))
    report = engine.evaluate({"partners": [{"signed": "no"}, {}]})
    assert only_finding(report).status is UNMET
    assert report.evidence_to_request() == ()


def test_quantifier_inside_for_each_reports_nested_paths(make_engine: MakeEngine) -> None:
    """A quantifier over an item's list reports ``list[i].sub[j].field`` with notes."""
    engine = make_engine(
        rule(
            "R1",
            '{ count = "item.tasks", where = { fact = "item.done", op = "yes" }, op = ">=",'
            " value = 1 }",
            for_each='"partners"',
        )
    )
    facts = {
        "partners": [
            {"name": "A", "tasks": [{"done": "no"}, {"done": "yes"}]},
            {"name": "B"},
        ],
        "evidence": {"partners[0].tasks": "Task tracker"},
    }
    findings = findings_of(engine.evaluate(facts))
    assert [(f.subject, f.status) for f in findings] == [("A", MET), ("B", UNKNOWN)]
    assert findings[0].evidence == (
        Evidence("partners[0].tasks", [{"done": "no"}, {"done": "yes"}], True, "Task tracker"),
        Evidence("partners[0].tasks[0].done", "no", True, "Task tracker"),
        Evidence("partners[0].tasks[1].done", "yes", True, "Task tracker"),
    )
    assert findings[1].evidence == (Evidence("partners[1].tasks", None, False, None),)


# --------------------------------------------------------------------------- shipped ruleset


def questions(assessment: Assessment) -> list[Finding]:
    """Return the findings of the ten elements' questions (not the form and fit checks)."""
    return [f for f in assessment.findings if f.rule.group not in ("written-form", "form-fit")]


def elements(assessment: Assessment) -> list[GroupResult]:
    """Return the ten elements (not the shown-but-not-counted form and fit groups)."""
    return [g for g in assessment.groups if g.id not in ("written-form", "form-fit")]


@pytest.fixture(scope="module")
def agreement() -> Engine:
    """An engine with the shipped agreement ruleset only."""
    return Engine(["agreement"], entry_points=False)


@pytest.fixture(scope="module")
def riverside(agreement: Engine) -> dict[str, object]:
    """The Riverside example facts."""
    return agreement.load_facts(RIVERSIDE)


@pytest.fixture(scope="module")
def northfield(agreement: Engine) -> dict[str, object]:
    """The Northfield example facts."""
    return agreement.load_facts(NORTHFIELD)


# Riverside: a signed agreement. Every section is written except: shared_task_owners is
# "partly" (partial), evaluation.partner_level is "tbd" (unmet: a placeholder is not a
# judgement of partly), and risk_assessment.responses is not recorded (unknown).
#: The written form and fit checks: a written agreement, and a collaborative relationship on
#: a partnership agreement (or MoU) rather than a supply contract; the service-level rules
#: do not apply.
FORM_AND_FIT = {"AGR-00": MET, "AGR-FIT-01": NA, "AGR-FIT-02": MET, "AGR-FIT-03": NA}

RIVERSIDE_STATUSES = FORM_AND_FIT | {
    "AGR-01.1": MET,
    "AGR-01.2": MET,
    "AGR-01.3": MET,
    "AGR-02.1": MET,
    "AGR-02.2": MET,
    "AGR-02.3": MET,
    "AGR-03.1": MET,
    "AGR-03.2": MET,
    "AGR-04.1": MET,
    "AGR-04.2": MET,
    "AGR-04.3": PARTIAL,
    "AGR-04.4": MET,
    "AGR-04.5": MET,
    "AGR-05.1": MET,
    "AGR-05.2": MET,
    "AGR-06.1": MET,
    "AGR-06.2": MET,
    "AGR-07.1": MET,
    "AGR-07.2": MET,  # applies: shares_sensitive_data = "yes"
    "AGR-08.1": MET,
    "AGR-08.2": UNMET,
    "AGR-08.3": MET,
    "AGR-09.1": MET,
    "AGR-09.2": MET,
    "AGR-10.1": MET,
    "AGR-10.2": UNKNOWN,
}

# Northfield: a draft MoU. purpose, responsibilities, governance_groups and cash are
# written; objectives is "partly"; success_criteria "tbd", timetable "", day_to_day_lead
# "no", disagreements "TBD" and non_delivery "no" are unmet; every other question
# (whole sections included) is not recorded and so unknown.
NORTHFIELD_STATUSES = FORM_AND_FIT | {
    "AGR-01.1": MET,
    "AGR-01.2": PARTIAL,
    "AGR-01.3": UNMET,
    "AGR-02.1": MET,
    "AGR-02.2": UNMET,
    "AGR-02.3": UNKNOWN,
    "AGR-03.1": UNKNOWN,
    "AGR-03.2": UNKNOWN,
    "AGR-04.1": MET,
    "AGR-04.2": UNMET,
    "AGR-04.3": UNKNOWN,
    "AGR-04.4": UNKNOWN,
    "AGR-04.5": UNKNOWN,
    "AGR-05.1": MET,
    "AGR-05.2": UNKNOWN,
    "AGR-06.1": UNMET,
    "AGR-06.2": UNMET,
    "AGR-07.1": UNKNOWN,
    "AGR-07.2": UNKNOWN,  # applies (shares_sensitive_data not recorded), section unrecorded
    "AGR-08.1": UNKNOWN,
    "AGR-08.2": UNKNOWN,
    "AGR-08.3": UNKNOWN,
    "AGR-09.1": UNKNOWN,
    "AGR-09.2": UNKNOWN,
    "AGR-10.1": UNKNOWN,
    "AGR-10.2": UNKNOWN,
}

RIVERSIDE_GROUPS = {
    "written-form": "present",
    "form-fit": "present",
    "aims-objectives": "present",
    "strategy-activities": "present",
    "membership-decisions": "present",
    "management-operation": "partial",
    "resources": "present",
    "dispute-resolution": "present",
    "information-sharing": "present",
    "evaluation": "partial",
    "ending": "present",
    "risk-assessment": "unknown",  # one question met, one not recorded: not yet "present"
}

NORTHFIELD_GROUPS = {
    "written-form": "present",
    "form-fit": "present",
    "aims-objectives": "partial",
    "strategy-activities": "partial",  # met + unmet + unknown: partial whatever the unknown is
    "membership-decisions": "unknown",
    "management-operation": "partial",
    "resources": "unknown",  # cash met, in_kind not recorded
    "dispute-resolution": "missing",
    "information-sharing": "unknown",
    "evaluation": "unknown",
    "ending": "unknown",
    "risk-assessment": "unknown",
}


def test_riverside_statuses(agreement: Engine, riverside: dict[str, object]) -> None:
    """Riverside: written sections met, "partly" partial, "tbd" unmet, unrecorded unknown."""
    report = agreement.evaluate(riverside, origin=str(RIVERSIDE))
    assert report.partnership == "Riverside Learning Partnership"
    assert {f.rule_id: f.status for f in report.findings} == RIVERSIDE_STATUSES
    assert report.evidence_to_request() == (
        EvidenceRequest("agreement.sections.risk_assessment.responses", ("AGR-10.2",)),
    )


def test_northfield_statuses(agreement: Engine, northfield: dict[str, object]) -> None:
    """Northfield: placeholders are unmet, but sections nobody recorded are unknown, not unmet."""
    report = agreement.evaluate(northfield)
    assert report.partnership == "Northfield Healthy Communities Alliance"
    assert {f.rule_id: f.status for f in report.findings} == NORTHFIELD_STATUSES
    requested = {r.path: r.rule_ids for r in report.evidence_to_request()}
    assert len(requested) == 17
    assert requested["agreement.sections.membership_decision_making.decision_process"] == (
        "AGR-03.2",
    )
    assert requested["partnership.shares_sensitive_data"] == ("AGR-07.2",)
    assert "agreement.sections.dispute_resolution.disagreements" not in requested
    assert "agreement.form" not in requested


@pytest.mark.parametrize(
    ("example", "groups", "score", "coverage", "verdict", "next_steps"),
    [
        (
            RIVERSIDE,
            RIVERSIDE_GROUPS,
            (7 * 1 + 2 * 0.5) / 9,
            9 / 10,
            "7 of 10 elements present; 2 partial; 0 missing; 1 unknown:"
            " 89% complete over the 9 elements known",
            ("AGR-08.2", "AGR-04.3"),
        ),
        (
            NORTHFIELD,
            NORTHFIELD_GROUPS,
            (3 * 0.5 + 1 * 0) / 4,
            4 / 10,
            "0 of 10 elements present; 3 partial; 1 missing; 6 unknown:"
            " 38% complete over the 4 elements known",
            ("AGR-01.3", "AGR-02.2", "AGR-04.2", "AGR-06.1", "AGR-06.2", "AGR-01.2"),
        ),
    ],
    ids=["riverside", "northfield"],
)
def test_example_completeness(
    agreement: Engine,
    example: Path,
    groups: dict[str, str],
    score: float,
    coverage: float,
    verdict: str,
    next_steps: tuple[str, ...],
) -> None:
    """Elements roll up to present/partial/missing/unknown and completeness counts known ones."""
    assessment = agreement.evaluate(agreement.load_facts(example)).assessment("agreement")
    assert {g.id: g.status_label for g in assessment.groups} == groups
    group_scores = {"present": 1.0, "partial": 0.5, "missing": 0.0, "unknown": None}
    assert {g.id: g.score for g in assessment.groups} == {
        gid: group_scores[label] for gid, label in groups.items()
    }
    assert assessment.score == score
    assert assessment.coverage == coverage
    assert assessment.verdict == verdict
    assert assessment.next_steps == next_steps


@pytest.mark.parametrize("example", [RIVERSIDE, NORTHFIELD], ids=["riverside", "northfield"])
def test_no_agreement_makes_every_section_unmet(agreement: Engine, example: Path) -> None:
    """agreement.form = "none" turns every question unmet, recorded or not: nothing is unknown."""
    facts = copy.deepcopy(agreement.load_facts(example))
    facts["agreement"]["form"] = "none"  # type: ignore[index]
    report = agreement.evaluate(facts)
    assessment = report.assessment("agreement")
    assert {f.status for f in questions(assessment)} == {UNMET}
    assert len(questions(assessment)) == 26
    assert {g.status_label for g in elements(assessment)} == {"missing"}
    assert (assessment.score, assessment.coverage) == (0.0, 1.0)
    fit = {f.rule_id: f.status for f in assessment.findings if f not in questions(assessment)}
    assert fit == {"AGR-00": UNMET, "AGR-FIT-01": NA, "AGR-FIT-02": UNMET, "AGR-FIT-03": NA}
    assert assessment.outcome is not None
    assert assessment.outcome.id == "minimal"
    assert report.evidence_to_request() == ()


def test_no_facts_at_all_is_all_unknown(agreement: Engine) -> None:
    """With nothing recorded every question and element is unknown and nothing is scored."""
    report = agreement.evaluate({})
    assessment = report.assessment("agreement")
    assert {f.status for f in assessment.findings} == {UNKNOWN}
    assert {g.status_label for g in assessment.groups} == {"unknown"}
    assert (assessment.score, assessment.coverage) == (None, 0.0)
    assert assessment.verdict == (
        "0 of 10 elements present; 0 partial; 0 missing; 10 unknown:"
        " not enough evidence to judge completeness"
    )
    assert report.partnership == "Unnamed partnership"
    requests = {r.path: r.rule_ids for r in report.evidence_to_request()}
    # The form would settle every rule but the service-level terms, which do not read it.
    settled_by_form = tuple(r for r in RIVERSIDE_STATUSES if r != "AGR-FIT-03")
    assert set(requests["agreement.form"]) == set(settled_by_form)
    # the form, the 26 questions, shares_sensitive_data, relationship_kind, the SLA table
    # and its five terms
    assert len(requests) == 1 + 26 + 1 + 1 + 1 + 5


def test_no_sensitive_data_makes_the_data_rule_not_applicable(
    agreement: Engine, riverside: dict[str, object]
) -> None:
    """shares_sensitive_data = "no" makes AGR-07.2 not applicable, citing only that fact."""
    facts = copy.deepcopy(riverside)
    facts["partnership"]["shares_sensitive_data"] = "no"  # type: ignore[index]
    del facts["agreement"]["sections"]["information"]["sensitive_data"]  # type: ignore[index]
    assessment = agreement.evaluate(facts).assessment("agreement")
    finding = assessment.finding("AGR-07.2")
    assert finding.status is NA
    assert finding.evidence == (Evidence("partnership.shares_sensitive_data", "no", True, None),)
    groups = {g.id: g.status_label for g in assessment.groups}
    assert groups["information-sharing"] == "present"


def test_riverside_evidence_and_notes(agreement: Engine, riverside: dict[str, object]) -> None:
    """Findings carry the values read and the notes of the exact path or the sections table."""
    assessment = agreement.evaluate(riverside).assessment("agreement")
    signed = "Signed partnership agreement, 14 November 2024, with annexes A to C"
    assert assessment.finding("AGR-05.1").evidence == (
        Evidence("agreement.form", "partnership_agreement", True, None),
        Evidence(
            "agreement.sections.resources.cash",
            "GBP 45,000 a year from the council's skills fund, held by the college as"
            " accountable body.",
            True,
            "Grant offer letter, council skills fund, 2 October 2024",
        ),
    )
    assert assessment.finding("AGR-05.2").evidence[1].note == signed
    assert assessment.finding("AGR-10.2").evidence == (
        Evidence("agreement.form", "partnership_agreement", True, None),
        Evidence("agreement.sections.risk_assessment.responses", None, False, signed),
    )
    assert assessment.finding("AGR-08.2").evidence[1] == Evidence(
        "agreement.sections.evaluation.partner_level",
        "tbd",
        True,
        "Steering group minutes, 9 July 2025: 'partner-level measures to be agreed'",
    )


def test_northfield_notes_come_from_the_agreement_table(
    agreement: Engine, northfield: dict[str, object]
) -> None:
    """Northfield's note on "agreement" reaches every agreement path read, recorded or not."""
    note = "Draft memorandum of understanding, version 0.3, 12 May 2025"
    report = agreement.evaluate(northfield)
    for finding in report.findings:
        for evidence in finding.evidence:
            expected = note if evidence.path.startswith("agreement.") else None
            assert evidence.note == expected, (finding.rule_id, evidence.path)


@pytest.mark.parametrize(
    ("changes", "groups", "score", "coverage"),
    [
        ({}, {"present": 7, "partial": 2, "missing": 0, "unknown": 1}, 8 / 9, 0.9),
        (
            {
                "management_operation.shared_task_owners": "The two schools share it; A leads.",
                "evaluation.partner_level": "Each partner reports what it gained each July.",
                "risk_assessment.responses": "Risk register, annex D.",
            },
            {"present": 10, "partial": 0, "missing": 0, "unknown": 0},
            1.0,
            1.0,
        ),
        (
            {
                "management_operation.shared_task_owners": "tbd",
                "risk_assessment.responses": "partly",
            },
            {"present": 7, "partial": 3, "missing": 0, "unknown": 0},
            (7 + 3 * 0.5) / 10,
            1.0,
        ),
        (
            {
                "aims_objectives.purpose": "no",
                "aims_objectives.objectives": "",
                "aims_objectives.success_criteria": "TBD",
                "risk_assessment.risks": "unknown",
            },
            {"present": 6, "partial": 2, "missing": 1, "unknown": 1},
            (6 + 2 * 0.5 + 0) / 9,
            0.9,
        ),
        (
            {
                "aims_objectives.purpose": None,
                "strategy_activities.timetable": None,
                "membership_decision_making.membership_basis": "partly",
                "membership_decision_making.decision_process": "partly",
            },
            {"present": 4, "partial": 3, "missing": 0, "unknown": 3},
            (4 + 3 * 0.5) / 7,
            0.7,
        ),
    ],
    ids=["as-recorded", "gaps-filled", "more-partial", "one-missing", "more-unknown"],
)
def test_completeness_score_arithmetic(
    agreement: Engine,
    riverside: dict[str, object],
    changes: dict[str, object],
    groups: dict[str, int],
    score: float,
    coverage: float,
) -> None:
    """Completeness is present 1, partial 0.5, missing 0 over the known elements only."""
    facts = copy.deepcopy(riverside)
    sections = facts["agreement"]["sections"]  # type: ignore[index]
    for path, value in changes.items():
        section, key = path.split(".")
        if value is None:
            del sections[section][key]
        else:
            sections[section][key] = value
    assessment = agreement.evaluate(facts).assessment("agreement")
    labels = [g.status_label for g in elements(assessment)]
    assert {label: labels.count(label) for label in groups} == groups
    assert sum(groups.values()) == len(labels) == 10
    assert assessment.score == pytest.approx(score, abs=1e-12)
    assert assessment.coverage == pytest.approx(coverage, abs=1e-12)


# --------------------------------------------------------------------------- engine behaviour

FOR_EACH_RULES = rule("PTN-01", CONTACT, for_each='"partners"') + rule("PTN-02", ALL_SIGNED)

VARIED_FACTS: list[dict[str, object]] = [
    {},
    {"partners": []},
    {"partners": [{"name": "A", "contact": "Jo", "signed": "yes"}, {"name": "B"}]},
    {"partners": [{"name": "C", "contact": "tbd", "signed": "no"}], "agreement": {"form": "none"}},
    {
        "partnership": {"name": "Mixed"},
        "agreement": {"form": "mou", "sections": {"resources": {"cash": "GBP 1"}}},
        "partners": "unknown",
        "evidence": {"agreement": "Draft"},
    },
]


@pytest.fixture
def two_rulesets(tmp_ruleset: Callable[..., Path]) -> Engine:
    """An engine with a for_each demo ruleset and the shipped agreement ruleset."""
    return Engine([tmp_ruleset(FOR_EACH_RULES, header=True), "agreement"], entry_points=False)


def test_engine_is_immutable(two_rulesets: Engine) -> None:
    """Setting or deleting any attribute raises AttributeError and changes nothing."""
    before = two_rulesets.evaluate(VARIED_FACTS[2])
    with pytest.raises(AttributeError, match="immutable"):
        two_rulesets._rulesets = ()  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        two_rulesets.extra = 1  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        two_rulesets.rulesets = ()  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del two_rulesets._rulesets
    assert [r.id for r in two_rulesets.rulesets] == ["demo", "agreement"]
    assert two_rulesets.evaluate(VARIED_FACTS[2]) == before


def test_evaluate_is_repeatable_and_leaves_facts_alone(two_rulesets: Engine) -> None:
    """Evaluating the same facts again gives an equal report and never changes the facts."""
    for facts in VARIED_FACTS:
        snapshot = copy.deepcopy(facts)
        reports = [two_rulesets.evaluate(facts) for _ in range(3)]
        assert reports[0] == reports[1] == reports[2]
        assert facts == snapshot


def test_evaluate_accepts_any_mapping(two_rulesets: Engine) -> None:
    """A read-only mapping of facts gives the same report as the dict it wraps."""
    facts = VARIED_FACTS[4]
    proxy = types.MappingProxyType(facts)
    assert two_rulesets.evaluate(proxy) == two_rulesets.evaluate(facts)


def test_report_names_the_partnership_and_origin(make_engine: MakeEngine) -> None:
    """The partnership is named from the facts, else the origin's stem, else a placeholder."""
    engine = make_engine(rule("R1", FILLED_X))
    named = engine.evaluate({"partnership": {"name": "Acme"}}, origin="x/riverside.toml")
    assert (named.partnership, named.facts_origin) == ("Acme", "x/riverside.toml")
    assert engine.evaluate({}, origin="x/riverside.toml").partnership == "riverside"
    assert engine.evaluate({"partnership": {"name": " "}}).partnership == "Unnamed partnership"
    assert named.engine_version == partnerrules.__version__


def _statuses(report: Report) -> list[tuple[str, str, str | None, Status]]:
    return [
        (a.ruleset.id, f.rule_id, f.subject, f.status)
        for a in report.assessments
        for f in a.findings
    ]


def test_engine_is_thread_safe(two_rulesets: Engine) -> None:
    """Many threads evaluating one engine get exactly the reports a serial loop gets."""
    serial = [two_rulesets.evaluate(f) for f in VARIED_FACTS]
    work = VARIED_FACTS * 20
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(two_rulesets.evaluate, work))
    assert len(parallel) == len(work)
    for i, report in enumerate(parallel):
        assert report == serial[i % len(VARIED_FACTS)]


def test_report_pickles(two_rulesets: Engine) -> None:
    """A report survives a pickle round trip unchanged."""
    for facts in VARIED_FACTS:
        report = two_rulesets.evaluate(facts)
        assert pickle.loads(pickle.dumps(report)) == report


def test_engine_pickles_without_its_ruleset_files(
    tmp_ruleset: Callable[..., Path],
) -> None:
    """An unpickled engine is rebuilt from the rulesets it holds, even if the file is gone."""
    path = tmp_ruleset(FOR_EACH_RULES, header=True)
    engine = Engine([path, "agreement"], entry_points=False)
    data = pickle.dumps(engine)
    path.unlink()
    clone = pickle.loads(data)
    assert isinstance(clone, Engine)
    assert clone is not engine
    assert clone.rulesets == engine.rulesets
    assert clone.rulesets[0].origin == str(path)
    for facts in VARIED_FACTS:
        assert clone.evaluate(facts) == engine.evaluate(facts)


def _evaluate_in_worker(engine: Engine, facts: dict[str, object]) -> Report:
    """Evaluate in a worker process (module level so that it pickles by reference)."""
    return engine.evaluate(facts)


def test_engine_works_in_a_process_pool(two_rulesets: Engine) -> None:
    """An engine sent to spawned worker processes gives the same reports as in-process."""
    expected = [two_rulesets.evaluate(f) for f in VARIED_FACTS]
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = [pool.submit(_evaluate_in_worker, two_rulesets, f) for f in VARIED_FACTS]
        reports = [f.result(timeout=120) for f in futures]
    assert [_statuses(r) for r in reports] == [_statuses(r) for r in expected]
    assert reports == expected


def test_only_selects_rulesets(two_rulesets: Engine) -> None:
    """``only`` evaluates the named rulesets, in the engine's order."""
    facts = VARIED_FACTS[2]

    def ids(report: Report) -> list[str]:
        return [a.ruleset.id for a in report.assessments]

    assert ids(two_rulesets.evaluate(facts)) == ["demo", "agreement"]
    assert ids(two_rulesets.evaluate(facts, only=["demo"])) == ["demo"]
    assert ids(two_rulesets.evaluate(facts, only=["agreement", "demo"])) == ["demo", "agreement"]
    assert ids(two_rulesets.evaluate(facts, only=[])) == []
    full = two_rulesets.evaluate(facts)
    assert two_rulesets.evaluate(facts, only=["agreement"]).assessments == (
        full.assessment("agreement"),
    )


def test_only_with_an_unknown_id_raises(two_rulesets: Engine) -> None:
    """An id the engine does not hold raises UnknownRulesetError with a suggestion."""
    with pytest.raises(UnknownRulesetError) as info:
        two_rulesets.evaluate({}, only=["demo", "agreemnt"])
    error = info.value
    assert (error.name, error.known) == ("agreemnt", ["agreement", "demo"])
    assert str(error) == (
        "no ruleset with id 'agreemnt' and no such file; did you mean 'agreement'?"
        " (available rulesets: agreement, demo)"
    )


def test_for_each_and_quantifier_rules_on_varied_facts(two_rulesets: Engine) -> None:
    """The demo rules give the expected statuses on each of the varied fact sets."""
    got = [
        [(f.rule_id, f.subject, f.status) for f in r.assessment("demo").findings]
        for r in (two_rulesets.evaluate(f) for f in VARIED_FACTS)
    ]
    assert got == [
        [("PTN-01", "partners", UNKNOWN), ("PTN-02", None, UNKNOWN)],
        [("PTN-01", "partners", NA), ("PTN-02", None, MET)],
        [("PTN-01", "A", MET), ("PTN-01", "B", UNKNOWN), ("PTN-02", None, UNKNOWN)],
        [("PTN-01", "C", UNMET), ("PTN-02", None, UNMET)],
        [("PTN-01", "partners", UNKNOWN), ("PTN-02", None, UNKNOWN)],
    ]
