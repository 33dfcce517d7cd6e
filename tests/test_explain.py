"""`partnerrules explain`: rules and rulesets in plain words generated from their conditions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnerrules import Engine
from partnerrules.cli import cli
from partnerrules.explain import OPERATOR_PHRASES
from partnerrules.explain import ExplainError
from partnerrules.explain import describe
from partnerrules.explain import explain
from partnerrules.explain import resolve
from partnerrules.explain import rule_clauses
from partnerrules.explain import rule_facts
from partnerrules.model import AllOf
from partnerrules.model import AnyOf
from partnerrules.model import CheckCall
from partnerrules.model import FactTest
from partnerrules.model import Not
from partnerrules.model import Quantified
from partnerrules.model import Quantifier
from partnerrules.model import UseCondition
from partnerrules.plugins import LOAD_PLUGINS_ENV
from partnerrules.registry import Registry

WriteRuleset = Callable[..., Path]

FILLED = "is recorded as done (real text, not a placeholder)"

#: A ruleset with every kind of condition, and test cases naming its rules.
DEMO = """
[ruleset]
id = "{id}"
version = "1.0.0"
kind = "checklist"
title = "Demo of explanations"
description = "A ruleset for the tests."

[[ruleset.sources]]
id = "src"
author = "Author, A."
year = "2020"
title = "A source"

[[facts]]
path = "demo"
type = "table"
meaning = "Facts of the demo."
open = true

[[bands]]
id = "good"
title = "Good"
min = 0.7

[[bands]]
id = "poor"
title = "Poor"
min = 0.0

[conditions]
named = {{ fact = "demo.name", op = "filled" }}

[[rules]]
id = "Q-COUNT"
group = "lists"
title = "At least two partners name a contact"
source = "src"
source_detail = "page 3"
severity = "critical"
weight = 2.5
gate = "poor"
advice = "Ask each partner to name a contact."
[rules.when]
count = "partners"
where = {{ fact = "item.contact", op = "filled" }}
op = ">="
value = 2
[rules.partial]
ratio = "partners"
where = {{ fact = "item.contact", op = "filled" }}
op = ">="
value = 0.5

[[rules]]
id = "Q-EACH"
group = "lists"
title = "The partner names a contact"
source = "src"
for_each = "partners"
label = "name"
applies = {{ not = {{ fact = "item.role", op = "==", value = "observer" }} }}
when = {{ fact = "item.contact", op = "filled" }}
advice = "Name a contact."

[[rules]]
id = "Q-ANY"
group = "lists"
title = "Partners are known ones, or there are none"
source = "src"
severity = "minor"
when = {{ any = [
    {{ all_items = "partners", where = {{ fact = "item.name", op = "in", value = ["A", "B"] }} }},
    {{ count = "partners", op = "<", value = 1 }},
] }}
advice = "Check the partners."

[[rules]]
id = "Q-NAMED"
group = "other"
title = "The demo is named"
source = "src"
when = {{ all = [{{ use = "named" }}, {{ not = {{ use = "named" }} }}] }}
partial = {{ use = "named" }}
advice = "Name it."

[[tests]]
name = "two-partners"
[[tests.facts.partners]]
name = "Acme"
role = "lead"
contact = "Jo Bloggs"
[[tests.facts.partners]]
name = "Beta"
role = "member"
contact = "tbd"
[tests.expect]
"Q-COUNT" = "partial"
"Q-EACH[Acme]" = "met"
"Q-EACH[Beta]" = "unmet"

[[tests]]
name = "nobody"
[tests.facts.demo]
name = "Demo"
[tests.expect]
"Q-COUNT" = "unknown"
"Q-ANY" = "met"
"Q-NAMED" = "partial"
"""


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


@pytest.fixture
def demo(tmp_ruleset: WriteRuleset) -> Path:
    """The demo ruleset, as a file."""
    return tmp_ruleset(DEMO.format(id="demo"))


def lines_fit(text: str) -> bool:
    """Return whether every line fits 80 columns."""
    return all(len(line) <= 80 for line in text.splitlines())


# --------------------------------------------------------------------------- wording


def test_the_wording_of_a_named_condition_and_filled() -> None:
    """The issue's example: a named condition spelt out, in parentheses, then `filled`."""
    named = {
        "agreement_may_exist": AnyOf(
            (
                FactTest("agreement.form", "missing"),
                FactTest("agreement.form", "!=", "none"),
            )
        )
    }
    cond = AllOf(
        (
            UseCondition("agreement_may_exist"),
            FactTest("agreement.sections.resources.cash", "filled"),
        )
    )
    assert describe(cond, named) == (
        "all of: (agreement_may_exist: any of: agreement.form is not recorded;"
        ' agreement.form is not "none"); agreement.sections.resources.cash is recorded as'
        " done (real text, not a placeholder)"
    )


