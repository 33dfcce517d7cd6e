"""partnerrules-civicfund: Civic Fund's conditions of grant for local partnerships.

Installed, this module is the ``civicfund`` plugin of the ``partnerrules`` entry-point
group, and its settings are the ``[settings.civicfund]`` table of ``partnerrules.toml``
(or ``Config(settings={"civicfund": {...}})``). It contributes:

- the ``civicfund`` ruleset (a checklist of the Fund's conditions of grant);
- the ``civicfund.approved_register`` check: is each partner in the Fund's register of
  approved organisations? The register is a CSV file the Fund supplies, named by the
  ``register`` setting and read once, when an engine is built;
- ``prepare_facts``: ``partnership.age_months`` worked out from ``partnership.formed_on``,
  as of the ``as_of`` setting (an ISO date) or today;
- the ``civicfund.csv`` output: one row per partnership for the Fund's grant system.

This module holds the hook implementations only. partnerrules imports every installed
plugin on every run (even ``partnerrules --version``), so the modules that do the work
(and ``csv``) are imported by the hooks, when they are called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from partnerrules import hookimpl

if TYPE_CHECKING:
    from partnerrules import RegisterOutput
    from partnerrules import RegisterRuleset
    from partnerrules.registry import RegisterCheck

__all__ = ["prepare_facts", "register_checks", "register_outputs", "register_rulesets"]


@hookimpl
def register_rulesets(register: RegisterRuleset) -> None:
    """Register the ``civicfund`` ruleset, shipped as package data."""
    from importlib.resources import files

    register(files(__name__) / "rulesets" / "civicfund.toml")


@hookimpl
def register_checks(register: RegisterCheck, settings: Mapping[str, object]) -> None:
    """Register ``civicfund.approved_register``, reading the register named in settings.

    :raises ValueError: when the ``register`` setting names a file that cannot be read or
        is not a valid register (the host reports it as an error of this plugin)
    """
    from partnerrules_civicfund.checks import register_approved_register

    register_approved_register(register, settings)


@hookimpl
def prepare_facts(
    facts: Mapping[str, object], settings: Mapping[str, object]
) -> Mapping[str, object] | None:
    """Derive ``partnership.age_months`` from ``partnership.formed_on`` when not recorded."""
    from partnerrules_civicfund.facts import with_age_months

    return with_age_months(facts, settings.get("as_of"))


@hookimpl
def register_outputs(register: RegisterOutput) -> None:
    """Register the ``civicfund.csv`` output."""
    from partnerrules_civicfund.outputs import render_csv

    register(
        "civicfund.csv",
        render_csv,
        description="Civic Fund grant system: one CSV row per partnership",
        extension=".csv",
    )
