"""The plugin manager: built-ins, extra plugins, installed (entry-point) plugins, failures."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

import click
import pluggy
import pytest
from click.testing import CliRunner

from partnerrules import Assessment
from partnerrules import Engine
from partnerrules import Finding
from partnerrules import OutputOptions
from partnerrules import Report
from partnerrules import Ruleset
from partnerrules import Status
from partnerrules import Test
from partnerrules import hookimpl
from partnerrules.cli import build_cli
from partnerrules.cli import cli
from partnerrules.errors import DuplicateRegistrationError
from partnerrules.errors import PluginError
from partnerrules.errors import RulesetError
from partnerrules.loader import load_facts
from partnerrules.loader import read_ruleset
from partnerrules.plugins import DEFAULT_PLUGINS
from partnerrules.plugins import LOAD_PLUGINS_ENV
from partnerrules.plugins import PluginInfo
from partnerrules.plugins import get_plugin_manager
from partnerrules.plugins import list_plugins
from partnerrules.registry import Registry
from partnerrules.registry import ValueKind

WriteRuleset = Callable[..., Path]

BUILTIN_OPERATORS = {
    "!=", "<", "<=", "==", ">", ">=", "at_least", "contains", "contains_all", "contains_any",
    "exists", "filled", "in", "judged", "missing", "no", "not_in", "partly", "yes",
}  # fmt: skip


def rule_using(op: str) -> str:
    """Return a [[rules]] table whose condition applies ``op`` to the fact ``motto``."""
    return f"""
        [[rules]]
        id = "R1"
        title = "The motto is shouted"
        group = "style"
        source = "src"
        advice = "Shout it."
        when = {{ fact = "motto", op = "{op}" }}
        """


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


# --------------------------------------------------------------------------- built-ins


def test_every_default_plugin_is_registered(pm: pluggy.PluginManager) -> None:
    """A manager without entry points holds exactly the built-in plugins, by module name."""
    assert [name for name, _ in pm.list_name_plugin()] == list(DEFAULT_PLUGINS)
    for name in DEFAULT_PLUGINS:
        assert pm.get_plugin(name) is sys.modules[name]


@pytest.mark.parametrize(
    ("plugin", "table", "names"),
    [
        pytest.param("partnerrules.builtin.operators", "operators", BUILTIN_OPERATORS, id="ops"),
        pytest.param("partnerrules.builtin.checklist", "kinds", {"checklist"}, id="checklist"),
        pytest.param(
            "partnerrules.builtin.completeness", "kinds", {"completeness"}, id="completeness"
        ),
        pytest.param("partnerrules.builtin.stages", "kinds", {"stages"}, id="stages"),
        pytest.param(
            "partnerrules.builtin.classification", "kinds", {"classification"}, id="classify"
        ),
        pytest.param("partnerrules.builtin.loaders", "fact_loaders", {"toml", "json"}, id="facts"),
        pytest.param("partnerrules.builtin.output_text", "outputs", {"text"}, id="text"),
        pytest.param("partnerrules.builtin.output_json", "outputs", {"json"}, id="json"),
    ],
)
def test_builtin_contributes_through_hooks(
    registry: Registry, plugin: str, table: str, names: set[str]
) -> None:
    """Each built-in plugin registers its operators, kinds, loaders or outputs under its name."""
    contributed = {
        name for name, spec in getattr(registry, table).items() if spec.plugin == plugin
    }
    assert contributed == names


def test_builtin_rulesets_plugin_ships_the_rulesets_in_reading_order(registry: Registry) -> None:
    """The rulesets plugin registers every shipped ruleset, in the order reports read."""
    assert [(Path(str(r.location)).stem, r.plugin) for r in registry.rulesets] == [
        (name, "partnerrules.builtin.rulesets")
        for name in (
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
    ]


def test_registry_tables_are_complete(registry: Registry) -> None:
    """The registry of the built-ins holds exactly the built-in contributions."""
    assert set(registry.operators) == BUILTIN_OPERATORS
    assert set(registry.kinds) == {"checklist", "completeness", "stages", "classification"}
    assert set(registry.fact_loaders) == {"toml", "json"}
    assert set(registry.outputs) == {"text", "json", "markdown", "html"}
    assert registry.loader_for("Facts.TOML") is registry.fact_loaders["toml"]
    assert registry.loader_for("facts.json") is registry.fact_loaders["json"]
    assert registry.loader_for("facts.yaml") is None


@pytest.mark.parametrize(
    ("blocked", "table", "left"),
    [
        pytest.param(
            "partnerrules.builtin.output_json",
            "outputs",
            {"text", "markdown", "html"},
            id="output_json",
        ),
        pytest.param(
            "partnerrules.builtin.output_text",
            "outputs",
            {"json", "markdown", "html"},
            id="output_text",
        ),
        pytest.param(
            "partnerrules.builtin.checklist",
            "kinds",
            {"completeness", "stages", "classification"},
            id="checklist",
        ),
        pytest.param("partnerrules.builtin.loaders", "fact_loaders", set(), id="loaders"),
        pytest.param("partnerrules.builtin.operators", "operators", set(), id="operators"),
    ],
)
def test_blocked_builtin_is_skipped(blocked: str, table: str, left: set[str]) -> None:
    """`blocked=[name]` leaves a built-in plugin out, and with it what it contributes."""
    pm = get_plugin_manager(entry_points=False, blocked=[blocked])
    assert pm.get_plugin(blocked) is None
    assert pm.is_blocked(blocked)
    assert [n for n, p in pm.list_name_plugin() if p is not None] == [
        n for n in DEFAULT_PLUGINS if n != blocked
    ]
    assert set(getattr(Registry.collect(pm), table)) == left


def test_blocked_rulesets_plugin_ships_nothing() -> None:
    """Blocking the rulesets plugin leaves an engine with no shipped rulesets."""
    engine = Engine(entry_points=False, blocked=["partnerrules.builtin.rulesets"])
    assert engine.rulesets == ()
    assert engine.registry.rulesets == ()


# --------------------------------------------------------------------------- extra plugins


def compile_shouts(value: object) -> Test:
    """Compile the `shouts` operator: the fact is text written in capitals."""

    def test(fact: object) -> bool | None:
        return fact.isupper() if isinstance(fact, str) else None

    return test


class OperatorPlugin:
    """Adds the `shouts` operator."""

    @hookimpl
    def register_operators(self, register: Callable[..., None]) -> None:
        """Register `shouts`."""
        register("shouts", compile_shouts, description="the text is in capitals")


def test_extra_plugin_adds_an_operator(tmp_ruleset: WriteRuleset) -> None:
    """An operator from an extra plugin passes validation and decides rules."""
    pm = get_plugin_manager(entry_points=False, plugins=[OperatorPlugin()])
    registry = Registry.collect(pm)
    spec = registry.operators["shouts"]
    assert (spec.plugin, spec.value, spec.reads_absent) == (
        "OperatorPlugin",
        ValueKind.NONE,
        False,
    )
    path = tmp_ruleset(rule_using("shouts"), header=True)
    assert read_ruleset(path, registry).rules[0].id == "R1"
    engine = Engine([path], plugins=[OperatorPlugin()], entry_points=False)
    statuses = [
        engine.evaluate(facts).assessment("demo").findings[0].status
        for facts in ({"motto": "WE WIN"}, {"motto": "we win"}, {})
    ]
    assert statuses == [Status.MET, Status.UNMET, Status.UNKNOWN]


def test_operator_is_unknown_without_its_plugin(
    tmp_ruleset: WriteRuleset, registry: Registry
) -> None:
    """Without the plugin the same ruleset is rejected: the operator came from the plugin."""
    path = tmp_ruleset(rule_using("shouts"), header=True)
    with pytest.raises(RulesetError, match=r"unknown operator 'shouts'"):
        read_ruleset(path, registry)


def render_count(reports: Sequence[Report], options: OutputOptions) -> str:
    """Render the number of findings of each partnership."""
    return "".join(f"{r.partnership}: {len(r.findings)}\n" for r in reports)


class OutputPlugin:
    """Adds the `count` output."""

    @hookimpl
    def register_outputs(self, register: Callable[..., None]) -> None:
        """Register `count`."""
        register("count", render_count, description="findings per partnership", extension=".n")


def test_extra_plugin_adds_an_output() -> None:
    """An output from an extra plugin is in the registry and renders reports."""
    engine = Engine(["agreement"], plugins=[OutputPlugin()], entry_points=False)
    spec = engine.registry.outputs["count"]
    assert (spec.name, spec.extension, spec.plugin) == ("count", ".n", "OutputPlugin")
    report = engine.evaluate({"partnership": {"name": "Acme"}})
    assert spec.render([report], OutputOptions()) == "Acme: 30\n"  # the agreement's rules


def load_lines(data: bytes, origin: str) -> Mapping[str, object]:
    """Load `key: value` lines."""
    pairs = (line.split(":", 1) for line in data.decode("utf-8").splitlines() if line.strip())
    return {key.strip(): value.strip() for key, value in pairs}


class LoaderPlugin:
    """Adds a loader for `.facts` files."""

    @hookimpl
    def register_fact_loaders(self, register: Callable[..., None]) -> None:
        """Register the `lines` loader."""
        register("lines", load_lines, extensions=["FACTS"])


def test_extra_plugin_adds_a_fact_loader(tmp_path: Path, tmp_ruleset: WriteRuleset) -> None:
    """A fact loader from an extra plugin loads files with its (normalised) extension."""
    registry = Registry.collect(get_plugin_manager(entry_points=False, plugins=[LoaderPlugin()]))
    spec = registry.fact_loaders["lines"]
    assert (spec.extensions, spec.plugin) == ((".facts",), "LoaderPlugin")
    assert registry.loader_for("club.facts") is spec
    path = tmp_path / "club.facts"
    path.write_text("motto: WE WIN\nsize: 12\n", encoding="utf-8")
    assert load_facts(path, registry) == {"motto": "WE WIN", "size": "12"}
    ruleset = tmp_ruleset(rule_using("filled"), header=True)
    engine = Engine([ruleset], plugins=[LoaderPlugin()], entry_points=False)
    report = engine.evaluate(engine.load_facts(path), origin=str(path))
    assert report.assessment("demo").findings[0].status is Status.MET


def assess_tally(ruleset: Ruleset, findings: Sequence[Finding]) -> Assessment:
    """Count the met findings."""
    met = sum(f.status is Status.MET for f in findings)
    return Assessment(ruleset.ruleset, tuple(findings), verdict=f"{met} of {len(findings)} met")


TALLY_HEADER = """
    [ruleset]
    id = "demo"
    version = "1.0.0"
    kind = "tally"
    title = "Demo"

    [[ruleset.sources]]
    id = "src"
    author = "Author, A."
    year = "2020"
    title = "A source"

    [[facts]]
    path = "motto"
    type = "text"
    meaning = "The partnership's motto."
    """


class KindPlugin:
    """Adds the `tally` assessment kind."""

    @hookimpl
    def register_kinds(self, register: Callable[..., None]) -> None:
        """Register `tally`."""
        register("tally", assess_tally, description="counts what is met")


def test_extra_plugin_adds_an_assessment_kind(tmp_ruleset: WriteRuleset) -> None:
    """A ruleset of a kind from an extra plugin is assessed by that plugin's function."""
    path = tmp_ruleset(TALLY_HEADER + rule_using("filled"))
    with pytest.raises(RulesetError, match=r"unknown assessment kind 'tally'"):
        Engine([path], entry_points=False)
    engine = Engine([path], plugins=[KindPlugin()], entry_points=False)
    assert engine.registry.kinds["tally"].plugin == "KindPlugin"
    assessment = engine.evaluate({"motto": "Onwards"}).assessment("demo")
    assert assessment.verdict == "1 of 1 met"


