"""The YAML fact loader: same facts as TOML, safe loading, clear errors, real entry point."""

from __future__ import annotations

import datetime
from importlib import metadata
from pathlib import Path

import partnerrules_yaml
import pytest
from click.testing import CliRunner

from partnerrules import Engine
from partnerrules import FactsError
from partnerrules import get_plugin_manager
from partnerrules import report_as_dict
from partnerrules.cli import build_cli
from partnerrules.plugins import LOAD_PLUGINS_ENV
from partnerrules.plugins import PluginInfo
from partnerrules.plugins import list_plugins
from partnerrules.registry import Registry

HERE = Path(__file__).resolve().parent
NORTHFIELD_YAML = HERE / "northfield.yaml"
#: The example shipped with partnerrules, in the same repository as this plugin.
NORTHFIELD_TOML = HERE.parents[2] / "examples" / "northfield-health-alliance.toml"
DISTRIBUTION = "partnerrules-yaml"


@pytest.fixture(autouse=True)
def _no_plugin_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the environment of the test run from choosing installed plugins."""
    monkeypatch.delenv(LOAD_PLUGINS_ENV, raising=False)


@pytest.fixture(scope="module")
def engine() -> Engine:
    """An engine with the agreement ruleset and this plugin (given directly, not installed).

    Registering the module itself tests this checkout's code whether or not (and at
    whatever version) the distribution is installed; the entry-point tests below use the
    installed distribution.
    """
    return Engine(["agreement"], entry_points=False, plugins=[partnerrules_yaml])


@pytest.fixture
def installed() -> metadata.Distribution:
    """The installed partnerrules-yaml distribution; skip when it is not installed."""
    try:
        return metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pytest.skip(
            f"{DISTRIBUTION} is not installed, so its entry point cannot be tested:"
            " run `pip install ./plugins/partnerrules-yaml` (CI does)"
        )


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a facts file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def comparable(engine: Engine, path: Path) -> dict[str, object]:
    """Load and evaluate a facts file; return the JSON report without the file's name."""
    report = report_as_dict(engine.evaluate(engine.load_facts(path), origin=str(path)))
    assert report.pop("facts") == str(path)
    return report


# --------------------------------------------------------------------------- same facts


def test_northfield_yaml_gives_the_same_report_as_the_toml_example(engine: Engine) -> None:
    """The hand-written YAML twin of the shipped example reads as the same facts and report."""
    assert NORTHFIELD_TOML.is_file(), f"the TOML example is missing: {NORTHFIELD_TOML}"
    yaml_facts = engine.load_facts(NORTHFIELD_YAML)
    assert yaml_facts == engine.load_facts(NORTHFIELD_TOML)
    partnership = yaml_facts["partnership"]
    assert partnership["name"] == "Northfield Healthy Communities Alliance"
    assert partnership["formed_on"] == datetime.date(2025, 4, 1)  # a YAML date, as in TOML
    report = comparable(engine, NORTHFIELD_YAML)
    assert report == comparable(engine, NORTHFIELD_TOML)
    assert report["partnership"] == "Northfield Healthy Communities Alliance"
    assert report["worst_status"] == "unmet"


@pytest.mark.parametrize("name", ["facts.yaml", "facts.yml", "Facts.YML"])
def test_loader_is_chosen_by_extension(engine: Engine, tmp_path: Path, name: str) -> None:
    """.yaml and .yml files (any case) are read by the yaml loader through the engine."""
    spec = engine.registry.loader_for(name)
    assert spec is not None
    assert (spec.name, spec.extensions) == ("yaml", (".yaml", ".yml"))
    path = write(tmp_path, name, "partnership:\n  name: Acme\n  size: 12\n  active: true\n")
    assert engine.load_facts(path) == {"partnership": {"name": "Acme", "size": 12, "active": True}}


def test_null_is_not_recorded(engine: Engine, tmp_path: Path) -> None:
    """A null (`timetable:` or `~`) is read as None and judged like a fact left out."""
    with_nulls = write(
        tmp_path,
        "nulls.yaml",
        "partnership:\n  name: Acme\nagreement:\n  sections:\n"
        "    strategy_activities:\n      timetable:\n      commitment_period: ~\n",
    )
    left_out = write(tmp_path, "left-out.yaml", "partnership:\n  name: Acme\n")
    facts = engine.load_facts(with_nulls)
    sections = facts["agreement"]["sections"]  # type: ignore[index]
    assert sections["strategy_activities"] == {"timetable": None, "commitment_period": None}
    assert comparable(engine, with_nulls) == comparable(engine, left_out)


