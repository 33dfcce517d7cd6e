"""The ``partnerrules`` command line: a thin click shell over the library.

Exit codes: 0 clean; 1 findings at or above ``--fail-on``; 2 usage, ruleset, facts or
plugin error (or failing ruleset test cases).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import Final
from typing import TypeVar

import click
import pluggy
from attrs import frozen

from partnerrules import __version__
from partnerrules.config import Config
from partnerrules.config import find_config
from partnerrules.config import read_config
from partnerrules.engine import Engine
from partnerrules.errors import FactsError
from partnerrules.errors import PartnerRulesError
from partnerrules.errors import did_you_mean
from partnerrules.explain import ExplainError
from partnerrules.explain import explain as explain_text
from partnerrules.loader import read_ruleset
from partnerrules.model import Report
from partnerrules.model import Status
from partnerrules.plugins import get_plugin_manager
from partnerrules.plugins import list_plugins
from partnerrules.registry import OutputOptions
from partnerrules.serde import unstructure_condition
from partnerrules.testing import run_cases
from partnerrules.vocabulary import check_facts
from partnerrules.vocabulary import json_schema
from partnerrules.vocabulary import load_vocabulary
from partnerrules.vocabulary import markdown
from partnerrules.vocabulary import readers
from partnerrules.vocabulary import template

EXIT_OK: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_ERROR: Final = 2

CONTEXT_SETTINGS: Final = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
FAIL_ON_CHOICES: Final = ("none", "unknown", "partial", "unmet")

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """An error the user can fix; printed without a traceback, exit code 2."""

    exit_code = EXIT_ERROR


def _fail(exc: PartnerRulesError) -> Failure:
    return Failure(str(exc))


def ruleset_option(f: F) -> F:
    """Add ``--ruleset`` (repeatable): a shipped ruleset id or a path to a TOML file."""
    return click.option(
        "-r",
        "--ruleset",
        "rulesets",
        multiple=True,
        metavar="ID_OR_PATH",
        help=(
            "Ruleset to use: a shipped id or a TOML file"
            " (repeatable; default: every shipped ruleset)."
        ),
    )(f)


@frozen
class _Options:
    """The group's options, for every command."""

    config_path: Path | None = None
    no_plugins: bool = False
    block: tuple[str, ...] = ()


def _options() -> _Options:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, _Options) else _Options()


def _config() -> Config | None:
    """Return the configuration: --config, else partnerrules.toml found from here."""
    options = _options()
    try:
        if options.config_path is not None:
            return read_config(options.config_path)
        return find_config(Path.cwd())
    except PartnerRulesError as exc:
        raise _fail(exc) from None


def _engine(rulesets: tuple[str, ...] | None) -> Engine:
    options = _options()
    try:
        return Engine(
            rulesets or None,
            config=_config(),
            entry_points=not options.no_plugins,
            blocked=options.block,
        )
    except PartnerRulesError as exc:
        raise _fail(exc) from None


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="partnerrules")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file (default: partnerrules.toml, or [tool.partnerrules] in a"
    " pyproject.toml, in this directory or above).",
)
@click.option("--no-plugins", is_flag=True, help="Do not load installed plugins.")
@click.option(
    "--block", multiple=True, metavar="PLUGIN", help="Do not load this plugin (repeatable)."
)
@click.pass_context
def cli(
    ctx: click.Context, config_path: Path | None, no_plugins: bool, block: tuple[str, ...]
) -> None:
    """Judge how well a partnership is set up and run, from facts and rulesets.

    Start with `partnerrules audit FACTS`. Exit codes: 0 clean, 1 findings at or
    above --fail-on, 2 usage, ruleset, facts or plugin error.
    """
    ctx.obj = _Options(config_path, no_plugins, block)