class RulesetPlugin:
    """Ships a ruleset file."""

    def __init__(self, location: Path) -> None:
        self.location = location

    @hookimpl
    def register_rulesets(self, register: Callable[..., None]) -> None:
        """Register the ruleset file."""
        register(self.location)


def test_extra_plugin_ships_a_ruleset(tmp_ruleset: WriteRuleset) -> None:
    """A ruleset shipped by an extra plugin joins the shipped ones and can be chosen by id."""
    path = tmp_ruleset(rule_using("filled"), header=True)
    plugin = RulesetPlugin(path)
    registry = Registry.collect(get_plugin_manager(entry_points=False, plugins=[plugin]))
    assert [(r.location, r.plugin) for r in registry.rulesets][-1] == (path, "RulesetPlugin")
    engine = Engine(plugins=[plugin], entry_points=False)
    assert [r.id for r in engine.rulesets][-1] == "demo"
    assert "agreement" in [r.id for r in engine.rulesets]
    only = Engine(["demo"], plugins=[plugin], entry_points=False)
    assert only.evaluate({"motto": "x"}).assessment("demo").findings[0].status is Status.MET


class CommandPlugin:
    """Adds a `hello` command."""

    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        """Add `hello`."""

        @cli.command()
        @click.argument("name")
        def hello(name: str) -> None:
            """Greet NAME."""
            click.echo(f"hello, {name}")


