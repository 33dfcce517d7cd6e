"""Host configuration and the trust boundary between plugins (code) and rulesets/facts (data)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnerrules import Band
from partnerrules import Engine
from partnerrules import RulesetError
from partnerrules import Status
from partnerrules.cli import cli
from partnerrules.config import Config
from partnerrules.config import find_config
from partnerrules.config import read_config

from .conftest import EXAMPLES
from .conftest import HEADER

RIVERSIDE_FACTS = EXAMPLES / "riverside-learning-partnership.toml"


def test_select_and_ignore_rules_by_prefix() -> None:
    """select keeps rules by id prefix, ignore drops them (ignore wins, as in ruff)."""
    config = Config(select=("AGR-0",), ignore=("AGR-05", "AGR-00"))
    engine = Engine(["agreement"], entry_points=False, config=config)
    ids = [r.id for r in engine.rulesets[0].rules]
    assert ids[0] == "AGR-01.1"
    assert not [i for i in ids if i.startswith(("AGR-05", "AGR-1", "AGR-FIT", "AGR-00"))]
    assert "AGR-09.2" in ids


def test_weights_and_bands_are_overridden() -> None:
    """A host can weigh rules differently and set its own bands."""
    bands = (Band("good", "Good", 0.5), Band("poor", "Poor", 0.0))
    config = Config(weights={"AGR-01.1": 5.0}, bands={"agreement": bands})
    engine = Engine(["agreement"], entry_points=False, config=config)
    rule = next(r for r in engine.rulesets[0].rules if r.id == "AGR-01.1")
    assert rule.weight == 5.0
    facts = engine.load_facts(RIVERSIDE_FACTS)
    outcome = engine.evaluate(facts).assessment("agreement").outcome
    assert outcome is not None
    assert outcome.id == "good"


def test_config_file_is_found_and_read(tmp_path: Path) -> None:
    """partnerrules.toml (or [tool.partnerrules]) is found from a directory below it."""
    (tmp_path / "own-stages.toml").write_text(
        (Path(__file__).parent.parent / "rulesets" / "stages.toml").read_text("utf-8"),
        encoding="utf-8",
    )
    (tmp_path / "partnerrules.toml").write_text(
        'rulesets = ["./own-stages.toml", "agreement"]\n'
        'ignore = ["AGR-FIT"]\n'
        "[settings.acme]\n"
        'register = "./register.csv"\n'
        "limit = 3\n",
        encoding="utf-8",
    )
    below = tmp_path / "work" / "deeper"
    below.mkdir(parents=True)
    config = find_config(below)
    assert config is not None
    assert config.rulesets == (str((tmp_path / "own-stages.toml").resolve()), "agreement")
    assert config.settings == {"acme": {"register": str(tmp_path / "register.csv"), "limit": 3}}
    engine = Engine(entry_points=False, config=config)
    assert [r.id for r in engine.rulesets] == ["stages", "agreement"]
    assert engine.rulesets[0].origin.endswith("own-stages.toml")  # the host's stage model


def test_pyproject_table(tmp_path: Path) -> None:
    """[tool.partnerrules] in a host's pyproject.toml configures it the same way."""
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "host"\n[tool.partnerrules]\nselect = ["SF"]\n', "utf-8")
    assert read_config(path).select == ("SF",)
    assert find_config(tmp_path) == read_config(path)


