"""The plugin SDK hooks: checks, fact preparation, after-report, settings, source schemes.

Also keeps docs/plugins/hooks.md complete: one section per hook, with its exact signature.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from pathlib import Path

import attrs
import pytest

from partnerrules import Engine
from partnerrules import FactsError
from partnerrules import PluginError
from partnerrules import RulesetError
from partnerrules import Status
from partnerrules import hookimpl
from partnerrules import hookspecs
from partnerrules.config import Config

from .conftest import HEADER
from .conftest import ROOT


@attrs.frozen
class Threshold:
    """The params of the test check."""

    minimum: float = 0.5


class AcmePlugin:
    """A plugin with a check, fact preparation, an after-report hook and a source scheme."""

    def __init__(self) -> None:
        self.reports: list[str] = []
        self.settings_seen: dict[str, object] = {}

    @hookimpl
    def register_checks(self, register, settings: Mapping[str, object]) -> None:
        """Register acme.share_at_least, whose default minimum comes from settings."""
        self.settings_seen = dict(settings)

        def share_at_least(facts, item, params: Threshold) -> bool | None:
            share = facts.get("a", {}).get("share") if isinstance(facts.get("a"), dict) else None
            if share is None:
                return None
            return share >= params.minimum

        register("acme.share_at_least", share_at_least, params=Threshold, reads=["a.share"])

        def explode(facts, item, params) -> bool | None:
            raise RuntimeError("the register is unavailable")

        register("acme.explode", explode)

        def sloppy(facts, item, params) -> bool | None:
            return "yes"  # type: ignore[return-value]

        register("acme.sloppy", sloppy)

    @hookimpl
    def prepare_facts(self, facts: Mapping[str, object]) -> Mapping[str, object] | None:
        """Derive a.doubled from a.share (only when not recorded)."""
        a = facts.get("a")
        if not isinstance(a, dict) or "share" not in a or "doubled" in a:
            return None
        return {**facts, "a": {**a, "doubled": a["share"] * 2}}

    @hookimpl
    def after_report(self, report) -> None:
        """Record every finished report."""
        self.reports.append(report.partnership)

    @hookimpl
    def register_fact_loaders(self, register) -> None:
        """Load facts from `acme:<n>` addresses."""

        def load(data: bytes | None, origin: str) -> Mapping[str, object]:
            number = origin.split(":", 1)[1]
            if not number.isdigit():
                raise ValueError(f"expected acme:<number>, got {origin!r}")
            return {"partnership": {"name": f"Acme {number}"}, "a": {"share": int(number) / 10}}

        register("acme", load, schemes=["acme"], description="Acme's CRM")


def rules(when: str, extra: str = "") -> str:
    """Return a ruleset with one rule."""
    return (
        HEADER
        + f"""