def test_register_commands_adds_a_cli_command(runner: CliRunner) -> None:
    """`register_commands` adds a command to build_cli's group, not to the base group."""
    group = build_cli(get_plugin_manager(entry_points=False, plugins=[CommandPlugin()]))
    assert set(group.commands) == {"audit", "explain", "facts", "plugins", "rulesets", "hello"}
    assert "hello" not in cli.commands
    result = runner.invoke(group, ["hello", "Ada"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "hello, Ada\n"
    help_text = runner.invoke(group, ["-h"]).stdout
    assert "  hello     Greet NAME.\n" in help_text


def test_build_cli_without_plugins_has_the_base_commands(runner: CliRunner) -> None:
    """build_cli with only the built-ins gives the same commands and version option."""
    group = build_cli(get_plugin_manager(entry_points=False))
    assert set(group.commands) == set(cli.commands)
    assert runner.invoke(group, ["--version"]).stdout.endswith("version 0.1.0\n")


def test_extra_plugin_as_a_module() -> None:
    """A module passed in `plugins` is registered under its module name."""
    module = sys.modules[__name__]
    pm = get_plugin_manager(entry_points=False, plugins=[module])
    assert pm.get_plugin(__name__) is module
    assert pm.get_name(module) == __name__


def test_two_instances_of_one_plugin_class_get_distinct_names() -> None:
    """Two instances of one plugin class are both registered, the second under a unique name."""
    first, second = CommandPlugin(), CommandPlugin()
    pm = get_plugin_manager(entry_points=False, plugins=[first, second])
    assert pm.get_name(first) == "CommandPlugin"
    assert pm.get_name(second) == f"CommandPlugin@{id(second):x}"


# --------------------------------------------------------------------------- failures


class DuplicateOperator:
    """Registers the built-in operator name `filled` again."""

    @hookimpl
    def register_operators(self, register: Callable[..., None]) -> None:
        """Register `filled`."""
        register("filled", compile_shouts)


class DuplicateOutput:
    """Registers the built-in output name `text` again."""

    @hookimpl
    def register_outputs(self, register: Callable[..., None]) -> None:
        """Register `text`."""
        register("text", render_count)


class DuplicateKind:
    """Registers the built-in kind `checklist` again."""

    @hookimpl
    def register_kinds(self, register: Callable[..., None]) -> None:
        """Register `checklist`."""
        register("checklist", assess_tally)


class DuplicateExtension:
    """Registers a new loader for the `.toml` extension the built-in loader owns."""

    @hookimpl
    def register_fact_loaders(self, register: Callable[..., None]) -> None:
        """Register `mytoml`."""
        register("mytoml", load_lines, extensions=[".toml"])


@pytest.mark.parametrize(
    ("plugin", "what", "name", "first"),
    [
        pytest.param(
            DuplicateOperator(), "operator", "filled", "partnerrules.builtin.operators", id="op"
        ),
        pytest.param(
            DuplicateOutput(), "output", "text", "partnerrules.builtin.output_text", id="output"
        ),
        pytest.param(
            DuplicateKind(),
            "assessment kind",
            "checklist",
            "partnerrules.builtin.checklist",
            id="kind",
        ),
        pytest.param(
            DuplicateExtension(),
            "fact loader extension",
            ".toml",
            "partnerrules.builtin.loaders",
            id="extension",
        ),
    ],
)
def test_duplicate_registration_names_both_plugins(
    plugin: object, what: str, name: str, first: str
) -> None:
    """Registering a name a built-in has is refused, naming the newcomer and the built-in."""
    pm = get_plugin_manager(entry_points=False, plugins=[plugin])
    with pytest.raises(DuplicateRegistrationError) as info:
        Registry.collect(pm)
    second = type(plugin).__name__
    exc = info.value
    assert (exc.what, exc.name, exc.first, exc.second, exc.plugin) == (
        what,
        name,
        first,
        second,
        second,
    )
    assert (
        str(exc) == f"plugin {second!r}: {what} {name!r} is already registered by plugin {first!r}"
    )


def test_duplicate_between_two_extra_plugins() -> None:
    """Two extra plugins with the same operator: the later one is blamed."""

    class Shouty:
        @hookimpl
        def register_operators(self, register: Callable[..., None]) -> None:
            register("shouts", compile_shouts)

    pm = get_plugin_manager(entry_points=False, plugins=[OperatorPlugin(), Shouty()])
    with pytest.raises(DuplicateRegistrationError) as info:
        Registry.collect(pm)
    assert str(info.value) == (
        "plugin 'Shouty': operator 'shouts' is already registered by plugin 'OperatorPlugin'"
    )


def test_duplicate_registration_stops_the_engine() -> None:
    """An engine is not built on a registry with a duplicate name."""
    with pytest.raises(DuplicateRegistrationError, match="operator 'filled'"):
        Engine(plugins=[DuplicateOperator()], entry_points=False)


class Misspelt:
    """Implements `register_operator` (no s), a hook that does not exist."""

    @hookimpl
    def register_operator(self, register: Callable[..., None]) -> None:
        """Never called."""
        register("shouts", compile_shouts)  # pragma: no cover


class WrongArgument:
    """Implements `register_operators` with an argument the hook does not pass."""

    @hookimpl
    def register_operators(self, regsiter: Callable[..., None]) -> None:
        """Never called."""
        regsiter("shouts", compile_shouts)  # pragma: no cover


def test_misspelt_hook_fails_at_construction() -> None:
    """A hookimpl for an unknown hook is a PluginError naming the plugin and the real hooks."""
    with pytest.raises(PluginError) as info:
        get_plugin_manager(entry_points=False, plugins=[Misspelt()])
    assert info.value.plugin == "Misspelt"
    message = str(info.value)
    assert message.startswith("plugin 'Misspelt': unknown hook 'register_operator' in plugin")
    assert message.endswith(
        "(is the hook name misspelt? the known hooks are: after_report, prepare_facts,"
        " register_checks, register_commands, register_fact_loaders, register_kinds,"
        " register_operators, register_outputs, register_rulesets)"
    )
    assert isinstance(info.value.original_exception, pluggy.PluginValidationError)


def test_hookimpl_with_a_wrong_argument_fails_at_construction() -> None:
    """A hookimpl whose argument the hook does not pass is a PluginError, not a pluggy error."""
    with pytest.raises(PluginError) as info:
        get_plugin_manager(entry_points=False, plugins=[WrongArgument()])
    assert info.value.plugin == "WrongArgument"
    assert "Argument(s) {'regsiter'} are declared in the hookimpl" in str(info.value)


def test_registering_the_same_plugin_twice_is_a_plugin_error() -> None:
    """The same plugin object given twice is reported as a PluginError."""
    plugin = OperatorPlugin()
    with pytest.raises(PluginError) as info:
        get_plugin_manager(entry_points=False, plugins=[plugin, plugin])
    assert info.value.plugin == "OperatorPlugin"


class Broken:
    """An output hook that raises."""

    @hookimpl
    def register_outputs(self, register: Callable[..., None]) -> None:
        """Fail."""
        raise RuntimeError("boom")


class NotCallable:
    """Registers an operator whose compile function is not callable."""

    @hookimpl
    def register_operators(self, register: Callable[..., None]) -> None:
        """Register junk."""
        register("junk", "not a function")


class BadValueKind:
    """Registers an operator with an unknown value kind."""

    @hookimpl
    def register_operators(self, register: Callable[..., None]) -> None:
        """Register with value='text'."""
        register("texty", compile_shouts, value="text")


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        pytest.param(
            Broken(),
            "plugin 'Broken': hook register_outputs raised RuntimeError: boom",
            id="raises",
        ),
        pytest.param(
            NotCallable(),
            "plugin 'NotCallable': operator 'junk': expected a callable, got 'not a function'",
            id="not-callable",
        ),
        pytest.param(
            BadValueKind(),
            "plugin 'BadValueKind': operator 'texty': unknown value kind 'text'",
            id="bad-value-kind",
        ),
    ],
)
def test_misbehaving_hook_is_a_plugin_error(plugin: object, message: str) -> None:
    """A hook that raises or registers junk is a PluginError naming the plugin."""
    pm = get_plugin_manager(entry_points=False, plugins=[plugin])
    with pytest.raises(PluginError) as info:
        Registry.collect(pm)
    assert info.value.plugin == type(plugin).__name__
    assert str(info.value) == message