def test_shipped_agreement_rule_is_explained_from_its_conditions() -> None:
    """AGR-05.1 reads as its conditions say; the named condition is spelt out once."""
    engine = Engine(["agreement"])
    (ruleset,) = engine.rulesets
    rule = next(r for r in ruleset.rules if r.id == "AGR-05.1")
    assert rule_clauses(rule, ruleset, engine.registry.operators) == [
        "met when all of: (agreement_may_exist: any of: agreement.form is not recorded;"
        ' agreement.form is not "none"); agreement.sections.resources.cash is recorded as'
        " done (real text, not a placeholder)",
        "partly met when all of: (agreement_may_exist, as above);"
        " agreement.sections.resources.cash is judged partly",
    ]
    assert rule_facts(rule, ruleset) == ["agreement.form", "agreement.sections.resources.cash"]


def test_shipped_quantifier_rule_is_explained() -> None:
    """STK-16 (any_item over the stakeholders) reads as a quantifier over the list."""
    engine = Engine(["stakeholders"])
    (ruleset,) = engine.rulesets
    rule = next(r for r in ruleset.rules if r.id == "STK-16")
    assert rule_clauses(rule, ruleset) == [
        "met when any one of stakeholders has: item.is_partner is false"
    ]
    assert rule_facts(rule, ruleset) == ["stakeholders", "stakeholders[].is_partner"]


def test_shipped_for_each_rule_is_explained() -> None:
    """STK-14 (for_each, applies) starts with the list and says when it applies."""
    engine = Engine(["stakeholders"])
    (ruleset,) = engine.rulesets
    rule = next(r for r in ruleset.rules if r.id == "STK-14")
    clauses = rule_clauses(rule, ruleset)
    assert clauses[0] == "for each stakeholders item:"
    assert clauses[1].startswith('applies when all of: item.power is "high"; (any of: ')
    assert clauses[2] == f"met when item.engagement_strategy {FILLED}"
    assert rule_facts(rule, ruleset)[:2] == ["stakeholders", "stakeholders[].power"]


def test_quantifiers_for_each_applies_and_partial(demo: Path) -> None:
    """count, ratio, all_items, for_each, applies, not and partial, word for word."""
    engine = Engine([demo])
    (ruleset,) = engine.rulesets
    rules = {r.id: r for r in ruleset.rules}
    assert rule_clauses(rules["Q-COUNT"], ruleset) == [
        f"met when at least 2 of partners have: item.contact {FILLED}",
        f"partly met when at least 50% of partners have: item.contact {FILLED}",
    ]
    assert rule_clauses(rules["Q-EACH"], ruleset) == [
        "for each partners item:",
        'applies when not (item.role is "observer")',
        f"met when item.contact {FILLED}",
    ]
    assert rule_clauses(rules["Q-ANY"], ruleset) == [
        'met when any of: (every one of partners has: item.name is one of "A", "B");'
        " (partners has fewer than 1 item)"
    ]
    assert rule_clauses(rules["Q-NAMED"], ruleset) == [
        f"met when all of: (named: demo.name {FILLED}); (not (named, as above))",
        "partly met when (named, as above)",
    ]
    assert rule_facts(rules["Q-EACH"], ruleset) == [
        "partners",
        "partners[].role",
        "partners[].contact",
    ]


@pytest.mark.parametrize(
    ("op", "value", "words"),
    [
        ("==", "x", 'a.b is "x"'),
        ("!=", 3, "a.b is not 3"),
        ("<", 1.5, "a.b is less than 1.5"),
        ("<=", 2, "a.b is at most 2"),
        (">", 0.8, "a.b is more than 0.8"),
        (">=", 10, "a.b is at least 10"),
        ("in", ["x", "y"], 'a.b is one of "x", "y"'),
        ("not_in", ["x"], 'a.b is none of "x"'),
        ("contains", "x", 'a.b contains "x"'),
        ("contains_all", ["x", "y"], 'a.b contains every one of "x", "y"'),
        ("contains_any", ["x", "y"], 'a.b contains at least one of "x", "y"'),
        ("exists", None, "a.b is recorded"),
        ("missing", None, "a.b is not recorded"),
        ("filled", None, f"a.b {FILLED}"),
        ("judged", ["yes", "partly"], "a.b is judged yes or partly"),
        ("at_least", "partly", "a.b is judged at least partly"),
        ("yes", None, "a.b is judged yes"),
        ("partly", None, "a.b is judged partly"),
        ("no", None, "a.b is judged no"),
        ("==", True, "a.b is true"),
    ],
)
def test_every_builtin_operator_has_words(op: str, value: object, words: str) -> None:
    """Each built-in operator reads as plain words after the fact path."""
    assert describe(FactTest("a.b", op, value)) == words


