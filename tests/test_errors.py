"""Bad input gets a clear error naming the file, rule and key path, exit code 2, no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result

from partnerrules import get_plugin_manager
from partnerrules.cli import cli
from partnerrules.errors import FactsError
from partnerrules.errors import RulesetError
from partnerrules.loader import load_facts
from partnerrules.loader import read_ruleset
from partnerrules.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
NORTHFIELD = ROOT / "examples" / "northfield-health-alliance.toml"
RIVERSIDE = ROOT / "examples" / "riverside-learning-partnership.toml"

#: The keys of a valid rule, as raw TOML values; tests override or drop some of them.
RULE_KEYS: dict[str, str] = {
    "id": '"R1"',
    "title": '"A rule"',
    "group": '"g"',
    "source": '"src"',
    "advice": '"Record it."',
    "when": '{ fact = "a.b", op = "filled" }',
}
RULE_FIELDS = (
    "id, title, group, source, advice, when, weight, severity, partial, applies, for_each,"
    " label, description, source_detail, gate"
)

WriteRuleset = Callable[..., Path]


def rule(**keys: str | None) -> str:
    """Return one [[rules]] table: the valid keys, with ``keys`` overriding (None drops)."""
    values = {**RULE_KEYS, **keys}
    body = "\n".join(f"{k} = {v}" for k, v in values.items() if v is not None)
    return f"\n[[rules]]\n{body}\n"


def assert_clean_error(result: Result) -> None:
    """Assert that a command failed the way a user error should: exit 2, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output


#: (rules and groups after the header, the one problem the ruleset has)
RULESET_CASES = [
    pytest.param(
        rule(wieght="2"),
        "rule 'R1' ($.rules[0].wieght): unknown key 'wieght'; did you mean 'weight'?"
        f" (expected keys: {RULE_FIELDS})",
        id="unknown-key",
    ),
    pytest.param(
        rule(when='{ fact = "a.b", op = "filed" }'),
        "rule 'R1' ($.rules[0].when.op): unknown operator 'filed'; did you mean 'filled'?"
        " (operators: {ops})",
        id="unknown-operator",
    ),
    pytest.param(
        rule(when='{ fact = "a.b", op = "filled", valeu = 1 }'),
        "rule 'R1' ($.rules[0].when.valeu): unknown key 'valeu' in a 'fact' condition;"
        " did you mean 'value'?",
        id="unknown-condition-key",
    ),
    pytest.param(
        rule(weight='"heavy"'),
        "rule 'R1' ($.rules[0].weight): expected a number, got text 'heavy'",
        id="weight-text",
    ),
    pytest.param(
        rule(severity='"hgh"'),
        "rule 'R1' ($.rules[0].severity): expected one of critical, major, minor, info; got 'hgh'",
        id="severity-unknown",
    ),
    pytest.param(
        rule(severity='"majr"'),
        "rule 'R1' ($.rules[0].severity): expected one of critical, major, minor, info;"
        " got 'majr'; did you mean 'major'?",
        id="severity-misspelt",
    ),
    pytest.param(
        rule(title="5"),
        "rule 'R1' ($.rules[0].title): expected text, got integer 5",
        id="title-integer",
    ),
    pytest.param(
        rule() + rule(),
        "rule 'R1' ($.rules[1].id): duplicate rule id (first used at $.rules[0])",
        id="duplicate-rule-id",
    ),
    pytest.param(
        rule(source='"srx"'),
        "rule 'R1' ($.rules[0].source): no source with id 'srx' in [[ruleset.sources]];"
        " did you mean 'src'?",
        id="unknown-source",
    ),
    pytest.param(
        '\n[[groups]]\nid = "grp"\ntitle = "A group"\n' + rule(group='"gpr"'),
        "rule 'R1' ($.rules[0].group): no group with id 'gpr' in [[groups]]; did you mean 'grp'?",
        id="unknown-group",
    ),
    pytest.param(
        rule(advice=None),
        "rule 'R1' ($.rules[0].advice): required key is missing",
        id="missing-advice",
    ),
]


