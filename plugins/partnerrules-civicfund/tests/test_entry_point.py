"""Discovery through the real entry point, and the command line with the plugin's settings."""

from __future__ import annotations

import importlib.resources
import inspect
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import partnerrules_civicfund

from partnerrules import get_plugin_manager
from partnerrules.plugins import ENTRY_POINT_GROUP
from partnerrules.plugins import PluginInfo
from partnerrules.plugins import list_plugins
from partnerrules.registry import Registry

HOOKS = ("prepare_facts", "register_checks", "register_outputs", "register_rulesets")


def test_the_entry_point_is_declared(installed: metadata.Distribution) -> None:
    """`civicfund = "partnerrules_civicfund"` in the partnerrules group."""
    (entry_point,) = [ep for ep in installed.entry_points if ep.group == ENTRY_POINT_GROUP]
    assert (entry_point.name, entry_point.value) == ("civicfund", "partnerrules_civicfund")


def test_the_plugin_is_discovered_as_civicfund(installed: metadata.Distribution) -> None:
    """get_plugin_manager() loads it under its entry-point name, with its distribution."""
    pm = get_plugin_manager(load_only=["civicfund"])
    assert [p for p in list_plugins(pm) if p.name == "civicfund"] == [
        PluginInfo(
            name="civicfund",
            version=installed.version,
            distribution="partnerrules-civicfund",
            hooks=HOOKS,
            builtin=False,
        )
    ]
    registry = Registry.collect(pm)
    assert registry.checks["civicfund.approved_register"].plugin == "civicfund"
    assert registry.outputs["civicfund.csv"].plugin == "civicfund"
    assert [r.plugin for r in registry.rulesets if r.plugin == "civicfund"] == ["civicfund"]


def test_the_package_holds_hook_implementations_only() -> None:
    """Importing the plugin (as every partnerrules run does) imports none of its modules
    that do the work: the hooks import them when they are called."""
    functions = {
        name
        for name, value in vars(partnerrules_civicfund).items()
        if inspect.isfunction(value) and value.__module__ == partnerrules_civicfund.__name__
    }
    assert functions == set(HOOKS)
    assert all(hasattr(getattr(partnerrules_civicfund, n), "partnerrules_impl") for n in HOOKS)
    code = (
        "import sys, partnerrules_civicfund;"
        " loaded = [m for m in ('partnerrules_civicfund.checks',"
        " 'partnerrules_civicfund.outputs', 'partnerrules_civicfund.facts')"
        " if m in sys.modules];"
        " print(','.join(loaded))"
    )
    src = Path(partnerrules_civicfund.__file__).parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src)},
        check=True,
        timeout=60,
    )
    assert result.stdout.strip() == ""


def test_the_ruleset_is_package_data() -> None:
    """The ruleset travels inside the package, where register_rulesets finds it."""
    files = importlib.resources.files("partnerrules_civicfund")
    assert (files / "rulesets" / "civicfund.toml").is_file()