def test_raising_hook_keeps_the_original_exception() -> None:
    """The PluginError of a raising hook carries the plugin's own exception."""
    pm = get_plugin_manager(entry_points=False, plugins=[Broken()])
    with pytest.raises(PluginError) as info:
        Registry.collect(pm)
    original = info.value.original_exception
    assert isinstance(original, RuntimeError)
    assert str(original) == "boom"


# --------------------------------------------------------------------------- entry points

PRTEST_MODULE = """
from partnerrules import hookimpl


def _compile(value):
    def test(fact):
        return isinstance(fact, str) and fact.startswith("pr-")

    return test


@hookimpl
def register_operators(register):
    register("prtest_tagged", _compile, description="the fact starts with pr-")
"""


@pytest.fixture
def install_dist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], Path]]:
    """Make `prtest_plugin` importable and installed as distribution prtest-plugin 1.0."""

    def install(source: str) -> Path:
        site = tmp_path / "site"
        site.mkdir()
        (site / "prtest_plugin.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = site / "prtest_plugin-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: prtest-plugin\nVersion: 1.0\n", encoding="utf-8"
        )
        (info / "entry_points.txt").write_text(
            "[partnerrules]\nprtest = prtest_plugin\n", encoding="utf-8"
        )
        monkeypatch.syspath_prepend(str(site))
        # Other plugins may be installed in the environment (CI installs the repository's
        # own): load only this one unless a test chooses otherwise.
        monkeypatch.setenv(LOAD_PLUGINS_ENV, "prtest")
        return site

    assert "prtest_plugin" not in sys.modules
    yield install
    sys.modules.pop("prtest_plugin", None)