def expected_message(template: str, registry: Registry) -> str:
    """Fill in the list of operators, which the unknown-operator message ends with."""
    return template.replace("{ops}", ", ".join(sorted(registry.operators)))


@pytest.fixture(params=["validate", "audit"])
def run_ruleset(request: pytest.FixtureRequest, runner: CliRunner) -> Callable[[Path], Result]:
    """Run a ruleset file through `rulesets validate` or through `audit --ruleset`."""

    def run(path: Path) -> Result:
        if request.param == "validate":
            return runner.invoke(cli, ["rulesets", "validate", str(path)])
        return runner.invoke(cli, ["audit", "--ruleset", str(path), str(NORTHFIELD)])

    return run


@pytest.mark.parametrize(("body", "message"), RULESET_CASES)
def test_ruleset_problem_is_reported_by_the_cli(
    tmp_ruleset: WriteRuleset,
    run_ruleset: Callable[[Path], Result],
    registry: Registry,
    body: str,
    message: str,
) -> None:
    """A bad ruleset is reported as `Error: FILE: rule 'ID' (KEY PATH): problem`, exit 2."""
    path = tmp_ruleset(body, header=True)
    result = run_ruleset(path)
    assert_clean_error(result)
    assert result.stderr == f"Error: {path}: {expected_message(message, registry)}\n"
    assert result.stdout == ""


@pytest.mark.parametrize(("body", "message"), RULESET_CASES)
def test_ruleset_problem_is_reported_by_read_ruleset(
    tmp_ruleset: WriteRuleset, registry: Registry, body: str, message: str
) -> None:
    """read_ruleset raises RulesetError with the file as origin and exactly one message."""
    path = tmp_ruleset(body, header=True)
    with pytest.raises(RulesetError) as info:
        read_ruleset(path, registry)
    assert info.value.origin == str(path)
    assert info.value.messages == [expected_message(message, registry)]


def test_read_ruleset_lists_every_structural_problem(
    tmp_ruleset: WriteRuleset, registry: Registry
) -> None:
    """Several problems in one ruleset are all listed, one per line, each with its rule."""
    path = tmp_ruleset(rule(wieght="2") + rule(id='"R2"', title="5"), header=True)
    with pytest.raises(RulesetError) as info:
        read_ruleset(path, registry)
    assert info.value.messages == [
        f"rule 'R1' ($.rules[0].wieght): unknown key 'wieght'; did you mean 'weight'?"
        f" (expected keys: {RULE_FIELDS})",
        "rule 'R2' ($.rules[1].title): expected text, got integer 5",
    ]
    assert str(info.value).splitlines()[0] == f"{path}: 2 problems"


def test_ruleset_toml_syntax_error_names_file_line_and_column(
    tmp_ruleset: WriteRuleset, runner: CliRunner, registry: Registry
) -> None:
    """A TOML syntax error in a ruleset is reported as FILE:LINE:COLUMN, exit 2."""
    path = tmp_ruleset(
        """\
        [ruleset]
        id = "demo"
        version = "1.0.0"
        kind = "checklist"
        title = = "Demo"
        """
    )
    result = runner.invoke(cli, ["rulesets", "validate", str(path)])
    assert_clean_error(result)
    assert result.stderr == f"Error: {path}:5:9: invalid TOML: Invalid value\n"
    assert path.name + ":5:9" in result.stderr
    with pytest.raises(RulesetError) as info:
        read_ruleset(path, registry)
    assert info.value.origin == f"{path}:5:9"
    assert info.value.messages == ["invalid TOML: Invalid value"]


def test_validate_carries_on_past_a_bad_ruleset(
    tmp_ruleset: WriteRuleset, runner: CliRunner
) -> None:
    """`rulesets validate good bad` says ok for the good file and reports the bad one."""
    good = tmp_ruleset(rule(), header=True)
    bad = tmp_ruleset(rule(weight='"heavy"'), header=True)
    result = runner.invoke(cli, ["rulesets", "validate", str(good), str(bad)])
    assert_clean_error(result)
    assert result.stdout == f"ok: {good} (demo 1.0.0, 1 rules, 0 tests)\n"
    assert result.stderr == (
        f"Error: {bad}: rule 'R1' ($.rules[0].weight): expected a number, got text 'heavy'\n"
    )


