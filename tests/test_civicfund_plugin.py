"""The Civic Fund plugin (plugins/partnerrules-civicfund), seen from the core.

It is discovered through its real entry point, and its settings reach it from
partnerrules.toml: from the Python API and from the `partnerrules` command line, where the
configuration is found in the working directory or named with --config.

These tests need the plugin installed, as CI does; a missing plugin is a failure, not a
skip, so that a broken install step cannot pass unnoticed.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from partnerrules import Engine
from partnerrules import Status
from partnerrules.plugins import LOAD_PLUGINS_ENV
from partnerrules.plugins import PluginInfo
from partnerrules.plugins import get_plugin_manager
from partnerrules.plugins import list_plugins
from partnerrules.registry import Registry

DISTRIBUTION = "partnerrules-civicfund"
INSTALL = "pip install ./plugins/partnerrules-civicfund"

REGISTER = """\
organisation_id,name,status
CF-0001,Quayside College,approved
CF-0003,Eastgate Health Centre,suspended
"""

FACTS = """\
# A bid to Civic Fund by two partners, one of them suspended in the Fund's register.
[partnership]
name = "=Quayside Partnership"
lead_partner = "Quayside College"

[civicfund]
grant_type = "new"
match_funding_share = 0.3
safeguarding_policy = "yes"

[[partners]]
id = "CF-0001"
name = "Quayside College"
contact = "M. Adeyemi"

[[partners]]
id = "CF-0003"
name = "Eastgate Health Centre"
contact = "Dr R. Shah"
"""


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


def civicfund_distribution() -> metadata.Distribution:
    """Return the installed distribution; fail (not skip) when it is missing."""
    try:
        distribution = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        distribution = None  # failed outside the handler: no chained traceback
    if distribution is None:
        pytest.fail(
            f"the {DISTRIBUTION} plugin is not installed in this environment;"
            f" run `{sys.executable} -m {INSTALL}` (CI installs it)"
        )
    return distribution


def write_bid(folder: Path, register: str = "register.csv") -> Path:
    """Write the facts, the register and a partnerrules.toml naming it; return the facts."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "register.csv").write_text(REGISTER, encoding="utf-8")
    (folder / "partnerrules.toml").write_text(
        f'[settings.civicfund]\nregister = "{register}"\n', encoding="utf-8"
    )
    facts = folder / "quayside.toml"
    facts.write_text(FACTS, encoding="utf-8")
    return facts


def partnerrules(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run this environment's `partnerrules` console script."""
    script = Path(sys.executable).with_name("partnerrules")
    assert script.is_file(), f"no partnerrules console script beside {sys.executable}"
    env = {k: v for k, v in os.environ.items() if k != LOAD_PLUGINS_ENV}
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_civicfund_plugin_is_discovered_through_its_entry_point() -> None:
    """get_plugin_manager() loads the installed plugin as `civicfund`, with its hooks."""
    distribution = civicfund_distribution()
    pm = get_plugin_manager()
    assert [p for p in list_plugins(pm) if p.name == "civicfund"] == [
        PluginInfo(
            name="civicfund",
            version=distribution.version,
            distribution=DISTRIBUTION,
            hooks=("prepare_facts", "register_checks", "register_outputs", "register_rulesets"),
            builtin=False,
        )
    ]
    registry = Registry.collect(pm)
    assert registry.checks["civicfund.approved_register"].plugin == "civicfund"
    assert registry.outputs["civicfund.csv"].plugin == "civicfund"
    assert "civicfund" in [r.plugin for r in registry.rulesets]


def test_cli_audit_reads_the_register_named_in_partnerrules_toml(tmp_path: Path) -> None:
    """partnerrules.toml in the working directory gives the plugin its register.

    The suspended partner makes the bid not eligible; without the configuration the
    register condition is unknown and the bid reads as eligible, with a warning.
    """
    civicfund_distribution()
    facts = write_bid(tmp_path / "bid")
    args = ("audit", "--ruleset", "civicfund", "--format", "civicfund.csv", facts.name)
    result = partnerrules(*args, cwd=facts.parent)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    (row,) = csv_rows(result.stdout)
    assert row["partnership"] == "'=Quayside Partnership"  # guarded against formulas
    assert (row["facts"], row["civicfund_band"]) == ("quayside.toml", "not-eligible")

    (facts.parent / "partnerrules.toml").unlink()
    unconfigured = partnerrules(*args, cwd=facts.parent)
    assert unconfigured.returncode == 0, unconfigured.stderr
    (row,) = csv_rows(unconfigured.stdout)
    assert row["civicfund_band"] == "eligible"


def test_cli_config_option_resolves_dot_paths_against_the_config_file(tmp_path: Path) -> None:
    """--config from another directory: `./register.csv` is next to the configuration."""
    civicfund_distribution()
    facts = write_bid(tmp_path / "bid", register="./register.csv")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = partnerrules(
        "--config",
        str(facts.parent / "partnerrules.toml"),
        "audit",
        "--ruleset",
        "civicfund",
        "--format",
        "civicfund.csv",
        str(facts),
        cwd=elsewhere,
    )
    assert result.returncode == 0, result.stderr
    (row,) = csv_rows(result.stdout)
    assert row["civicfund_band"] == "not-eligible"


def test_engine_from_config_passes_the_settings_to_the_plugin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Python API: Engine.from_config reads [settings.civicfund] for the plugin."""
    civicfund_distribution()
    facts = write_bid(tmp_path)
    monkeypatch.chdir(tmp_path)  # "register.csv" is taken from the working directory
    engine = Engine.from_config(tmp_path / "partnerrules.toml", rulesets=["civicfund"])
    report = engine.evaluate(engine.load_facts(facts))
    statuses = {
        f.subject: f.status
        for f in report.assessment("civicfund").findings
        if f.rule_id == "CF-06"
    }
    assert statuses == {"Quayside College": Status.MET, "Eastgate Health Centre": Status.UNMET}
