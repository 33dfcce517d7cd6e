"""Shared fixtures: a fresh plugin manager, the registry, a CLI runner, ruleset writers."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pluggy
import pytest
from click.testing import CliRunner

from partnerrules import get_plugin_manager
from partnerrules.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RULESETS = ROOT / "rulesets"

#: A minimal valid ruleset header; tests append [[rules]] to it.
HEADER = (
    """
[ruleset]
id = "demo"
version = "1.0.0"
kind = "checklist"
title = "Demo"

[[ruleset.sources]]
id = "src"
author = "Author, A."
year = "2020"
title = "A source"
"""
    + "".join(
        f'\n[[facts]]\npath = "{name}"\ntype = "table"\nmeaning = "Test facts."\nopen = true\n'
        for name in ("a", "b", "c", "d", "e", "g", "n", "t", "ab", "form", "motto", "org", "x")
    )
    + "".join(
        f'\n[[facts]]\npath = "{path}"\ntype = "{kind}"\nmeaning = "Test facts."\n'
        for path, kind in (
            ("partners[].signed", "judgement"),
            ("partners[].active", "judgement"),
            ("partners[].tasks", "list"),
            ("partners[].tasks[].done", "judgement"),
        )
    )
)


@pytest.fixture
def pm() -> pluggy.PluginManager:
    """A fresh plugin manager with the built-in plugins and no installed ones."""
    return get_plugin_manager(entry_points=False)


@pytest.fixture
def registry(pm: pluggy.PluginManager) -> Registry:
    """What the built-in plugins contribute."""
    return Registry.collect(pm)


@pytest.fixture
def runner() -> CliRunner:
    """A click test runner."""
    return CliRunner()


@pytest.fixture
def tmp_ruleset(tmp_path: Path) -> Callable[[str], Path]:
    """Write TOML (dedented) to a ruleset file and return its path."""
    counter = iter(range(1000))

    def write(text: str, *, header: bool = False) -> Path:
        path = tmp_path / f"ruleset{next(counter)}.toml"
        body = textwrap.dedent(text)
        path.write_text((HEADER + body) if header else body, encoding="utf-8")
        return path

    return write