def test_anchors_and_merge_keys_are_plain_yaml(engine: Engine, tmp_path: Path) -> None:
    """Anchors, aliases and `<<` merge keys work; keys written beside `<<` override."""
    path = write(
        tmp_path,
        "merge.yaml",
        "defaults: &lead {name: Ada, role: lead}\n"
        "partners:\n  - *lead\n  - <<: *lead\n    name: Grace\n",
    )
    assert engine.load_facts(path) == {
        "defaults": {"name": "Ada", "role": "lead"},
        "partners": [{"name": "Ada", "role": "lead"}, {"name": "Grace", "role": "lead"}],
    }


# --------------------------------------------------------------------------- errors

ERRORS = [
    pytest.param(
        "partnership:\n  name: Acme\n sector: health\n",
        "invalid YAML at line 3, column 2: expected <block end>, but found"
        " '<block mapping start>' (while parsing a block mapping that starts at line 1,"
        " column 1)",
        id="syntax-indentation",
    ),
    pytest.param(
        "partnership: {name: Acme\n",
        "invalid YAML at line 2, column 1: expected ',' or '}', but got '<stream end>'"
        " (while parsing a flow mapping that starts at line 1, column 14)",
        id="syntax-unclosed",
    ),
    pytest.param(
        "partnership:\n\tname: Acme\n",
        "invalid YAML at line 2, column 1: found character '\\t' that cannot start any token",
        id="syntax-tab",
    ),
    pytest.param(
        "- name: Acme\n- name: Beta\n",
        "the facts must be a YAML mapping (a table of facts, `key: value` lines),"
        " not a list (YAML sequence)",
        id="list",
    ),
    pytest.param("Acme\n", "not text", id="text"),
    pytest.param("42\n", "not a number", id="number"),
    pytest.param("yes\n", "not true/false", id="bool"),
    pytest.param("~\n", "not null (nothing)", id="null"),
    pytest.param(
        "", "the facts must be a YAML mapping (a table of facts); the file is empty", id="empty"
    ),
    pytest.param("# nothing here yet\n", "the file is empty", id="comments-only"),
    pytest.param(
        "partnership:\n  name: Acme\n---\npartnership:\n  name: Beta\n",
        "a YAML facts file holds one document (one partnership), but a second one starts"
        " at line 3; put each partnership in a file of its own",
        id="two-documents",
    ),
    pytest.param(
        "partners:\n  - name: Acme\n    yes: lead\n",
        "key yes at partners[0] (line 3, column 5): YAML reads it as true/false, but fact"
        ' keys must be text; quote it, as in "yes":',
        id="key-yes",
    ),
    pytest.param(
        "agreement:\n  sections:\n    1: first\n",
        "key 1 at agreement.sections (line 3, column 5): YAML reads it as a number",
        id="key-number",
    ),
    pytest.param(
        "2025-04-01: kick-off\n",
        "key 2025-04-01 at the top level (line 1, column 1): YAML reads it as a date",
        id="key-date",
    ),
    pytest.param(
        "partnership:\n  ~: Acme\n",
        "key ~ at partnership (line 2, column 3): YAML reads it as null (nothing)",
        id="key-null",
    ),
    pytest.param(
        "? [a, b]\n: both\n",
        "a key at the top level (line 1, column 3) is a list (YAML sequence):"
        " fact keys must be text",
        id="key-list",
    ),
    pytest.param(
        "partnership:\n  name: Acme\n  name: Beta\n",
        "duplicate key 'name' at partnership (line 3, column 3; first at line 2):"
        " YAML would keep only the last value",
        id="duplicate-key",
    ),
    pytest.param(
        "partnership:\n  name: !!python/name:os.system\n",
        "unsupported YAML tag !!python/name:os.system at partnership.name (line 2, column 9):"
        " facts files hold plain YAML only",
        id="python-name",
    ),
    pytest.param(
        "partnership: !!python/object/new:collections.OrderedDict [[[name, Acme]]]\n",
        "unsupported YAML tag !!python/object/new:collections.OrderedDict at partnership",
        id="python-object-new",
    ),
    pytest.param(
        "evidence:\n  agreement: !secret vault/agreement\n",
        "unsupported YAML tag !secret at evidence.agreement (line 2, column 14)",
        id="local-tag",
    ),
    pytest.param(
        "logo: !!binary aGVsbG8=\n", "unsupported YAML tag !!binary at logo", id="binary"
    ),
    pytest.param("sectors: !!set {health, housing}\n", "unsupported YAML tag !!set", id="set"),
    pytest.param(
        "partnership:\n  sector: =\n",
        'at partnership.sector (line 2, column 11) has a special meaning in YAML; quote it ("=")',
        id="bare-equals",
    ),
    pytest.param(
        "partnership:\n  formed_on: 2025-02-30\n",
        "2025-02-30 at partnership.formed_on (line 2, column 14) is not a real date or time"
        " (day is out of range for month); correct it, or quote it to keep it as text",
        id="impossible-date",
    ),
    pytest.param(
        "a: &loop\n  - *loop\n",
        "a[0] refers back to a list or mapping that contains it (a recursive YAML alias,"
        " anchored at line 1, column 4); facts cannot be recursive",
        id="recursive-alias",
    ),
    pytest.param(
        "partnership:\n  name: Acme\x07\n",
        "invalid YAML at line 2, column 13: character #x0007 is not allowed in YAML",
        id="control-character",
    ),
    pytest.param(
        "deep: " + "[" * 2000 + "]" * 2000 + "\n",
        "invalid YAML: lists or mappings are nested too deeply",
        id="too-deep",
    ),
]


