"""Shared fixtures: the installed distribution, engines with the plugin's settings, files."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

import pytest

from partnerrules import Engine
from partnerrules.config import Config
from partnerrules.plugins import LOAD_PLUGINS_ENV

HERE = Path(__file__).resolve().parent
REGISTER = HERE / "register.csv"
RIVERSIDE = HERE / "riverside.toml"
DISTRIBUTION = "partnerrules-civicfund"
INSTALL = "pip install ./plugins/partnerrules-civicfund"

#: Builds an engine with the installed plugin: (rulesets, the plugin's settings) -> Engine.
MakeEngine = Callable[..., Engine]


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


@pytest.fixture
def installed() -> metadata.Distribution:
    """The installed partnerrules-civicfund distribution; skip when it is not installed.

    The ``civicfund`` ruleset ``requires`` the distribution, and the plugin's settings
    are found by its entry-point name, so every test that builds an engine needs it
    installed. The entry point then imports ``partnerrules_civicfund`` from this
    checkout's ``src/`` (pytest puts it first on the path), so the code under test is
    the checkout's whatever build is installed.
    """
    try:
        return metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pytest.skip(
            f"{DISTRIBUTION} is not installed, so its entry point, settings and ruleset"
            f" cannot be tested: run `{INSTALL}` (CI does)"
        )


@pytest.fixture
def make_engine(installed: metadata.Distribution) -> MakeEngine:
    """Return a function building an engine with the plugin, through its entry point."""

    def make(
        rulesets: Iterable[str | Path] = ("civicfund",),
        settings: Mapping[str, object] | None = None,
    ) -> Engine:
        config = Config(settings={"civicfund": dict(settings or {})})
        # load_only: this plugin only, whatever else is installed.
        return Engine(list(rulesets), load_only=["civicfund"], config=config)

    return make


@pytest.fixture
def register_csv(tmp_path: Path) -> Callable[[str], Path]:
    """Write a register CSV into a temporary directory and return its path."""

    def write(text: str, name: str = "register.csv") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