def test_entry_point_plugin_is_discovered(install_dist: Callable[[str], Path]) -> None:
    """An installed distribution's entry point is loaded, named and listed with its version."""
    site = install_dist(PRTEST_MODULE)
    pm = get_plugin_manager()
    plugin = pm.get_plugin("prtest")
    assert plugin is sys.modules["prtest_plugin"]
    assert Path(plugin.__file__).parent == site
    assert list_plugins(pm)[-1] == PluginInfo(
        name="prtest",
        version="1.0",
        distribution="prtest-plugin",
        hooks=("register_operators",),
        builtin=False,
    )
    assert [p.name for p in list_plugins(pm) if p.builtin] == sorted(DEFAULT_PLUGINS)
    spec = Registry.collect(pm).operators["prtest_tagged"]
    assert spec.plugin == "prtest"


def test_entry_point_operator_works_in_an_audit(
    install_dist: Callable[[str], Path],
    tmp_ruleset: WriteRuleset,
    tmp_path: Path,
    runner: CliRunner,
) -> None:
    """The CLI picks up the installed plugin: a ruleset using its operator audits cleanly."""
    install_dist(PRTEST_MODULE)
    ruleset = tmp_ruleset(rule_using("prtest_tagged"), header=True)
    facts = tmp_path / "facts.json"
    facts.write_text('{"motto": "pr-onwards"}', encoding="utf-8")
    result = runner.invoke(cli, ["audit", "-r", str(ruleset), "--fail-on", "unknown", str(facts)])
    assert result.exit_code == 0, result.output
    assert "[ok]  R1  The motto is shouted" in result.stdout


