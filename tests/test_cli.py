"""The command line: version, help, audit in every format, exit codes, rulesets, plugins."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from partnerrules import __version__
from partnerrules.cli import cli
from partnerrules.plugins import LOAD_PLUGINS_ENV

ROOT = Path(__file__).resolve().parent.parent
NORTHFIELD = ROOT / "examples" / "northfield-health-alliance.toml"
RIVERSIDE = ROOT / "examples" / "riverside-learning-partnership.toml"
AGREEMENT = ROOT / "rulesets" / "agreement.toml"

#: Every question of the agreement ruleset, by section.
AGREEMENT_QUESTIONS = {
    "aims_objectives": ("purpose", "objectives", "success_criteria"),
    "strategy_activities": ("responsibilities", "timetable", "commitment_period"),
    "membership_decision_making": ("membership_basis", "decision_process"),
    "management_operation": (
        "governance_groups",
        "day_to_day_lead",
        "shared_task_owners",
        "ground_rules",
        "performance_review",
    ),
    "resources": ("cash", "in_kind"),
    "dispute_resolution": ("disagreements", "non_delivery"),
    "information": ("items_shared", "sensitive_data"),
    "evaluation": ("partnership_level", "partner_level", "learning"),
    "ending": ("end_of_term", "early_withdrawal"),
    "risk_assessment": ("risks", "responses"),
}

WriteRuleset = Callable[..., Path]


def agreement_facts(path: Path, **answers: str) -> Path:
    """Write a facts file answering every agreement question ("Clause N" unless overridden)."""
    lines = [
        '[partnership]\nname = "Complete Partnership"\nrelationship_kind = "collaborative"\n',
        '[agreement]\nform = "partnership_agreement"\n',
    ]
    n = 0
    for section, questions in AGREEMENT_QUESTIONS.items():
        lines.append(f"[agreement.sections.{section}]")
        for question in questions:
            n += 1
            lines.append(f'{question} = "{answers.get(question, f"Clause {n}")}"')
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


# --------------------------------------------------------------------------- basics


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(runner: CliRunner, flag: str) -> None:
    """`--version` and `-V` print the program name and the package version."""
    result = runner.invoke(cli, [flag])
    assert result.exit_code == 0
    assert result.stdout == f"partnerrules, version {__version__}\n"


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_lists_the_commands(runner: CliRunner, flag: str) -> None:
    """`-h` shows usage, the exit codes and every command."""
    result = runner.invoke(cli, [flag])
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: ")
    assert "Exit codes: 0 clean, 1 findings at or" in result.stdout
    assert "  -V, --version " in result.stdout
    assert "Show the version and exit." in result.stdout
    for option in ("--config FILE", "--no-plugins", "--block PLUGIN"):
        assert option in result.stdout
    commands = result.stdout.split("\nCommands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in commands] == [
        "audit",
        "explain",
        "facts",
        "plugins",
        "rulesets",
    ]


def test_audit_help_lists_its_options(runner: CliRunner) -> None:
    """`audit -h` documents --ruleset, --format, --output and --fail-on with its choices."""
    result = runner.invoke(cli, ["audit", "-h"])
    assert result.exit_code == 0
    for option in ("--ruleset", "--format", "--output", "--fail-on", "--verbose"):
        assert option in result.stdout
    assert "none|unknown|partial|unmet" in result.stdout


def test_no_facts_is_a_usage_error(runner: CliRunner) -> None:
    """`audit` without a facts file is a usage error (exit 2) that names the argument."""
    result = runner.invoke(cli, ["audit"])
    assert result.exit_code == 2
    assert "Missing argument 'FACTS...'" in result.stderr


# --------------------------------------------------------------------------- audit


@pytest.mark.parametrize(
    ("facts", "name", "summary"),
    [
        pytest.param(
            NORTHFIELD,
            "Northfield Healthy Communities Alliance",
            "  - Partnership agreement completeness: Undetermined: 0 of 10 elements present;\n"
            "      3 partial; 1 missing; 6 unknown: 38% complete over the 4 elements known\n",
            id="northfield",
        ),
        pytest.param(
            RIVERSIDE,
            "Riverside Learning Partnership",
            "  - Partnership agreement completeness: Substantial: 7 of 10 elements present; 2\n"
            "      partial; 0 missing; 1 unknown: 89% complete over the 9 elements known\n",
            id="riverside",
        ),
    ],
)
def test_audit_text(runner: CliRunner, facts: Path, name: str, summary: str) -> None:
    """The text report names the partnership and gives the summary and evidence to request."""
    result = runner.invoke(cli, ["audit", "-r", "agreement", str(facts)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    out = result.stdout
    assert out.startswith(f"{'=' * 80}\nPartnership: {name}\n")
    assert f"\nSummary\n-------\n{summary}" in out
    assert "\nEvidence to request\n-------------------\n" in out
    assert "Booth, J. (c. 2006). A rough guide to working in partnership." in out


def test_audit_text_riverside_evidence_to_request(runner: CliRunner) -> None:
    """Riverside's one unrecorded answer is the one piece of evidence to request."""
    result = runner.invoke(cli, ["audit", "-r", "agreement", str(RIVERSIDE)])
    requests = result.stdout.split("Evidence to request\n", 1)[1].split("\n\n", 1)[0]
    assert requests == (
        "-------------------\n"
        "  Recording these facts would settle the findings that are unknown:\n"
        "    - agreement.sections.risk_assessment.responses  (settles AGR-10.2)"
    )