def test_config_errors_name_the_file_and_key(tmp_path: Path) -> None:
    """A misspelt key, or a value of the wrong type, is refused with the file and key."""
    path = tmp_path / "partnerrules.toml"
    path.write_text('ignroe = ["AGR-FIT"]\n', encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        read_config(path)
    assert info.value.messages[0].startswith("unknown key 'ignroe'; did you mean 'ignore'?")
    path.write_text('[weights]\n"SF-01.1" = "heavy"\n', encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        read_config(path)
    assert "$.weights" in info.value.messages[0]
    assert "expected a number" in info.value.messages[0]


def test_cli_uses_the_config_and_no_plugins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI reads partnerrules.toml from the working directory; --no-plugins is honoured."""
    (tmp_path / "partnerrules.toml").write_text(
        'rulesets = ["agreement"]\nignore = ["AGR-FIT", "AGR-00"]\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["--no-plugins", "audit", "-f", "json", str(RIVERSIDE_FACTS)])
    assert result.exit_code == 0, result.output
    (assessment,) = json.loads(result.stdout)["reports"][0]["assessments"]
    assert len(assessment["findings"]) == 26
    explicit = runner.invoke(
        cli, ["--config", str(tmp_path / "partnerrules.toml"), "rulesets", "list"]
    )
    assert explicit.stdout.splitlines()[1].startswith("agreement ")


def test_block_removes_an_installed_plugin(runner: CliRunner) -> None:
    """--block NAME leaves an installed plugin out (here the YAML loader, if installed)."""
    listed = runner.invoke(cli, ["--block", "yaml", "plugins"]).stdout
    assert "yaml  (" not in listed


# --------------------------------------------------------------------------- trust boundary

HOSTILE = [
    "__import__('os').system('touch /tmp/partnerrules-pwned')",
    "{{7*7}}",
    "${jndi:ldap://x}",
    "<script>alert(1)</script>",
    "'; DROP TABLE partnerships; --",
    "../../../../etc/passwd",
    "\x00\x1b[31m",
]


@pytest.mark.parametrize("text", HOSTILE, ids=[f"hostile-{i}" for i in range(len(HOSTILE))])
def test_hostile_strings_in_rules_and_facts_are_only_data(tmp_path: Path, text: str) -> None:
    """Hostile text in every field of a ruleset and in facts is carried, never executed."""
    quoted = json.dumps(text)
    ruleset = (
        HEADER.replace('title = "Demo"', f"title = {quoted}")
        + f"""
[[rules]]
id = "R1"
group = {json.dumps("g" + text)}
title = {quoted}
source = "src"
advice = {quoted}
description = {quoted}
when = {{ fact = "a.b", op = "==", value = {quoted} }}
"""
    )
    path = tmp_path / "hostile.toml"
    path.write_text(ruleset, encoding="utf-8")
    engine = Engine([path], entry_points=False)
    report = engine.evaluate({"a": {"b": text}, "partnership": {"name": text}})
    finding = report.findings[0]
    assert finding.status is Status.MET
    assert (finding.title, finding.advice, report.partnership) == (text, text, text)
    for fmt in engine.registry.outputs.values():
        fmt.render([report], _options())  # every output renders it as text
    assert not Path("/tmp/partnerrules-pwned").exists()


def _options():
    from partnerrules import OutputOptions

    return OutputOptions()


@pytest.mark.parametrize(
    "path",
    ["__class__", "a.__class__.__mro__", "a.__dict__", "__builtins__.open", "a.__init__"],
)
def test_dunder_paths_only_read_the_facts(tmp_path: Path, path: str) -> None:
    """Paths like __class__ are keys of the facts document, never Python attributes."""
    ruleset = (
        HEADER
        + f"""
[[facts]]
path = "__class__"
type = "table"
meaning = "Hostile."
open = true

[[facts]]
path = "__builtins__"
type = "table"
meaning = "Hostile."
open = true

[[rules]]
id = "R1"
group = "g"
title = "t"
source = "src"
advice = "Do it."
when = {{ fact = "{path}", op = "exists" }}
"""
    )
    file = tmp_path / "dunder.toml"
    file.write_text(ruleset, encoding="utf-8")
    engine = Engine([file], entry_points=False)
    finding = engine.evaluate({"a": {"b": 1}}).findings[0]
    assert finding.status is Status.UNMET  # no such key: nothing reached through attributes


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    """A condition nested beyond the limit is a ruleset error, not a crash."""
    cond = '{ fact = "a.b", op = "filled" }'
    for _ in range(40):
        cond = f"{{ not = {cond} }}"
    ruleset = (
        HEADER
        + f"""
[[rules]]
id = "R1"
group = "g"
title = "t"
source = "src"
advice = "Do it."
when = {cond}
"""
    )
    path = tmp_path / "deep.toml"
    path.write_text(ruleset, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        Engine([path], entry_points=False)
    assert "conditions nest deeper than 32 levels" in info.value.messages[0]


def test_deeply_nested_facts_and_huge_lists(tmp_path: Path) -> None:
    """Facts nested thousands deep or with huge lists are evaluated without error."""
    deep: dict[str, object] = {}
    node = deep
    for _ in range(5000):
        child: dict[str, object] = {}
        node["x"] = child
        node = child
    partners = [{"name": f"P{i}", "contact": "someone"} for i in range(20_000)]
    engine = Engine(["agreement", "planning-sheet"], entry_points=False)
    report = engine.evaluate({"a": deep, "partners": partners})
    assert len(report.assessment("planning-sheet").findings) >= 20_000
    assert sys.getrecursionlimit() > 0


def test_missing_required_plugin_is_named(tmp_path: Path) -> None:
    """A ruleset that requires an uninstalled plugin is refused, naming it and how to install."""
    ruleset = (
        HEADER.replace(
            'title = "Demo"', 'title = "Demo"\nrequires = ["partnerrules-nowhere>=1.0"]'
        )
        + """
[[rules]]
id = "R1"
group = "g"
title = "t"
source = "src"
advice = "Do it."
when = { fact = "a.b", op = "filled" }
"""
    )
    path = tmp_path / "needs.toml"
    path.write_text(ruleset, encoding="utf-8")
    with pytest.raises(RulesetError) as info:
        Engine([path], entry_points=False)
    assert info.value.messages == [
        "$.ruleset.requires[0]: this ruleset needs the plugin 'partnerrules-nowhere', which is"
        " not installed (pip install 'partnerrules-nowhere>=1.0')"
    ]