@pytest.mark.parametrize(("text", "message"), ERRORS)
def test_bad_yaml_is_a_facts_error_naming_the_file(
    engine: Engine, tmp_path: Path, text: str, message: str
) -> None:
    """Each problem is a FactsError that names the file, then says what and where."""
    path = write(tmp_path, "facts.yaml", text)
    with pytest.raises(FactsError) as info:
        engine.load_facts(path)
    assert info.value.origin == str(path)
    assert str(info.value).startswith(f"{path}: ")
    assert message in info.value.message


def test_not_utf8_is_reported_by_the_host(engine: Engine, tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are reported like the built-in loaders' (the host says so)."""
    path = tmp_path / "latin1.yaml"
    path.write_bytes("partnership:\n  name: Café\n".encode("latin-1"))
    with pytest.raises(FactsError, match=r"is not UTF-8 text \(byte 24\)$"):
        engine.load_facts(path)


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.mkdir",
        "!!python/object/new:os.mkdir",
        "!python/object/apply:os.mkdir",
    ],
)
def test_python_tags_are_refused_never_run(engine: Engine, tmp_path: Path, tag: str) -> None:
    """A tag that would call os.mkdir under an unsafe loader is refused and nothing runs."""
    target = tmp_path / "created-by-yaml"
    path = write(tmp_path, "evil.yaml", f"partnership:\n  name: {tag} [{str(target)!r}]\n")
    with pytest.raises(FactsError, match=r"unsupported YAML tag .*python/object"):
        engine.load_facts(path)
    assert not target.exists()


def test_loader_raises_value_error_without_the_file_name() -> None:
    """Called directly, the loader raises ValueError and leaves the file name to the host."""
    with pytest.raises(ValueError, match=r"^invalid YAML at line 1, column 5: ") as info:
        partnerrules_yaml.load_yaml(b"a: b: c\n", "facts.yaml")
    assert "facts.yaml" not in str(info.value)


# --------------------------------------------------------------------------- installed


def test_installed_plugin_is_discovered_through_its_entry_point(
    installed: metadata.Distribution,
) -> None:
    """Installed, the distribution's entry point makes it the `yaml` plugin of every engine."""
    entry_points = [ep for ep in installed.entry_points if ep.group == "partnerrules"]
    assert [(ep.name, ep.value) for ep in entry_points] == [("yaml", "partnerrules_yaml")]
    pm = get_plugin_manager()
    assert pm.get_plugin("yaml") is partnerrules_yaml
    infos = [p for p in list_plugins(pm) if p.name == "yaml"]
    assert infos == [
        PluginInfo(
            name="yaml",
            version=installed.version,
            distribution=DISTRIBUTION,
            hooks=("register_fact_loaders",),
            builtin=False,
        )
    ]
    spec = Registry.collect(pm).loader_for("facts.yml")
    assert spec is not None
    assert (spec.name, spec.plugin) == ("yaml", "yaml")


def test_cli_audits_a_yaml_file(installed: metadata.Distribution) -> None:
    """`partnerrules audit northfield.yaml` reports on the partnership, exit code 0."""
    group = build_cli(get_plugin_manager())
    result = CliRunner().invoke(group, ["audit", str(NORTHFIELD_YAML)])
    assert result.exit_code == 0, result.output
    assert "Northfield Healthy Communities Alliance" in result.stdout
    assert str(NORTHFIELD_YAML) in result.stdout
    assert "Partnership agreement completeness" in result.stdout


def test_cli_reports_a_bad_yaml_file(installed: metadata.Distribution, tmp_path: Path) -> None:
    """A YAML file with a syntax error is reported with its name and line; exit code 2."""
    path = write(tmp_path, "bad.yaml", "partnership:\n  name: [Acme\n")
    group = build_cli(get_plugin_manager())
    result = CliRunner().invoke(group, ["audit", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {path}: invalid YAML at line 3, column 1: ")
    assert "Traceback" not in result.output
