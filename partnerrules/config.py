"""Host configuration: which rulesets and rules, weights and bands, plugins and settings.

A host (or an organisation running audits) tailors partnerrules without touching the
environment or the shipped rulesets, in ``partnerrules.toml`` or the ``[tool.partnerrules]``
table of its ``pyproject.toml``::

    rulesets = ["./our-stage-model.toml", "success-factors", "agreement"]
    select = ["SF", "AGR"]             # keep rules whose id starts with one of these
    ignore = ["AGR-FIT", "SF-12.4"]    # then drop these (ignore wins, as in ruff)
    block = ["yaml"]                   # plugins not to load
    plugins = true                     # false: no installed plugins at all

    [weights]                          # rule id -> weight
    "SF-01.1" = 3.0

    [[bands.success-factors]]          # replace a ruleset's bands
    id = "good"
    title = "Good"
    min = 0.7

    [settings.civicfund]               # a plugin's own settings, by its name
    register = "./approved-organisations.csv"

Relative ruleset paths, and settings written as relative paths (``"./register.csv"``,
``"../data/x.csv"``), are relative to the configuration file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

import attrs
from attrs import field
from attrs import frozen

from partnerrules.errors import RulesetError
from partnerrules.errors import did_you_mean
from partnerrules.model import Band
from partnerrules.model import Ruleset

CONFIG_FILE: Final = "partnerrules.toml"
_KEYS: Final = ("rulesets", "select", "ignore", "block", "plugins", "weights", "bands", "settings")


@frozen
class Config:
    """How a host tailors partnerrules (see the module documentation)."""

    rulesets: tuple[str, ...] | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    block: tuple[str, ...] = ()
    plugins: bool = True
    weights: Mapping[str, float] = field(factory=dict)
    bands: Mapping[str, tuple[Band, ...]] = field(factory=dict)
    settings: Mapping[str, Mapping[str, object]] = field(factory=dict)
    origin: str | None = None

    def keeps(self, rule_id: str) -> bool:
        """Say whether a rule is kept: selected (or no selection) and not ignored."""
        if self.select and not rule_id.startswith(self.select):
            return False
        return not (self.ignore and rule_id.startswith(self.ignore))

    def tailor(self, ruleset: Ruleset) -> Ruleset:
        """Return a ruleset with the rules selected, weights and bands overridden."""
        rules = tuple(
            attrs.evolve(rule, weight=self.weights[rule.id]) if rule.id in self.weights else rule
            for rule in ruleset.rules
            if self.keeps(rule.id)
        )
        bands = self.bands.get(ruleset.id, ruleset.bands)
        if rules == ruleset.rules and bands == ruleset.bands:
            return ruleset
        return attrs.evolve(ruleset, rules=rules, bands=bands)


def parse_config(data: Mapping[str, object], origin: str) -> Config:
    """Structure a configuration table.

    :raises RulesetError: naming the file and key of every problem
    """
    from partnerrules.serde import make_converter  # serde imports the model only

    problems = [
        f"unknown key {key!r}{did_you_mean(key, _KEYS)} (keys: {', '.join(_KEYS)})"
        for key in data
        if key not in _KEYS
    ]
    if problems:
        raise RulesetError(origin, problems)
    base = Path(origin).parent
    raw = dict(data)
    rulesets = raw.get("rulesets")
    if isinstance(rulesets, list):
        raw["rulesets"] = [_relative(str(r), base) for r in rulesets]
    settings = raw.get("settings")
    if isinstance(settings, dict):
        raw["settings"] = {
            name: {k: _setting_path(v, base) for k, v in table.items()}
            if isinstance(table, dict)
            else table
            for name, table in settings.items()
        }
    converter = make_converter()
    try:
        config = converter.structure({**raw, "origin": origin}, Config)
    except Exception as exc:
        from partnerrules.serde import flatten_errors

        raise RulesetError(origin, [f"{p}: {m}" for p, m in flatten_errors(exc, "$")]) from None
    return config


def _setting_path(value: object, base: Path) -> object:
    """Resolve a setting written as a relative path (``./x`` or ``../x``) against ``base``."""
    if isinstance(value, str) and value.startswith(("./", "../")):
        return str((base / value).resolve())
    return value


def _relative(spec: str, base: Path) -> str:
    """Resolve a ruleset path relative to the configuration file; ids stay as they are."""
    if spec.endswith(".toml") or "/" in spec:
        return str((base / spec).resolve()) if not Path(spec).is_absolute() else spec
    return spec


def read_config(path: Path) -> Config:
    """Read ``partnerrules.toml``, or the ``[tool.partnerrules]`` table of a pyproject.toml.

    :raises RulesetError: when the file cannot be read or has problems
    """
    from partnerrules.loader import parse_toml
    from partnerrules.loader import read_bytes

    data = parse_toml(read_bytes(path, "ruleset"), str(path), "ruleset")
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        table = tool.get("partnerrules", {}) if isinstance(tool, dict) else {}
        if not isinstance(table, dict):
            raise RulesetError(str(path), ["[tool.partnerrules] must be a table"])
        return parse_config(table, str(path))
    return parse_config(data, str(path))


def find_config(start: Path) -> Config | None:
    """Find the configuration for a working directory: ``partnerrules.toml``, or a
    ``pyproject.toml`` with ``[tool.partnerrules]``, in the directory or its parents."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return read_config(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and b"[tool.partnerrules" in pyproject.read_bytes():
            return read_config(pyproject)
    return None
