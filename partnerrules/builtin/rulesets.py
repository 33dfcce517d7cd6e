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


#: The order reports show the shipped assessments in: the stage of life, whether the
#: partnership is set up to succeed, its agreement, how deep it goes, then the rest.
READING_ORDER = (
    "stages",
    "success-factors",
    "agreement",
    "ladder",
    "partnership-checklist",
    "stakeholders",
    "benefits-costs-risks",
    "good-partner",
    "planning-sheet",
)


def _reading_order(name: str) -> tuple[int, str]:
    stem = name.removesuffix(".toml")
    return (READING_ORDER.index(stem) if stem in READING_ORDER else len(READING_ORDER), stem)


@hookimpl
def register_rulesets(register: RegisterRuleset) -> None:
    """Register every ``*.toml`` file in the shipped rulesets folder, in reading order."""
    folder = shipped_rulesets_dir()
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir(), key=lambda e: _reading_order(e.name)):
        if entry.name.endswith(".toml") and entry.is_file():
            register(entry)