@pytest.mark.parametrize(
    ("env", "loaded"),
    [
        pytest.param("", False, id="empty"),
        pytest.param("someother", False, id="other-name"),
        pytest.param("someother, prtest", True, id="listed"),
        pytest.param("prtest-plugin", True, id="distribution-name"),
    ],
)
def test_load_plugins_env_selects_entry_points(
    install_dist: Callable[[str], Path],
    monkeypatch: pytest.MonkeyPatch,
    env: str,
    loaded: bool,
) -> None:
    """PARTNERRULES_LOAD_PLUGINS loads only the installed plugins it names; empty loads none."""
    install_dist(PRTEST_MODULE)
    monkeypatch.setenv(LOAD_PLUGINS_ENV, env)
    pm = get_plugin_manager()
    assert (pm.get_plugin("prtest") is not None) is loaded
    assert [n for n, _ in pm.list_name_plugin()][: len(DEFAULT_PLUGINS)] == list(DEFAULT_PLUGINS)


def test_load_only_overrides_the_environment(
    install_dist: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An explicit `load_only` wins over PARTNERRULES_LOAD_PLUGINS."""
    install_dist(PRTEST_MODULE)
    monkeypatch.setenv(LOAD_PLUGINS_ENV, "")
    assert get_plugin_manager(load_only=["prtest"]).get_plugin("prtest") is not None
    monkeypatch.setenv(LOAD_PLUGINS_ENV, "prtest")
    assert get_plugin_manager(load_only=[]).get_plugin("prtest") is None


@pytest.mark.parametrize("blocked", ["prtest", "prtest-plugin"])
def test_blocked_entry_point_is_skipped(install_dist: Callable[[str], Path], blocked: str) -> None:
    """`blocked` skips an installed plugin by entry-point or distribution name, unimported."""
    install_dist(PRTEST_MODULE)
    pm = get_plugin_manager(blocked=[blocked])
    assert pm.get_plugin("prtest") is None
    assert "prtest_plugin" not in sys.modules
    assert "prtest_tagged" not in Registry.collect(pm).operators


def test_entry_points_false_skips_installed_plugins(
    install_dist: Callable[[str], Path],
) -> None:
    """`entry_points=False` loads no installed plugin at all."""
    install_dist(PRTEST_MODULE)
    pm = get_plugin_manager(entry_points=False)
    assert pm.get_plugin("prtest") is None
    assert "prtest_plugin" not in sys.modules


def test_cli_plugins_lists_the_entry_point(
    install_dist: Callable[[str], Path], runner: CliRunner
) -> None:
    """`plugins` lists the installed plugin with its distribution, version and hooks."""
    install_dist(PRTEST_MODULE)
    result = runner.invoke(cli, ["plugins"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "prtest  (prtest-plugin 1.0)\n    hooks: register_operators\n"
    everything = runner.invoke(cli, ["plugins", "--all"]).stdout
    assert everything.startswith("partnerrules.builtin.checklist  (built-in)\n")
    assert everything.endswith("prtest  (prtest-plugin 1.0)\n    hooks: register_operators\n")


def test_cli_plugins_respects_the_environment(
    install_dist: Callable[[str], Path], runner: CliRunner
) -> None:
    """With PARTNERRULES_LOAD_PLUGINS empty, `plugins` shows no installed plugin."""
    install_dist(PRTEST_MODULE)
    result = runner.invoke(cli, ["plugins"], env={LOAD_PLUGINS_ENV: ""})
    assert result.exit_code == 0, result.output
    assert result.stdout == "No plugins installed. (Use --all to list the built-in ones.)\n"


def test_broken_entry_point_is_a_plugin_error(
    install_dist: Callable[[str], Path], runner: CliRunner
) -> None:
    """An installed plugin that fails to import is named by distribution and entry point."""
    install_dist("raise ImportError('needs the frobnicator package')\n")
    with pytest.raises(PluginError) as info:
        get_plugin_manager()
    assert str(info.value) == (
        "plugin 'prtest-plugin[prtest]': could not be loaded:"
        " ImportError: needs the frobnicator package"
    )
    result = runner.invoke(cli, ["plugins"])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stderr == (
        "Error: plugin 'prtest-plugin[prtest]': could not be loaded:"
        " ImportError: needs the frobnicator package\n"
    )


def test_entry_point_with_a_misspelt_hook_is_a_plugin_error(
    install_dist: Callable[[str], Path],
) -> None:
    """An installed plugin implementing an unknown hook is refused, named by entry point."""
    install_dist(
        """
        from partnerrules import hookimpl

        @hookimpl
        def register_operator(register):
            pass
        """
    )
    with pytest.raises(PluginError) as info:
        get_plugin_manager()
    assert info.value.plugin == "prtest"
    assert "unknown hook 'register_operator'" in str(info.value)