@cli.command()
@click.argument("facts", nargs=-1, required=True)
@ruleset_option
@click.option(
    "-f",
    "--format",
    "fmt",
    default="text",
    show_default=True,
    help="Output format (see `partnerrules plugins`): text, json, ...",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of the terminal.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON_CHOICES),
    default="none",
    show_default=True,
    help="Exit with 1 when a finding is at or above this status (unknown < partial < unmet).",
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Show the evidence of every finding, met ones too."
)
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the text report (default: on a terminal, unless NO_COLOR is set).",
)
def audit(
    facts: tuple[str, ...],
    rulesets: tuple[str, ...],
    fmt: str,
    output: Path | None,
    fail_on: str,
    verbose: bool,
    color: bool | None,
) -> None:
    """Assess the partnerships described in FACTS files (TOML, JSON, or what plugins load).

    Each file describes one partnership; a plugin may also load a partnership from an
    address such as `acme-crm:17`. A file that cannot be read is reported and skipped;
    the others are still assessed (and the exit code is 2).
    """
    engine = _engine(rulesets)
    spec = engine.registry.outputs.get(fmt)
    if spec is None:
        hint = did_you_mean(fmt, engine.registry.outputs)
        raise click.BadParameter(
            f"unknown format {fmt!r}{hint}"
            f" (formats: {', '.join(sorted(engine.registry.outputs))})",
            param_hint="'--format'",
        )
    reports: list[Report] = []
    bad = 0
    for path in facts:
        try:
            reports.append(engine.evaluate(engine.load_facts(path), origin=str(path)))
        except FactsError as exc:
            bad += 1
            click.echo(f"Error: {exc}", err=True)
        except PartnerRulesError as exc:  # a plugin failed: no report can be trusted
            raise _fail(exc) from None
    if color is None:
        color = output is None and "NO_COLOR" not in os.environ and _stdout_is_terminal()
    if reports:
        text = spec.render(reports, OutputOptions(verbose=verbose, color=color))
        if output is not None:
            output.write_text(text, encoding="utf-8")
            click.echo(
                f"Wrote {spec.name} report on {len(reports)} partnership(s) to {output}", err=True
            )
        else:
            click.echo(text, nl=False, color=True if color else None)
    if bad:
        click.echo(f"{bad} of {len(facts)} facts file(s) could not be assessed.", err=True)
        sys.exit(EXIT_ERROR)
    if fail_on != "none":
        threshold = Status(fail_on).rank
        if any(f.status.rank >= threshold for r in reports for f in r.findings):
            sys.exit(EXIT_FINDINGS)


def _stdout_is_terminal() -> bool:
    """Say whether standard output is a terminal (where colour is wanted by default)."""
    return sys.stdout.isatty()


@cli.command()
@click.argument("name", metavar="RULE_ID")
@ruleset_option
def explain(name: str, rulesets: tuple[str, ...]) -> None:
    """Explain a rule or a ruleset in plain words.

    RULE_ID is a rule id (RULESET:RULE_ID when several rulesets have it) or a ruleset
    id. Shows what the rule checks, generated from its conditions, the facts it reads,
    its source, severity, weight, gate and advice, and the ruleset's test cases that
    name it with the facts it reads in each. A stage model (`explain stages`) is shown
    as its stages in order, with their indicators, actions and diagnosis settings.
    """
    engine = _engine(rulesets or None)
    try:
        click.echo(explain_text(engine, name), nl=False)
    except ExplainError as exc:
        raise _fail(exc) from None


@cli.group()
def rulesets() -> None:
    """List, show, validate and test rulesets."""


@rulesets.command("list")
def rulesets_list() -> None:
    """List the shipped rulesets (and those installed plugins ship)."""
    engine = _engine(None)
    rows = [
        (r.id, r.ruleset.version, r.ruleset.kind, str(len(r.rules)), r.ruleset.title)
        for r in engine.rulesets
    ]
    headers = ("id", "version", "kind", "rules", "title")
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers[:-1])]
    for row in (headers, *rows):
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)]
        click.echo("  ".join([*cells, row[-1]]))


@rulesets.command("show")
@click.argument("ruleset")
def rulesets_show(ruleset: str) -> None:
    """Show a ruleset: its sources, groups and rules with their conditions."""
    engine = _engine((ruleset,))
    rs = engine.rulesets[0]
    info = rs.ruleset
    click.echo(f"{info.title}\n  id: {info.id}  version: {info.version}  kind: {info.kind}")
    click.echo(f"  file: {rs.origin}")
    if info.description:
        click.echo(f"\n{info.description.strip()}")
    click.echo("\nSources:")
    for source in info.sources:
        click.echo(f"  [{source.id}] {source.citation}")
    for group_id in rs.group_ids():
        group = rs.group(group_id)
        click.echo(f"\n{group.title} ({group.id})")
        for rule in (r for r in rs.rules if r.group == group_id):
            click.echo(f"  {rule.id}  {rule.title}  [{rule.severity}, weight {rule.weight:g}]")
            for key in ("applies", "when", "partial"):
                cond = getattr(rule, key)
                if cond is not None:
                    click.echo(
                        f"      {key}: {json.dumps(unstructure_condition(cond), default=str)}"
                    )
            if rule.for_each:
                click.echo(f"      for each: {rule.for_each}")
            click.echo(f"      advice: {rule.advice}")