@pytest.mark.parametrize(
    ("facts", "name", "statuses"),
    [
        pytest.param(
            NORTHFIELD,
            "Northfield Healthy Communities Alliance",
            {"AGR-01.1": "met", "AGR-01.2": "partial", "AGR-01.3": "unmet", "AGR-03.1": "unknown"},
            id="northfield",
        ),
        pytest.param(
            RIVERSIDE,
            "Riverside Learning Partnership",
            {"AGR-01.1": "met", "AGR-04.3": "partial", "AGR-08.2": "unmet", "AGR-10.2": "unknown"},
            id="riverside",
        ),
    ],
)
def test_audit_json(runner: CliRunner, facts: Path, name: str, statuses: dict[str, str]) -> None:
    """The JSON report parses, has schema_version 1 and a complete record of each finding."""
    result = runner.invoke(cli, ["audit", "--format", "json", "-r", "agreement", str(facts)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["schema_version"] == 1
    assert doc["generator"] == {"name": "partnerrules", "version": __version__}
    (report,) = doc["reports"]
    assert (report["partnership"], report["facts"]) == (name, str(facts))
    (assessment,) = report["assessments"]
    assert assessment["ruleset"]["id"] == "agreement"
    findings = assessment["findings"]
    assert len(findings) == 30
    for finding in findings:
        assert {"rule_id", "status", "evidence", "advice", "source"} <= finding.keys()
        assert finding["advice"]
        assert finding["source"].startswith("Booth, J. (c. 2006).")
        assert finding["evidence"]
    by_id = {f["rule_id"]: f["status"] for f in findings}
    assert {rule_id: by_id[rule_id] for rule_id in statuses} == statuses


def test_default_audit_runs_every_shipped_ruleset(runner: CliRunner) -> None:
    """Without --ruleset, every shipped assessment runs, in reading order, with a summary."""
    result = runner.invoke(cli, ["--no-plugins", "audit", "-f", "json", str(RIVERSIDE)])
    assert result.exit_code == 0, result.output
    (report,) = json.loads(result.stdout)["reports"]
    ids = [a["ruleset"]["id"] for a in report["assessments"]]
    assert ids == [
        "stages",
        "success-factors",
        "agreement",
        "ladder",
        "partnership-checklist",
        "stakeholders",
        "benefits-costs-risks",
        "good-partner",
        "planning-sheet",
    ]
    headlines = {h["ruleset"]: h for h in report["summary"]["headlines"]}
    assert headlines["stages"]["outcome"] == "functioning"
    assert headlines["stages"]["confidence"] == "high"
    assert headlines["success-factors"]["outcome"] == "strong"
    assert headlines["agreement"]["outcome"] == "substantial"
    assert headlines["ladder"]["outcome"] == "cooperation"
    assert len(report["summary"]["top_actions"]) == 5
    assert report["summary"]["stage_actions"]
    text = runner.invoke(cli, ["--no-plugins", "audit", str(RIVERSIDE)]).stdout
    assert "  - Partnership stage (the F words): Functioning (score 90%; runner-up" in text
    assert "  Recommended for this stage:\n" in text


def test_audit_json_several_partnerships(runner: CliRunner) -> None:
    """Several facts files give one JSON document with one report each, in order."""
    result = runner.invoke(cli, ["audit", "-f", "json", str(NORTHFIELD), str(RIVERSIDE)])
    assert result.exit_code == 0, result.output
    names = [r["partnership"] for r in json.loads(result.stdout)["reports"]]
    assert names == ["Northfield Healthy Communities Alliance", "Riverside Learning Partnership"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_audit_output_file(runner: CliRunner, tmp_path: Path, fmt: str) -> None:
    """`--output FILE` writes the same report to the file and says so on stderr."""
    target = tmp_path / f"report.{fmt}"
    result = runner.invoke(cli, ["audit", "-f", fmt, "-o", str(target), str(RIVERSIDE)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote {fmt} report on 1 partnership(s) to {target}\n"
    on_terminal = runner.invoke(cli, ["audit", "-f", fmt, str(RIVERSIDE)]).stdout
    assert target.read_text(encoding="utf-8") == on_terminal


def test_audit_verbose_shows_evidence_of_met_findings(runner: CliRunner) -> None:
    """`--verbose` adds the evidence of met findings, which the default report leaves out."""
    line = "         - agreement.sections.aims_objectives.purpose = "
    quiet = runner.invoke(cli, ["audit", str(RIVERSIDE)])
    loud = runner.invoke(cli, ["audit", "--verbose", str(RIVERSIDE)])
    assert line not in quiet.stdout
    assert line in loud.stdout


@pytest.mark.parametrize(
    ("fail_on", "expected"),
    [
        pytest.param("none", 0, id="none"),
        pytest.param("unknown", 1, id="unknown"),
        pytest.param("partial", 1, id="partial"),
        pytest.param("unmet", 1, id="unmet"),
    ],
)
def test_fail_on_gappy_partnership(runner: CliRunner, fail_on: str, expected: int) -> None:
    """Northfield has unmet findings, so every threshold but none exits 1."""
    result = runner.invoke(cli, ["audit", "--fail-on", fail_on, str(NORTHFIELD)])
    assert result.exit_code == expected, result.output
    assert "Partnership: Northfield Healthy Communities Alliance" in result.stdout


@pytest.mark.parametrize(
    ("answers", "worst", "fail_on", "expected"),
    [
        pytest.param({}, "met", "unmet", 0, id="complete-unmet"),
        pytest.param({}, "met", "unknown", 0, id="complete-unknown"),
        pytest.param({"ground_rules": "partly"}, "partial", "unmet", 0, id="partial-unmet"),
        pytest.param({"ground_rules": "partly"}, "partial", "partial", 1, id="partial-partial"),
        pytest.param({"ground_rules": "partly"}, "partial", "unknown", 1, id="partial-unknown"),
        pytest.param({"ground_rules": "tbd"}, "unmet", "unmet", 1, id="unmet-unmet"),
    ],
)
def test_fail_on_threshold(
    runner: CliRunner,
    tmp_path: Path,
    answers: dict[str, str],
    worst: str,
    fail_on: str,
    expected: int,
) -> None:
    """--fail-on exits 1 only for a finding at or above the threshold (unknown<partial<unmet)."""
    facts = agreement_facts(tmp_path / "facts.toml", **answers)
    args = ["audit", "-r", "agreement", "--fail-on", fail_on, "-f", "json", str(facts)]
    result = runner.invoke(cli, args)
    assert result.exit_code == expected, result.output
    assert json.loads(result.stdout)["reports"][0]["worst_status"] == worst


def test_complete_partnership_report(runner: CliRunner, tmp_path: Path) -> None:
    """A partnership that answers every question is 100% complete with nothing to request."""
    facts = agreement_facts(tmp_path / "facts.toml")
    result = runner.invoke(cli, ["audit", "-r", "agreement", str(facts)])
    assert result.exit_code == 0, result.output
    assert (
        "  - Partnership agreement completeness: Complete: 10 of 10 elements present; 0\n"
        "      partial; 0 missing; 0 unknown: 100% complete over the 10 elements known\n"
    ) in result.stdout
    assert "Evidence to request" not in result.stdout


def test_audit_with_a_ruleset_file(runner: CliRunner, tmp_ruleset: WriteRuleset) -> None:
    """`--ruleset FILE` assesses with that ruleset only."""
    path = tmp_ruleset(
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
    result = runner.invoke(cli, ["audit", "-r", str(path), "-f", "json", str(RIVERSIDE)])
    assert result.exit_code == 0, result.output
    (assessment,) = json.loads(result.stdout)["reports"][0]["assessments"]
    assert assessment["ruleset"]["id"] == "demo"
    assert [(f["rule_id"], f["status"]) for f in assessment["findings"]] == [("R1", "met")]


# --------------------------------------------------------------------------- rulesets


def test_rulesets_list(runner: CliRunner) -> None:
    """`rulesets list` shows a table of the shipped rulesets, in reading order."""
    result = runner.invoke(cli, ["--no-plugins", "rulesets", "list"])
    assert result.exit_code == 0, result.output
    rows = [line.split(None, 4) for line in result.stdout.splitlines()]
    assert rows[0] == ["id", "version", "kind", "rules", "title"]
    assert ["agreement", "1.1.0", "completeness", "30", "Partnership agreement completeness"] in (
        rows[1:]
    )
    assert [row[0] for row in rows[1:4]] == ["stages", "success-factors", "agreement"]
    assert len(rows) == 1 + 9


def test_rulesets_show(runner: CliRunner) -> None:
    """`rulesets show agreement` prints the header, sources, elements, rules and advice."""
    result = runner.invoke(cli, ["rulesets", "show", "agreement"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(
        "Partnership agreement completeness\n"
        "  id: agreement  version: 1.1.0  kind: completeness\n"
        f"  file: {AGREEMENT}\n"
    )
    assert (
        "\nSources:\n  [booth] Booth, J. (c. 2006). A rough guide to working in partnership."
        in (out)
    )
    assert "\nAims and objectives (aims-objectives)\n" in out
    assert (
        "  AGR-01.1  The agreement states why the partnership exists  [critical, weight 1]\n"
    ) in out
    assert '      when: {"all": [{"use": "agreement_may_exist"}, ' in out
    assert out.count("      advice: ") == 30


def test_rulesets_validate_shipped(runner: CliRunner) -> None:
    """`rulesets validate rulesets/agreement.toml` says ok with rule and test counts, exit 0."""
    result = runner.invoke(cli, ["rulesets", "validate", str(AGREEMENT)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: {AGREEMENT} (agreement 1.1.0, 30 rules, 9 tests)\n"
    assert result.stderr == ""


def test_rulesets_test_shipped(runner: CliRunner) -> None:
    """`rulesets test` runs every shipped ruleset's test cases, which all pass (exit 0)."""
    result = runner.invoke(cli, ["rulesets", "test"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert f"{AGREEMENT}::no-agreement-at-all PASSED" in lines
    assert "FAILED" not in result.stdout
    cases = [line for line in lines if line.endswith(" PASSED")]
    assert len(cases) > 50
    assert lines[-1] == f"{len(cases)} passed, 0 failed"


TESTED_RULESET = """
[[rules]]
id = "R1"
title = "A rule"
group = "g"
source = "src"
advice = "Record it."
when = {{ fact = "a.b", op = "filled" }}

[[tests]]
name = "recorded"
facts = {{ a = {{ b = "done" }} }}
expect = {{ R1 = "{expected}" }}

[[tests]]
name = "silent"
facts = {{}}
expect = {{ R1 = "unknown" }}
"""


def test_rulesets_test_passing(runner: CliRunner, tmp_ruleset: WriteRuleset) -> None:
    """A ruleset whose [[tests]] all hold: each case PASSED, summary, exit 0."""
    path = tmp_ruleset(TESTED_RULESET.format(expected="met"), header=True)
    result = runner.invoke(cli, ["rulesets", "test", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{path}::recorded PASSED\n{path}::silent PASSED\n\n2 passed, 0 failed\n"
    )


def test_rulesets_test_failing(runner: CliRunner, tmp_ruleset: WriteRuleset) -> None:
    """A failing test case is marked FAILED with the mismatch and what was read; exit 2."""
    path = tmp_ruleset(TESTED_RULESET.format(expected="unmet"), header=True)
    result = runner.invoke(cli, ["rulesets", "test", str(path)])
    assert result.exit_code == 2, result.output
    assert result.stdout == (
        f"{path}::recorded FAILED\n"
        f"{path}::silent PASSED\n"
        f"\n____ {path}::recorded ____\n"
        "E   R1: expected unmet, got met (read: a.b='done')\n"
        "\n1 passed, 1 failed\n"
    )


# --------------------------------------------------------------------------- plugins


def test_plugins_without_installed_plugins(runner: CliRunner) -> None:
    """`plugins` lists only installed plugins; with none it says so and points to --all."""
    result = runner.invoke(cli, ["plugins"], env={LOAD_PLUGINS_ENV: ""})
    assert result.exit_code == 0, result.output
    assert result.stdout == "No plugins installed. (Use --all to list the built-in ones.)\n"


def test_plugins_all_lists_builtins_with_hooks(runner: CliRunner) -> None:
    """`plugins --all` lists every partnerrules.builtin module and the hooks it implements."""
    result = runner.invoke(cli, ["plugins", "--all"], env={LOAD_PLUGINS_ENV: ""})
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "partnerrules.builtin.checklist  (built-in)\n    hooks: register_kinds\n"
        "partnerrules.builtin.classification  (built-in)\n    hooks: register_kinds\n"
        "partnerrules.builtin.completeness  (built-in)\n    hooks: register_kinds\n"
        "partnerrules.builtin.loaders  (built-in)\n    hooks: register_fact_loaders\n"
        "partnerrules.builtin.operators  (built-in)\n    hooks: register_operators\n"
        "partnerrules.builtin.output_html  (built-in)\n    hooks: register_outputs\n"
        "partnerrules.builtin.output_json  (built-in)\n    hooks: register_outputs\n"
        "partnerrules.builtin.output_markdown  (built-in)\n    hooks: register_outputs\n"
        "partnerrules.builtin.output_text  (built-in)\n    hooks: register_outputs\n"
        "partnerrules.builtin.rulesets  (built-in)\n    hooks: register_rulesets\n"
        "partnerrules.builtin.stages  (built-in)\n    hooks: register_kinds\n"
    )


# --------------------------------------------------------------------------- processes


def test_python_dash_m(tmp_path: Path) -> None:
    """`python -m partnerrules --version` runs the command line in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-m", "partnerrules", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"partnerrules, version {__version__}\n"


def test_console_script_audits_an_example(tmp_path: Path) -> None:
    """The installed `partnerrules` console script audits the example and exits 0."""
    script = Path(sys.executable).parent / "partnerrules"
    assert script.is_file()
    proc = subprocess.run(
        [str(script), "audit", "--fail-on", "none", str(RIVERSIDE)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Partnership: Riverside Learning Partnership\n" in proc.stdout
    assert proc.stderr == ""


def test_console_script_exit_code_on_findings(tmp_path: Path) -> None:
    """The console script passes the --fail-on exit code (1) back to the shell."""
    script = Path(sys.executable).parent / "partnerrules"
    proc = subprocess.run(
        [str(script), "audit", "--fail-on", "unmet", str(NORTHFIELD)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 1, proc.stderr
