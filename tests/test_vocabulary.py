"""The fact vocabulary: ruleset path checks, facts checks, schema, template and reference."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import tomli
from click.testing import CliRunner

from partnerrules import Engine
from partnerrules import FactSpec
from partnerrules import FactType
from partnerrules import RulesetError
from partnerrules.cli import cli
from partnerrules.vocabulary import check_facts
from partnerrules.vocabulary import json_schema
from partnerrules.vocabulary import load_vocabulary
from partnerrules.vocabulary import markdown
from partnerrules.vocabulary import normalise
from partnerrules.vocabulary import readers
from partnerrules.vocabulary import template

from .conftest import EXAMPLES
from .conftest import ROOT

VOCABULARY = load_vocabulary()

HEADER = """
[ruleset]
id = "v"
version = "1.0.0"
kind = "checklist"
title = "Vocabulary test"

[[ruleset.sources]]
id = "src"
author = "Author, A."
year = "2020"
title = "A source"
"""


def rule(fact: str, extra: str = "") -> str:
    """Return one rule reading ``fact``."""
    return f"""
[[rules]]
id = "V1"
group = "g"
title = "Reads a fact"
source = "src"
advice = "Record it."
when = {{ fact = "{fact}", op = "filled" }}
{extra}"""


def build(tmp_path: Path, text: str) -> Engine:
    """Build an engine on a ruleset file."""
    path = tmp_path / "v.toml"
    path.write_text(text, encoding="utf-8")
    return Engine([path], entry_points=False)


def test_every_entry_is_well_formed() -> None:
    """Every vocabulary entry has a meaning, and choice types list their values."""
    assert len(VOCABULARY.facts) > 100
    for path, spec in VOCABULARY.facts.items():
        assert spec.meaning.strip(), path
        assert (spec.type in (FactType.CHOICE, FactType.CHOICES)) == bool(spec.values), path
        parent = path.rpartition(".")[0].removesuffix("[]")
        if parent:
            assert parent in VOCABULARY.facts, f"{path}: its parent {parent} is not declared"


def test_normalise_replaces_indices() -> None:
    """List indices become [] so every item shares one entry."""
    assert normalise("partners[3].name") == "partners[].name"
    assert VOCABULARY.get("partners[0].name") is VOCABULARY.get("partners[].name")


def test_ruleset_reading_an_unknown_fact_is_refused(tmp_path: Path) -> None:
    """A misspelt fact path is refused at load, with the nearest valid name."""
    with pytest.raises(RulesetError) as info:
        build(tmp_path, HEADER + rule("agreement.frm"))
    assert info.value.messages == [
        "rule 'V1' ($.rules[0].when): reads 'agreement.frm', which is not in the fact"
        " vocabulary; did you mean 'agreement.form'? (a fact of the ruleset's own must be"
        " declared under [[facts]])"
    ]


def test_item_paths_are_checked_in_their_list(tmp_path: Path) -> None:
    """`item.` paths are checked as facts of the list's items."""
    text = HEADER + rule("item.nmae", 'for_each = "partners"')
    with pytest.raises(RulesetError) as info:
        build(tmp_path, text)
    assert "reads 'partners[].nmae'" in info.value.messages[0]
    assert "did you mean 'partners[].name'?" in info.value.messages[0]


def test_declared_facts_are_accepted(tmp_path: Path) -> None:
    """A ruleset may read facts it declares as its own, and open namespaces."""
    text = (
        HEADER
        + '\n[[facts]]\npath = "acme"\ntype = "table"\nmeaning = "Funder facts."\nopen = true\n'
        + '\n[[facts]]\npath = "partners[].acme_id"\ntype = "text"\nmeaning = "Register id."\n'
        + rule("acme.grant.reference")
    )
    engine = build(tmp_path, text)
    finding = engine.evaluate({"acme": {"grant": {"reference": "G-17"}}}).findings[0]
    assert finding.status.value == "met"


def test_declaring_a_vocabulary_fact_is_refused(tmp_path: Path) -> None:
    """A ruleset cannot redeclare a fact of the shared vocabulary."""
    text = (
        HEADER
        + '\n[[facts]]\npath = "agreement.form"\ntype = "text"\nmeaning = "Mine."\n'
        + rule("agreement.form")
    )
    with pytest.raises(RulesetError) as info:
        build(tmp_path, text)
    assert info.value.messages == [
        "$.facts[0].path: 'agreement.form' is already in the vocabulary;"
        " declare only the ruleset's own facts"
    ]


