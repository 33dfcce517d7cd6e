"""Ship the rulesets that come with partnerrules."""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from partnerrules import RegisterRuleset
from partnerrules import hookimpl


def shipped_rulesets_dir() -> Path | Traversable:
    """Return the folder of shipped rulesets.

    In an installed wheel the rulesets travel inside the package (``partnerrules/rulesets``);
    in a source checkout they sit at the top of the repository, beside the package.
    """
    packaged = files("partnerrules") / "rulesets"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rulesets"


@hookimpl
def register_rulesets(register: RegisterRuleset) -> None:
    """Register every ``*.toml`` file in the shipped rulesets folder."""
    folder = shipped_rulesets_dir()
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.is_file():
            register(entry)