@rulesets.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def rulesets_validate(paths: tuple[Path, ...]) -> None:
    """Check ruleset files: TOML syntax, keys, types, references and every condition."""
    try:
        registry = Engine(()).registry
    except PartnerRulesError as exc:
        raise _fail(exc) from None
    bad = 0
    for path in paths:
        try:
            rs = read_ruleset(path, registry)
        except PartnerRulesError as exc:
            bad += 1
            click.echo(f"Error: {exc}", err=True)
        else:
            click.echo(
                f"ok: {path} ({rs.id} {rs.ruleset.version},"
                f" {len(rs.rules)} rules, {len(rs.tests)} tests)"
            )
    if bad:
        sys.exit(EXIT_ERROR)


@rulesets.command("test")
@click.argument("rulesets", nargs=-1, metavar="[ID_OR_PATH]...")
def rulesets_test(rulesets: tuple[str, ...]) -> None:
    """Run the test cases rulesets carry (default: every shipped ruleset)."""
    engine = _engine(rulesets or None)
    results = [r for rs in engine.rulesets for r in run_cases(engine, rs)]
    failed = [r for r in results if not r.passed]
    for r in results:
        click.echo(f"{r.node_id} {'PASSED' if r.passed else 'FAILED'}")
    for r in failed:
        click.echo(f"\n____ {r.node_id} ____")
        for failure in r.failures:
            click.echo(f"E   {failure}")
    summary = f"{len(results) - len(failed)} passed, {len(failed)} failed"
    click.echo(f"\n{summary}")
    if failed:
        sys.exit(EXIT_ERROR)


@cli.group()
def facts() -> None:
    """The fact vocabulary: check facts files, print a template or the JSON Schema."""


@facts.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@ruleset_option
def facts_check(paths: tuple[Path, ...], rulesets: tuple[str, ...]) -> None:
    """Check facts files against the vocabulary: types, allowed values, unknown keys.

    Type errors make the exit code 2; unknown keys are warnings (a ruleset may declare
    facts of its own: those of the chosen rulesets are known too).
    """
    engine = _engine(rulesets or None)
    known = load_vocabulary().extended(f for r in engine.rulesets for f in r.facts)
    bad = 0
    for path in paths:
        try:
            document = engine.load_facts(path)
        except FactsError as exc:
            bad += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        problems = check_facts(document, known)
        errors = [p for p in problems if p.level == "error"]
        bad += bool(errors)
        for problem in problems:
            click.echo(f"{path}: {problem}", err=problem.level == "error")
        verdict = "ok" if not errors else f"{len(errors)} error(s)"
        warnings = len(problems) - len(errors)
        click.echo(f"{path}: {verdict}" + (f", {warnings} warning(s)" if warnings else ""))
    if bad:
        sys.exit(EXIT_ERROR)


@facts.command("schema")
def facts_schema() -> None:
    """Print the JSON Schema of facts documents (vocabulary version 1)."""
    click.echo(json.dumps(json_schema(load_vocabulary()), indent=2))


@facts.command("template")
def facts_template() -> None:
    """Print a commented TOML facts file for a partnership manager to fill in."""
    click.echo(template(load_vocabulary()), nl=False)


@facts.command("doc")
def facts_doc() -> None:
    """Print the vocabulary reference (Markdown), with the rules that read each fact."""
    engine = _engine(None)
    click.echo(markdown(load_vocabulary(), readers(engine.rulesets)), nl=False)


@cli.command()
@click.option("--all", "show_all", is_flag=True, help="Include the built-in plugins.")
def plugins(show_all: bool) -> None:
    """List the plugins in use, with their versions and the hooks they implement."""
    options = _options()
    config = _config()
    block = (*options.block, *(config.block if config else ()))
    with_entry_points = not options.no_plugins and (config is None or config.plugins)
    try:
        pm = get_plugin_manager(entry_points=with_entry_points, blocked=block)
    except PartnerRulesError as exc:
        raise _fail(exc) from None
    infos = [p for p in list_plugins(pm) if show_all or not p.builtin]
    if not infos:
        click.echo("No plugins installed. (Use --all to list the built-in ones.)")
        return
    for info in infos:
        where = "built-in" if info.builtin else f"{info.distribution} {info.version}"
        click.echo(f"{info.name}  ({where})")
        click.echo(f"    hooks: {', '.join(info.hooks)}")


def build_cli(pm: pluggy.PluginManager) -> click.Group:
    """Return the command group with the commands plugins add through ``register_commands``."""
    group = click.Group(
        name="partnerrules",
        commands=dict(cli.commands),
        params=list(cli.params),
        callback=cli.callback,
        help=cli.help,
        context_settings=cli.context_settings,
    )
    pm.hook.register_commands(cli=group)
    return group


def main() -> None:
    """Run the command line (the ``partnerrules`` console script)."""
    try:
        pm = get_plugin_manager(entry_points="--no-plugins" not in sys.argv[1:])
    except PartnerRulesError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    build_cli(pm)(prog_name="partnerrules")