def test_every_registered_builtin_operator_is_worded(registry: Registry) -> None:
    """No built-in operator falls back to its bare name."""
    assert set(OPERATOR_PHRASES) == set(registry.operators)


def test_a_plugin_operator_is_worded_from_its_description(registry: Registry) -> None:
    """An operator a plugin adds reads from its registered description."""
    spec = registry.operators["=="]
    shouty = type(spec)(
        "shouts", spec.compile, spec.value, False, "the fact shouts the value", "p"
    )
    plain = type(spec)("odd", spec.compile, spec.value, False, "", "p")
    operators = {"shouts": shouty, "odd": plain}
    assert describe(FactTest("a.b", "shouts", "hi"), None, operators) == 'a.b shouts "hi"'
    assert describe(FactTest("a.b", "odd", 2), None, operators) == "a.b odd 2"


def test_a_python_check_is_worded_with_its_params() -> None:
    """A call of a check a plugin registered names the check and its params."""
    cond = CheckCall("acme.register", {"min": 2, "kind": "charity"})
    assert describe(cond) == 'the check acme.register passes with min = 2, kind = "charity"'


def test_nested_conditions_are_parenthesised() -> None:
    """A compound part of a compound condition is in parentheses; a top-level one is not."""
    cond = AnyOf(
        (
            AllOf((FactTest("a", "yes"), FactTest("b", "no"))),
            Not(FactTest("c", "exists")),
            Quantified(Quantifier.ANY_ITEM, "partners", FactTest("item.name", "filled")),
        )
    )
    assert describe(cond) == (
        "any of: (all of: a is judged yes; b is judged no); (not (c is recorded));"
        f" (any one of partners has: item.name {FILLED})"
    )


# --------------------------------------------------------------------------- resolving


def test_resolve_rule_ruleset_and_case(demo: Path) -> None:
    """A rule id, RULESET:RULE_ID, a ruleset id, RULESET: and a different case all resolve."""
    engine = Engine([demo])
    rulesets = engine.rulesets
    assert resolve(rulesets, "Q-COUNT")[1].id == "Q-COUNT"  # type: ignore[union-attr]
    assert resolve(rulesets, "demo:Q-ANY")[1].id == "Q-ANY"  # type: ignore[union-attr]
    assert resolve(rulesets, "q-any")[1].id == "Q-ANY"  # type: ignore[union-attr]
    assert resolve(rulesets, "demo") == (rulesets[0], None)
    assert resolve(rulesets, "demo:") == (rulesets[0], None)
    with pytest.raises(ExplainError, match=r"did you mean 'Q-ANY'\?"):
        resolve(rulesets, "Q-AN")


# --------------------------------------------------------------------------- command