@pytest.mark.parametrize(
    ("facts", "problems"),
    [
        pytest.param(
            {"agreement": {"form": "partnership agreement"}},
            [
                (
                    "agreement.form",
                    "error",
                    "expected one of none, verbal, terms_of_reference, mou, partnership_agreement,"
                    ' sla, contract, constitution; got text "partnership agreement";'
                    " did you mean 'partnership_agreement'?",
                )
            ],
            id="bad-choice",
        ),
        pytest.param(
            {"indicators": {"trust_and_respect": "maybe"}},
            [
                (
                    "indicators.trust_and_respect",
                    "error",
                    'expected one of yes, partly, no, unknown; got text "maybe"',
                )
            ],
            id="bad-judgement",
        ),
        pytest.param(
            {"partners": [{"name": "A", "attendance_rate": 1.5}]},
            [
                (
                    "partners[0].attendance_rate",
                    "error",
                    "expected a share from 0 to 1, got a number 1.5",
                )
            ],
            id="share-out-of-range",
        ),
        pytest.param(
            {"partnership": {"sectr": "health"}},
            [
                (
                    "partnership.sectr",
                    "warning",
                    "not a fact of the vocabulary; did you mean 'partnership.sector'? (rules will"
                    " not read it unless a ruleset declares it)",
                )
            ],
            id="unknown-key",
        ),
        pytest.param({"partnership": {"sector": "unknown"}}, [], id="unknown-is-fine"),
        pytest.param(
            {"partnership": {"formed_on": "2024-02-30"}},
            [
                (
                    "partnership.formed_on",
                    "error",
                    'expected a date such as 2025-03-31, got text "2024-02-30"',
                )
            ],
            id="bad-date",
        ),
    ],
)
def test_check_facts(facts: dict[str, object], problems: list[tuple[str, str, str]]) -> None:
    """Facts are checked for types and allowed values, naming the key path."""
    found = [(p.path, p.level, p.message) for p in check_facts(facts, VOCABULARY)]
    assert found == problems


def test_examples_check_clean() -> None:
    """The shipped examples use only vocabulary facts, with the right types."""
    for path in sorted(EXAMPLES.glob("*.toml")):
        facts = tomli.loads(path.read_text(encoding="utf-8"))
        assert check_facts(facts, VOCABULARY) == [], path.name


def test_schema_is_valid_and_accepts_the_examples() -> None:
    """`facts schema` is a valid JSON Schema (2020-12) that accepts the shipped examples."""
    schema = json_schema(VOCABULARY)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    for path in sorted(EXAMPLES.glob("*.toml")):
        facts = json.loads(json.dumps(tomli.loads(path.read_text(encoding="utf-8")), default=str))
        errors = [e.message for e in validator.iter_errors(facts)]
        assert errors == [], path.name
    assert list(validator.iter_errors({"agreement": {"form": "memo"}}))


def test_template_parses_and_is_all_unknown() -> None:
    """The template is valid TOML; filled in as shipped, every shipped rule is unknown or n/a."""
    facts = tomli.loads(template(VOCABULARY))
    assert check_facts(facts, VOCABULARY) == []
    report = Engine(entry_points=False).evaluate(facts)
    statuses = {f.status.value for f in report.findings}
    assert statuses <= {"unknown", "not_applicable"}
    for spec in VOCABULARY.facts.values():
        if spec.type not in (FactType.TABLE, FactType.LIST):
            key = spec.path.rpartition(".")[2]
            assert f"# {key} = " in template(VOCABULARY), spec.path


def test_docs_facts_md_is_up_to_date() -> None:
    """docs/facts.md is what `partnerrules facts doc` prints (regenerate it if this fails)."""
    engine = Engine(entry_points=False)
    expected = markdown(VOCABULARY, readers(engine.rulesets))
    assert (ROOT / "docs" / "facts.md").read_text(encoding="utf-8") == expected


def test_every_fact_shipped_rules_read_is_documented() -> None:
    """Every fact a shipped rule reads is in the vocabulary (none relies on a declaration)."""
    engine = Engine(entry_points=False)
    for path in readers(engine.rulesets):
        own = {normalise(f.path) for r in engine.rulesets for f in r.facts}
        assert VOCABULARY.get(path) is not None or path in own, path


def test_cli_facts_commands(tmp_path: Path) -> None:
    """`facts check` exits 2 on type errors and 0 on warnings; schema and template print."""
    runner = CliRunner()
    good = runner.invoke(
        cli, ["facts", "check", str(EXAMPLES / "northfield-health-alliance.toml")]
    )
    assert good.exit_code == 0, good.output
    assert good.stdout.endswith(": ok\n")
    bad = tmp_path / "bad.toml"
    bad.write_text('[agreement]\nform = "memo"\n[partnership]\nsectr = "x"\n', encoding="utf-8")
    result = runner.invoke(cli, ["facts", "check", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: error: agreement.form: expected one of" in result.stderr
    assert f"{bad}: warning: partnership.sectr: not a fact of the vocabulary" in result.stdout
    assert result.stdout.endswith(f"{bad}: 1 error(s), 1 warning(s)\n")
    schema = runner.invoke(cli, ["facts", "schema"])
    assert json.loads(schema.stdout)["title"] == "partnerrules facts, vocabulary version 1"
    assert runner.invoke(cli, ["facts", "template"]).stdout == template(VOCABULARY)


def test_fact_spec_types_are_the_documented_ones() -> None:
    """The vocabulary types are exactly those docs/facts.md explains."""
    text = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    for kind in FactType:
        assert f"`{kind.value}`" in text, kind
    assert FactSpec("x", FactType.TEXT, "m").open is False
