"""The plugins this repository ships (plugins/), discovered through their real entry points.

These tests need the plugins installed into the environment, as the README's setup
command and CI do; a missing plugin is a failure, not a skip, so that a broken install
step cannot pass unnoticed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from partnerrules.plugins import LOAD_PLUGINS_ENV
from partnerrules.plugins import PluginInfo
from partnerrules.plugins import get_plugin_manager
from partnerrules.plugins import list_plugins
from partnerrules.registry import Registry

YAML_DISTRIBUTION = "partnerrules-yaml"
INSTALL_YAML = "pip install ./plugins/partnerrules-yaml"

YAML_FACTS = """\
# A partnership described in YAML, read by the partnerrules-yaml plugin.
partnership:
  name: Harbourside Arts Consortium
  formed_on: 2024-09-01
agreement:
  form: partnership_agreement
  sections:
    dispute_resolution:
      disagreements: Co-ordinator, then the chair, then an independent mediator.
      non_delivery: tbd
"""


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


def yaml_distribution() -> metadata.Distribution:
    """Return the installed partnerrules-yaml distribution; fail (not skip) when missing.

    Called in the test itself, not as a fixture, so that a missing plugin is reported as
    a failed test rather than as an error in setting one up.
    """
    try:
        distribution = metadata.distribution(YAML_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        distribution = None  # failed outside the handler: no chained traceback to wade through
    if distribution is None:
        pytest.fail(
            f"the {YAML_DISTRIBUTION} plugin is not installed in this environment;"
            f" run `{sys.executable} -m {INSTALL_YAML}` (the README's setup command and"
            " CI install it)"
        )
    return distribution


def test_yaml_plugin_is_discovered_through_its_entry_point() -> None:
    """get_plugin_manager() loads the installed plugin as `yaml`, with its distribution."""
    distribution = yaml_distribution()
    pm = get_plugin_manager()
    infos = [p for p in list_plugins(pm) if p.name == "yaml"]
    assert infos == [
        PluginInfo(
            name="yaml",
            version=distribution.version,
            distribution=YAML_DISTRIBUTION,
            hooks=("register_fact_loaders",),
            builtin=False,
        )
    ]
    registry = Registry.collect(pm)
    for name in ("facts.yaml", "facts.yml"):
        spec = registry.loader_for(name)
        assert spec is not None, name
        assert (spec.name, spec.plugin) == ("yaml", "yaml")


def test_cli_audits_a_yaml_facts_file(tmp_path: Path) -> None:
    """The `partnerrules` console script of this environment audits a .yaml facts file."""
    yaml_distribution()
    script = Path(sys.executable).with_name("partnerrules")
    assert script.is_file(), f"no partnerrules console script beside {sys.executable}"
    facts = tmp_path / "harbourside.yaml"
    facts.write_text(YAML_FACTS, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != LOAD_PLUGINS_ENV}
    result = subprocess.run(
        [str(script), "audit", str(facts)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Harbourside Arts Consortium" in result.stdout
    # The text report wraps a long path after its '/' to fit 80 columns.
    assert str(facts) in "".join(line.strip() for line in result.stdout.splitlines())
    assert result.stderr == ""