# --------------------------------------------------------------------------- unreadable


def test_ruleset_path_that_does_not_exist(tmp_path: Path, runner: CliRunner) -> None:
    """`--ruleset missing.toml` says the file was not found, exit 2."""
    path = tmp_path / "missing.toml"
    result = runner.invoke(cli, ["audit", "--ruleset", str(path), str(NORTHFIELD)])
    assert_clean_error(result)
    assert result.stderr == f"Error: {path}: file not found\n"


def test_ruleset_path_that_is_a_directory(tmp_path: Path, runner: CliRunner) -> None:
    """A folder given as a ruleset is reported as a folder, not a crash."""
    path = tmp_path / "rules.toml"
    path.mkdir()
    result = runner.invoke(cli, ["rulesets", "validate", str(path)])
    assert_clean_error(result)
    assert result.stderr == f"Error: {path}: is a directory, not a file\n"


def test_ruleset_that_is_not_utf8(tmp_path: Path, runner: CliRunner) -> None:
    """A ruleset in Latin-1 is reported as not UTF-8 with the offending byte offset."""
    path = tmp_path / "latin1.toml"
    path.write_bytes('[ruleset]\nid = "caf\xe9"\n'.encode("latin-1"))
    result = runner.invoke(cli, ["rulesets", "validate", str(path)])
    assert_clean_error(result)
    assert result.stderr == f"Error: {path}: is not UTF-8 text (byte 19)\n"


def _known_extensions() -> list[str]:
    """The extensions the installed loaders handle (the CLI loads installed plugins too)."""
    registry = Registry.collect(get_plugin_manager())
    return sorted({e for spec in registry.fact_loaders.values() for e in spec.extensions})


#: (file name, bytes, problem after "FILE: ")
FACTS_CASES = [
    pytest.param(
        "list.json",
        b"[1, 2]",
        "the facts must be a JSON object (a table of facts), not a list (JSON array)",
        id="json-list",
    ),
    pytest.param(
        "string.json",
        b'"Riverside"',
        "the facts must be a JSON object (a table of facts), not a string",
        id="json-string",
    ),
    pytest.param(
        "broken.json",
        b'{"partnership": }',
        "invalid JSON at line 1, column 17: Expecting value",
        id="invalid-json",
    ),
    pytest.param(
        "broken.toml",
        b'[partnership]\nname = "Riverside\n',
        "invalid TOML at line 2, column 18: Illegal character '\\n'",
        id="invalid-toml",
    ),
    pytest.param(
        "latin1.toml",
        '[partnership]\nname = "Caf\xe9"\n'.encode("latin-1"),
        "is not UTF-8 text (byte 25)",
        id="not-utf8",
    ),
    pytest.param(
        "facts.xlsx",
        b"partnership: {}\n",
        "no fact loader for this kind of file (known extensions: "
        + ", ".join(_known_extensions())
        + ")",
        id="unknown-extension",
    ),
    pytest.param(
        "evidence.toml",
        b"evidence = 5\n",
        "evidence: expected a table of fact paths to notes, such as"
        ' "agreement.sections.resources.cash" = "Budget annex, p. 4"',
        id="evidence-not-a-table",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), FACTS_CASES)