[[rules]]
id = "R1"
group = "g"
title = "Share"
source = "src"
advice = "Raise it."
when = {when}
{extra}"""
    )


def engine_with(tmp_path: Path, text: str, plugin: object, **options: object) -> Engine:
    """Build an engine on one ruleset with a plugin."""
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    return Engine([path], plugins=[plugin], entry_points=False, **options)  # type: ignore[arg-type]


def test_check_is_called_with_structured_params(tmp_path: Path) -> None:
    """A rule's check gets its params as the plugin's attrs class; reads are its evidence."""
    engine = engine_with(
        tmp_path,
        rules('{ check = "acme.share_at_least", params = { minimum = 0.3 } }'),
        AcmePlugin(),
    )
    met = engine.evaluate({"a": {"share": 0.4}}).findings[0]
    assert met.status is Status.MET
    assert [(e.path, e.value) for e in met.evidence] == [("a.share", 0.4)]
    assert engine.evaluate({"a": {"share": 0.2}}).findings[0].status is Status.UNMET
    unknown = engine.evaluate({}).findings[0]
    assert unknown.status is Status.UNKNOWN
    assert unknown.missing == ("a.share",)


def test_check_params_errors_name_the_rule_and_key(tmp_path: Path) -> None:
    """An unknown params key is a ruleset error with the rule, the key path and a suggestion."""
    with pytest.raises(RulesetError) as info:
        engine_with(
            tmp_path,
            rules('{ check = "acme.share_at_least", params = { minimun = 0.3 } }'),
            AcmePlugin(),
        )
    (message,) = info.value.messages
    assert message.startswith("rule 'R1' ($.rules[0].when.params.minimun): check")
    assert "did you mean 'minimum'?" in message


def test_unknown_check_suggests_the_nearest(tmp_path: Path) -> None:
    """A misspelt check name is refused at load with the nearest installed check."""
    with pytest.raises(RulesetError) as info:
        engine_with(tmp_path, rules('{ check = "acme.share_atleast" }'), AcmePlugin())
    assert (
        "no check named 'acme.share_atleast'; did you mean 'acme.share_at_least'?"
        in (info.value.messages[0])
    )


@pytest.mark.parametrize(
    ("check", "message"),
    [
        pytest.param("acme.explode", "RuntimeError: the register is unavailable", id="raises"),
        pytest.param("acme.sloppy", "TypeError: returned 'yes'", id="bad-result"),
    ],
)
def test_failing_check_names_the_plugin(tmp_path: Path, check: str, message: str) -> None:
    """A check that raises, or returns something other than True/False/None, stops the run."""
    engine = engine_with(tmp_path, rules(f'{{ check = "{check}" }}'), AcmePlugin())
    with pytest.raises(PluginError) as info:
        engine.evaluate({})
    assert info.value.plugin == "AcmePlugin"
    assert message in str(info.value)
    assert "$.rules[0].when" in str(info.value)


def test_prepare_facts_derives_without_overwriting(tmp_path: Path) -> None:
    """prepare_facts fills a gap before evaluation, never overwriting or mutating facts."""
    engine = engine_with(
        tmp_path, rules('{ fact = "a.doubled", op = ">=", value = 1 }'), AcmePlugin()
    )
    facts = {"a": {"share": 0.6}}
    assert engine.evaluate(facts).findings[0].status is Status.MET
    assert facts == {"a": {"share": 0.6}}  # the caller's facts are untouched
    recorded = {"a": {"share": 0.6, "doubled": 0.5}}
    assert engine.evaluate(recorded).findings[0].status is Status.UNMET


def test_after_report_sees_every_report(tmp_path: Path) -> None:
    """after_report is called once per evaluation with the finished report."""
    plugin = AcmePlugin()
    engine = engine_with(tmp_path, rules('{ fact = "a.share", op = "filled" }'), plugin)
    engine.evaluate({"partnership": {"name": "One"}})
    engine.evaluate({"partnership": {"name": "Two"}})
    assert plugin.reports == ["One", "Two"]


def test_settings_reach_the_plugin(tmp_path: Path) -> None:
    """A plugin's settings from the configuration reach the hooks that ask for them."""
    plugin = AcmePlugin()
    config = Config(settings={"AcmePlugin": {"register": "approved.csv"}})
    engine_with(tmp_path, rules('{ fact = "a.share", op = "filled" }'), plugin, config=config)
    assert plugin.settings_seen == {"register": "approved.csv"}


def test_scheme_addresses_load_through_the_plugin(tmp_path: Path) -> None:
    """`acme:7` is loaded by the loader registered for the scheme, not read as a file."""
    engine = engine_with(
        tmp_path, rules('{ fact = "a.share", op = ">=", value = 0.5 }'), AcmePlugin()
    )
    facts = engine.load_facts("acme:7")
    assert facts == {"partnership": {"name": "Acme 7"}, "a": {"share": 0.7}}
    assert engine.evaluate(facts, origin="acme:7").findings[0].status is Status.MET
    with pytest.raises(FactsError) as info:
        engine.load_facts("acme:seven")
    assert str(info.value) == "acme:seven: expected acme:<number>, got 'acme:seven'"


def test_failing_prepare_facts_names_the_plugin(tmp_path: Path) -> None:
    """prepare_facts that returns something other than a mapping is a PluginError."""

    class Broken:
        @hookimpl
        def prepare_facts(self, facts):
            return ["not", "a", "mapping"]

    engine = engine_with(tmp_path, rules('{ fact = "a.share", op = "filled" }'), Broken())
    with pytest.raises(PluginError) as info:
        engine.evaluate({})
    assert info.value.plugin == "Broken"
    assert "prepare_facts must return a mapping or None, got list" in str(info.value)


# --------------------------------------------------------------------------- docs


def _documented() -> dict[str, str]:
    text = (ROOT / "docs" / "plugins" / "hooks.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^## (\w+)\(([^)]*)\)$", text, flags=re.MULTILINE))


def test_every_hook_is_documented_with_its_signature() -> None:
    """docs/plugins/hooks.md has one section per hook, with the spec's own parameters."""
    specs = {
        name: fn
        for name, fn in vars(hookspecs).items()
        if hasattr(fn, f"{hookspecs.PROJECT_NAME}_spec")
    }
    documented = _documented()
    assert set(documented) == set(specs), "hooks.md sections differ from the hook specs"
    for name, fn in specs.items():
        params = [p for p in inspect.signature(fn).parameters if p != "settings"]
        assert documented[name].replace(" ", "").split(",") == params, name
