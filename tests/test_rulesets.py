"""Every shipped ruleset loads, cites its sources, and passes its own test cases."""

from __future__ import annotations

import pytest

from partnerrules import Engine
from partnerrules.builtin.rulesets import shipped_rulesets_dir
from partnerrules.loader import read_ruleset
from partnerrules.registry import Registry
from partnerrules.testing import run_cases

from .conftest import RULESETS

SHIPPED = sorted(RULESETS.glob("*.toml"))


@pytest.fixture(scope="module")
def engine() -> Engine:
    """An engine with every shipped ruleset."""
    return Engine(entry_points=False)


def test_shipped_folder_is_found() -> None:
    """The engine finds the top-level rulesets/ folder from a source checkout."""
    assert SHIPPED
    assert {p.name for p in SHIPPED} <= {e.name for e in shipped_rulesets_dir().iterdir()}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_ruleset_is_valid(path, registry: Registry) -> None:
    """The ruleset parses, validates and compiles against the built-in plugins."""
    ruleset = read_ruleset(path, registry)
    assert ruleset.rules
    assert ruleset.tests, "every shipped ruleset carries test cases"


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_rule_cites_and_advises(path) -> None:
    """Each rule cites a source with author, year and title, and says what to do."""
    ruleset = read_ruleset(path)
    for rule in ruleset.rules:
        source = ruleset.source(rule.source)
        assert source.author, rule.id
        assert source.year, rule.id
        assert source.title, rule.id
        assert len(rule.advice) > 20, rule.id


def _cases():
    engine = Engine(entry_points=False)
    for ruleset in engine.rulesets:
        for case in ruleset.tests:
            yield pytest.param(ruleset.id, case.name, id=f"{ruleset.id}::{case.name}")


@pytest.mark.parametrize(("ruleset_id", "case_name"), list(_cases()))
def test_ruleset_case(engine: Engine, ruleset_id: str, case_name: str) -> None:
    """The ruleset gives the statuses its test case expects."""
    ruleset = next(r for r in engine.rulesets if r.id == ruleset_id)
    (result,) = [r for r in run_cases(engine, ruleset) if r.case == case_name]
    assert result.failures == ()
