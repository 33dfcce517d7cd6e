"""The text output: 80 columns, colour only for terminals, --verbose, findings in order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from partnerrules import Engine
from partnerrules import OutputOptions
from partnerrules import Report
from partnerrules.builtin.output_text import render_text
from partnerrules.builtin.output_text import wrap
from partnerrules.cli import cli
from partnerrules.plugins import LOAD_PLUGINS_ENV

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))
SCENARIOS = sorted((ROOT / "tests" / "scenarios").glob("*.toml"))
RIVERSIDE = ROOT / "examples" / "riverside-learning-partnership.toml"
ESC = "\x1b["

WriteRuleset = Callable[..., Path]

OPTIONS = [
    pytest.param(OutputOptions(), id="plain"),
    pytest.param(OutputOptions(verbose=True), id="verbose"),
    pytest.param(OutputOptions(color=True), id="color"),
    pytest.param(OutputOptions(verbose=True, color=True), id="verbose-color"),
]


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


@pytest.fixture(scope="module")
def engine() -> Engine:
    """An engine with every shipped ruleset."""
    return Engine()


def reports(engine: Engine, paths: list[Path]) -> list[Report]:
    """Evaluate facts files."""
    return [engine.evaluate(engine.load_facts(p), origin=str(p)) for p in paths]


def too_long(text: str) -> list[str]:
    """Return the lines wider than 80 columns once colour codes are removed."""
    return [line for line in click.unstyle(text).splitlines() if len(line) > 80]


@pytest.mark.parametrize("options", OPTIONS)
def test_every_line_of_the_examples_fits_80_columns(
    engine: Engine, options: OutputOptions
) -> None:
    """Both examples (and the scenarios), in every form of the text output, fit 80 columns."""
    text = render_text(reports(engine, [*EXAMPLES, *SCENARIOS]), options)
    assert too_long(text) == []


def test_long_names_and_paths_are_wrapped(engine: Engine) -> None:
    """A long partnership name, file path or unbroken value still fits 80 columns."""
    facts = {
        "partnership": {"name": "The " + "Very " * 30 + "Long Partnership"},
        "agreement": {"form": "x" * 200},
    }
    origin = "/very/" + "deeply/nested/" * 10 + "facts-file-with-a-long-name.toml"
    report = engine.evaluate(facts, origin=origin)
    text = render_text([report], OutputOptions(verbose=True))
    assert too_long(text) == []
    flat = "".join(line.strip() for line in text.splitlines())
    assert origin in flat  # broken after its slashes, not lost


def test_wrap_breaks_long_paths_after_separators() -> None:
    """A path too long for the line is broken after a '.' or '/', never mid-name."""
    path = "agreement.sections." + "management_operation." * 4 + "shared_task_owners"
    lines = wrap(f"- {path}", "  ", width=40)
    assert all(len(line) <= 40 for line in lines)
    assert all(line.endswith(".") for line in lines[:-1])
    assert "".join(line.strip() for line in lines) == f"- {path}"


def test_a_path_that_fits_is_not_broken() -> None:
    """A path that fits on a line of its own moves there whole."""
    lines = wrap("see the file agreement.sections.cash", width=30)
    assert lines == ["see the file", "agreement.sections.cash"]


def test_colour_codes_only_with_color(engine: Engine) -> None:
    """color=True adds ANSI codes; without it there are none."""
    rs = reports(engine, EXAMPLES)
    assert ESC not in render_text(rs, OutputOptions())
    assert ESC in render_text(rs, OutputOptions(color=True))


@pytest.mark.parametrize("verbose", [False, True])
def test_colour_never_replaces_words(engine: Engine, verbose: bool) -> None:
    """Without its colour codes the coloured report is the plain one, word for word."""
    rs = reports(engine, [*EXAMPLES, *SCENARIOS])
    plain = render_text(rs, OutputOptions(verbose=verbose))
    coloured = render_text(rs, OutputOptions(verbose=verbose, color=True))
    assert coloured != plain
    assert click.unstyle(coloured) == plain


def test_status_marks_and_words_are_coloured(engine: Engine) -> None:
    """The status mark of a finding and the heading of its group carry the colour."""
    text = render_text(reports(engine, [RIVERSIDE]), OutputOptions(color=True))
    assert f"  {click.style('[!!]', fg='red', bold=True)}  " in text
    assert click.style("Not met (", fg="red", bold=True)[:-4] in text
    assert f"  {click.style('[ok]', fg='green')}  " in text


def test_summary_comes_first_and_findings_unmet_first(engine: Engine) -> None:
    """The summary opens the report; in each assessment unmet, partial, unknown, met."""
    rank = {
        "Not met": 0,
        "Not observed": 0,
        "Partly met": 1,
        "Partly observed": 1,
        "Unknown: evidence needed": 2,
        "Not recorded": 2,
        "Met": 3,
        "Observed": 3,
        "Not applicable": 4,
    }
    text = render_text(reports(engine, [RIVERSIDE, *SCENARIOS]), OutputOptions())
    assert text.index("\nSummary\n") < text.index("  Findings:")
    for section in text.split("  Findings:\n")[1:]:
        block = section.split("\n\n", 1)[0].splitlines()
        headings = [
            line.strip().rsplit(" (", 1)[0]
            for line in block
            if line.startswith("   ") and line[3] != " "
        ]
        assert headings
        ranks = [rank[h] for h in headings]
        assert ranks == sorted(ranks), headings


# --------------------------------------------------------------------------- command


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the command line believe standard output is a terminal, without NO_COLOR."""
    monkeypatch.setattr("partnerrules.cli._stdout_is_terminal", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.mark.usefixtures("terminal")
def test_cli_colours_a_terminal(runner: CliRunner) -> None:
    """On a terminal the text report is coloured."""
    result = runner.invoke(cli, ["audit", str(RIVERSIDE)])
    assert result.exit_code == 0, result.output
    assert ESC in result.stdout


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize("value", ["1", ""])
def test_cli_respects_no_color(runner: CliRunner, value: str) -> None:
    """NO_COLOR, set to anything (even empty), turns colour off on a terminal."""
    result = runner.invoke(cli, ["audit", str(RIVERSIDE)], env={"NO_COLOR": value})
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout


@pytest.mark.usefixtures("terminal")
def test_cli_respects_no_color_option(runner: CliRunner) -> None:
    """--no-color turns colour off on a terminal."""
    result = runner.invoke(cli, ["audit", "--no-color", str(RIVERSIDE)])
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout


@pytest.mark.usefixtures("terminal")
def test_cli_does_not_colour_a_file(runner: CliRunner, tmp_path: Path) -> None:
    """A report written with --output has no colour codes."""
    target = tmp_path / "report.txt"
    result = runner.invoke(cli, ["audit", "-o", str(target), str(RIVERSIDE)])
    assert result.exit_code == 0, result.output
    assert ESC not in target.read_text(encoding="utf-8")


def test_cli_without_a_terminal_has_no_colour(runner: CliRunner) -> None:
    """Piped output (not a terminal) is not coloured."""
    result = runner.invoke(cli, ["audit", str(RIVERSIDE)])
    assert result.exit_code == 0, result.output
    assert ESC not in result.stdout


@pytest.mark.parametrize("env", [{}, {"NO_COLOR": "1"}])
def test_cli_color_option_forces_colour(runner: CliRunner, env: dict[str, str]) -> None:
    """--color colours the report even when piped, and over NO_COLOR."""
    result = runner.invoke(cli, ["audit", "--color", str(RIVERSIDE)], env=env)
    assert result.exit_code == 0, result.output
    assert ESC in result.stdout


def test_cli_help_documents_the_colour_options(runner: CliRunner) -> None:
    """`audit -h` lists --color / --no-color and mentions NO_COLOR."""
    result = runner.invoke(cli, ["audit", "-h"])
    assert "--color / --no-color" in result.stdout
    assert "NO_COLOR" in result.stdout


def test_cli_verbose_adds_the_evidence_of_met_findings(
    runner: CliRunner, tmp_ruleset: WriteRuleset, tmp_path: Path
) -> None:
    """--verbose shows the facts a met finding read; without it they are left out."""
    ruleset = tmp_ruleset(
        """
        [[rules]]
        id = "R1"
        title = "The partnership has a name"
        group = "basics"
        source = "src"
        advice = "Name it."
        when = { fact = "partnership.name", op = "filled" }
        """,
        header=True,
    )
    facts = tmp_path / "facts.toml"
    facts.write_text('[partnership]\nname = "Acme"\n', encoding="utf-8")
    line = '         - partnership.name = "Acme"\n'
    quiet = runner.invoke(cli, ["audit", "-r", str(ruleset), str(facts)])
    loud = runner.invoke(cli, ["audit", "-r", str(ruleset), "--verbose", str(facts)])
    assert quiet.exit_code == loud.exit_code == 0
    assert "  [ok]  R1  The partnership has a name\n" in quiet.stdout
    assert line not in quiet.stdout
    assert f"  [ok]  R1  The partnership has a name\n{line}" in loud.stdout