def test_bad_facts_file_is_reported_by_the_cli(
    tmp_path: Path, runner: CliRunner, name: str, content: bytes, message: str
) -> None:
    """A facts file that is not a readable table of facts is named with the problem, exit 2."""
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(cli, ["audit", str(path)])
    assert_clean_error(result)
    assert result.stderr == (
        f"Error: {path}: {message}\n1 of 1 facts file(s) could not be assessed.\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(("name", "content", "message"), FACTS_CASES)
def test_bad_facts_file_raises_facts_error(
    tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    """load_facts raises FactsError naming the file, with the same message as the CLI."""
    path = tmp_path / name
    path.write_bytes(content)
    registry = Registry.collect(get_plugin_manager())  # installed plugins too, as the CLI
    with pytest.raises(FactsError) as info:
        load_facts(path, registry)
    assert (info.value.origin, info.value.message) == (str(path), message)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda tmp: tmp / "missing.toml", "file not found", id="missing"),
        pytest.param(lambda tmp: tmp / "missing.yaml", "file not found", id="missing-yaml"),
        pytest.param(lambda tmp: tmp, "is a directory, not a file", id="directory"),
        pytest.param(
            lambda tmp: (tmp / "facts.toml").mkdir() or tmp / "facts.toml",
            "is a directory, not a file",
            id="directory-named-toml",
        ),
    ],
)
def test_unreadable_facts_path(
    tmp_path: Path, runner: CliRunner, make: Callable[[Path], Path], message: str
) -> None:
    """A facts path that does not exist or is a folder is named with what is wrong."""
    path = make(tmp_path)
    result = runner.invoke(cli, ["audit", str(path)])
    assert_clean_error(result)
    assert result.stderr == (
        f"Error: {path}: {message}\n1 of 1 facts file(s) could not be assessed.\n"
    )


def test_batch_carries_on_past_a_bad_facts_file(tmp_path: Path, runner: CliRunner) -> None:
    """`audit good bad good2` reports both good partnerships, names the bad file, exits 2."""
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    result = runner.invoke(cli, ["audit", str(NORTHFIELD), str(bad), str(RIVERSIDE)])
    assert_clean_error(result)
    assert "Partnership: Northfield Healthy Communities Alliance\n" in result.stdout
    assert "Partnership: Riverside Learning Partnership\n" in result.stdout
    assert result.stdout.count("\nPartnership: ") == 2  # one report per good file
    assert str(bad) not in result.stdout
    assert result.stderr == (
        f"Error: {bad}: the facts must be a JSON object (a table of facts),"
        " not a list (JSON array)\n1 of 3 facts file(s) could not be assessed.\n"
    )


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["audit", "--ruleset", "agrement", str(NORTHFIELD)], id="audit"),
        pytest.param(["rulesets", "show", "agrement"], id="show"),
        pytest.param(["rulesets", "test", "agrement"], id="test"),
    ],
)
def test_unknown_ruleset_id_suggests_the_nearest(runner: CliRunner, args: list[str]) -> None:
    """A misspelt ruleset id gets "did you mean" and the list of rulesets, exit 2."""
    result = runner.invoke(cli, ["--no-plugins", *args])  # only the shipped rulesets
    assert_clean_error(result)
    assert result.stderr == (
        "Error: no ruleset with id 'agrement' and no such file; did you mean 'agreement'?"
        " (available rulesets: agreement, benefits-costs-risks, good-partner, ladder,"
        " partnership-checklist, planning-sheet, stages, stakeholders, success-factors)\n"
    )


def test_unknown_format_suggests_the_nearest(runner: CliRunner) -> None:
    """`--format jsn` is a usage error that suggests json and lists the formats, exit 2."""
    result = runner.invoke(cli, ["--no-plugins", "audit", "--format", "jsn", str(NORTHFIELD)])
    assert_clean_error(result)
    assert result.stderr.endswith(
        "Error: Invalid value for '--format': unknown format 'jsn'; did you mean 'json'?"
        " (formats: html, json, markdown, text)\n"
    )
    assert result.stdout == ""


def test_unknown_fail_on_choice_is_a_usage_error(runner: CliRunner) -> None:
    """`--fail-on` accepts only none/unknown/partial/unmet; anything else exits 2."""
    result = runner.invoke(cli, ["audit", "--fail-on", "sometimes", str(NORTHFIELD)])
    assert_clean_error(result)
    assert "Invalid value for '--fail-on'" in result.stderr
    assert "'sometimes' is not one of 'none', 'unknown', 'partial', 'unmet'" in result.stderr