def test_explain_rule_shows_everything(runner: CliRunner, demo: Path) -> None:
    """`explain RULE_ID`: checks, facts, source, severity, weight, gate, advice, examples."""
    result = runner.invoke(cli, ["explain", "Q-COUNT", "-r", str(demo)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Q-COUNT: At least two partners name a contact\n")
    assert "  Severity: critical\n" in out
    assert "  Weight:   2.5\n" in out
    assert "  Gate:     poor (when the rule is unmet, the outcome is capped at poor)\n" in out
    assert "  - met when at least 2 of partners have: item.contact is recorded as done" in out
    assert "  - partners (list): " in out
    assert "  - partners[].contact (text): " in out
    assert "  Ask each partner to name a contact.\n" in out
    assert "  Author, A. (2020). A source. page 3.\n" in out
    examples = out.split("Examples from the ruleset's test cases\n", 1)[1].splitlines()
    assert examples[1:] == [
        "  - two-partners: expects partial",
        "      partners = a list of 2 items",
        '      partners[0].contact = "Jo Bloggs"',
        '      partners[1].contact = "tbd"',
        "  - nobody: expects unknown",
        "      partners = not recorded",
    ]
    assert lines_fit(out)


def test_explain_for_each_rule_examples_name_the_item(runner: CliRunner, demo: Path) -> None:
    """A test case key naming one item shows that item's facts."""
    result = runner.invoke(cli, ["explain", "demo:Q-EACH", "-r", str(demo)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "What it checks\n--------------\n  for each partners item:\n    - applies when" in out
    assert (
        "  - two-partners: expects met for Acme\n"
        '      partners[0].role = "lead"\n'
        '      partners[0].contact = "Jo Bloggs"\n'
        "  - two-partners: expects unmet for Beta\n"
        '      partners[1].role = "member"\n'
        '      partners[1].contact = "tbd"\n'
    ) in out


def test_explain_example_says_when_the_rule_gives_another_status(
    runner: CliRunner, demo: Path
) -> None:
    """When a test case expects another status than the rule now gives, the example says so."""
    result = runner.invoke(cli, ["explain", "Q-ANY", "-r", str(demo)])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        "  - nobody: expects met\n      gives unknown now:\n        partners = not recorded\n"
    )


def test_explain_shipped_rule(runner: CliRunner) -> None:
    """A shipped rule is found among every shipped ruleset, with its test-case examples."""
    result = runner.invoke(cli, ["explain", "AGR-05.1", "-r", "agreement"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("AGR-05.1: ")
    flat = " ".join(out.split())
    assert "(agreement_may_exist: any of: agreement.form is not recorded;" in flat
    assert "Booth, J. (c. 2006)." in out
    assert "Examples from the ruleset's test cases" in out
    assert lines_fit(out)


def test_explain_stage_model(runner: CliRunner) -> None:
    """`explain stages`: the stages in order with indicators, actions and settings."""
    result = runner.invoke(cli, ["explain", "stages", "-r", "stages"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("stages: ")
    settings = out.split("How the stage is diagnosed\n", 1)[1].split("\nStages, in order", 1)[0]
    assert "min_matches = 2" in settings
    assert "precedence_stage = failing: Failing is never diagnosed on score" in settings
    order = [out.index(f". {title} (") for title in ("Forming", "Frustration", "Functioning")]
    assert order == sorted(order)
    assert "    Indicators:\n      - STG-FORM-01  " in out
    assert "[reads indicators.exploring_needs]" in out
    failing = out.split(". Failing (failing), the precedence stage\n", 1)[1]
    assert "    Recommended actions (those of Forming):\n" in failing
    assert "Give people time and occasions to get to know one another." in failing
    assert lines_fit(out)


def test_explain_other_ruleset_lists_groups_and_rules(runner: CliRunner, demo: Path) -> None:
    """`explain RULESET` for another kind lists its bands, groups and rules briefly."""
    result = runner.invoke(cli, ["explain", "demo", "-r", str(demo)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "  - Good (good): from 70%\n" in out
    assert "\n  Lists (lists)\n" in out
    assert "    - Q-COUNT  At least two partners name a contact [critical, weight 2.5, gate" in out
    assert "    - Q-EACH  The partner names a contact [major, for each partners item]\n" in out


def test_explain_unknown_id_suggests_the_nearest(runner: CliRunner, demo: Path) -> None:
    """An unknown id exits 2 with "did you mean"."""
    result = runner.invoke(cli, ["explain", "Q-CONT", "-r", str(demo)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Error: no rule or ruleset 'Q-CONT'; did you mean 'Q-COUNT'? (rulesets: demo)\n"
    )
    result = runner.invoke(cli, ["explain", "demo:Q-CONT", "-r", str(demo)])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: ruleset 'demo' has no rule 'Q-CONT'; did you mean 'Q-COUNT'?\n"
    )


def test_explain_ambiguous_id_lists_the_candidates(
    runner: CliRunner, tmp_ruleset: WriteRuleset, demo: Path
) -> None:
    """A rule id in two rulesets exits 2 naming both; RULESET:RULE_ID picks one."""
    other = tmp_ruleset(DEMO.format(id="other"))
    args = ["-r", str(demo), "-r", str(other)]
    result = runner.invoke(cli, ["explain", "Q-COUNT", *args])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: 'Q-COUNT' is ambiguous: demo:Q-COUNT, other:Q-COUNT; name one as"
        " RULESET:RULE_ID (or RULESET: for the ruleset)\n"
    )
    result = runner.invoke(cli, ["explain", "other:Q-COUNT", *args])
    assert result.exit_code == 0, result.output
    assert "  Ruleset:  other (Demo of explanations, version 1.0.0" in result.stdout


def test_every_shipped_rule_and_ruleset_can_be_explained() -> None:
    """Nothing shipped trips the explainer, and every explanation fits 80 columns."""
    engine = Engine()
    for ruleset in engine.rulesets:
        for name in (ruleset.id, *(f"{ruleset.id}:{r.id}" for r in ruleset.rules)):
            text = explain(engine, name)
            assert lines_fit(text), name
