"""Read ruleset and facts files, with errors that name the file, the key path and the fix."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as dist_version
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final

import tomli

from partnerrules.errors import FactsError
from partnerrules.errors import RulesetError
from partnerrules.errors import did_you_mean
from partnerrules.model import Ruleset
from partnerrules.registry import Registry
from partnerrules.serde import structure_ruleset
from partnerrules.vocabulary import check_ruleset_facts
from partnerrules.vocabulary import load_vocabulary

_ID_RE: Final = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")
_REQUIREMENT_RE: Final = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:(>=|==)\s*([0-9][0-9.]*))?\s*$"
)


def read_bytes(location: Path | Traversable, what: str) -> bytes:
    """Read a file, turning OS errors into a message that names the file."""
    try:
        return location.read_bytes()
    except FileNotFoundError:
        raise _error(what, str(location), "file not found") from None
    except IsADirectoryError:
        raise _error(what, str(location), "is a directory, not a file") from None
    except OSError as exc:
        raise _error(what, str(location), f"cannot be read: {exc.strerror or exc}") from None


def _error(what: str, origin: str, message: str) -> RulesetError | FactsError:
    return RulesetError(origin, [message]) if what == "ruleset" else FactsError(origin, message)


def parse_toml(data: bytes, origin: str, what: str) -> dict[str, object]:
    """Parse TOML, reporting a syntax error as ``file:line:column: message``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _error(what, origin, f"is not UTF-8 text (byte {exc.start})") from None
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        lineno = getattr(exc, "lineno", None)
        colno = getattr(exc, "colno", None)
        msg = getattr(exc, "msg", str(exc))
        where = f"{origin}:{lineno}:{colno}" if lineno is not None else origin
        if what == "ruleset":
            raise RulesetError(where, [f"invalid TOML: {msg}"]) from None
        raise FactsError(where, f"invalid TOML: {msg}") from None


def read_ruleset(location: Path | Traversable, registry: Registry | None = None) -> Ruleset:
    """Read, structure and check one ruleset file.

    :param registry: when given, also check the kind, operators, required plugins and
        every condition by compiling them
    :raises RulesetError: listing every problem with its rule id and key path
    """
    origin = str(location)
    data = parse_toml(read_bytes(location, "ruleset"), origin, "ruleset")
    return parse_ruleset(data, origin, registry)


def parse_ruleset(
    data: Mapping[str, object], origin: str, registry: Registry | None = None
) -> Ruleset:
    """Structure and check a parsed ruleset document (see :func:`read_ruleset`)."""
    ruleset = structure_ruleset(data, origin)
    problems = check_ruleset(ruleset)
    if registry is not None and not problems:
        problems = check_against_registry(ruleset, registry)
    if problems:
        raise RulesetError(origin, problems)
    return ruleset


def check_ruleset(ruleset: Ruleset) -> list[str]:
    """Return the problems a ruleset has on its own (ids, references, tests)."""
    problems: list[str] = []
    info = ruleset.ruleset
    if not _ID_RE.match(info.id):
        problems.append(
            f"$.ruleset.id: {info.id!r} is not a valid id (letters, digits, '-', '_', '.')"
        )
    source_ids = [s.id for s in info.sources]
    if not source_ids:
        problems.append("$.ruleset.sources: a ruleset must cite at least one source")
    for i, dup in _duplicates(source_ids):
        problems.append(f"$.ruleset.sources[{i}].id: duplicate source id {dup!r}")
    group_ids = [g.id for g in ruleset.groups]
    for i, dup in _duplicates(group_ids):
        problems.append(f"$.groups[{i}].id: duplicate group id {dup!r}")
    rule_ids = [r.id for r in ruleset.rules]
    if not rule_ids:
        problems.append("$.rules: a ruleset needs at least one rule")
    for i, dup in _duplicates(rule_ids):
        first = rule_ids.index(dup)
        problems.append(
            f"rule {dup!r} ($.rules[{i}].id): duplicate rule id (first used at $.rules[{first}])"
        )
    for i, rule in enumerate(ruleset.rules):
        where = f"rule {rule.id!r} ($.rules[{i}]"
        if not _ID_RE.match(rule.id):
            problems.append(f"{where}.id): {rule.id!r} is not a valid rule id")
        if rule.source not in source_ids:
            hint = did_you_mean(rule.source, source_ids)
            problems.append(
                f"{where}.source): no source with id {rule.source!r} in [[ruleset.sources]]{hint}"
            )
        if group_ids and rule.group not in group_ids:
            hint = did_you_mean(rule.group, group_ids)
            problems.append(f"{where}.group): no group with id {rule.group!r} in [[groups]]{hint}")
        if rule.weight < 0:
            problems.append(f"{where}.weight): expected a weight of 0 or more, got {rule.weight}")
        if rule.label is not None and rule.for_each is None:
            problems.append(f"{where}.label): 'label' names an item field, so it needs 'for_each'")
        if not rule.advice.strip():
            problems.append(
                f"{where}.advice): advice must say what to do when the rule is not met"
            )
    for i, group in enumerate(ruleset.groups):
        if group.weight < 0:
            problems.append(
                f"$.groups[{i}].weight: expected a weight of 0 or more, got {group.weight}"
            )
    for i, case in enumerate(ruleset.tests):
        for rule_id in case.expect:
            base = rule_id.split("[", 1)[0]
            if base not in rule_ids:
                hint = did_you_mean(base, rule_ids)
                problems.append(
                    f"test {case.name!r} ($.tests[{i}].expect): no rule {base!r}{hint}"
                )
        known_groups = ruleset.group_ids()
        for group_id in case.expect_groups:
            if group_id not in known_groups:
                hint = did_you_mean(group_id, known_groups)
                problems.append(
                    f"test {case.name!r} ($.tests[{i}].expect_groups): no group {group_id!r}{hint}"
                )
    return problems


def check_against_registry(ruleset: Ruleset, registry: Registry) -> list[str]:
    """Return the problems a ruleset has with the installed plugins."""
    from partnerrules.engine import compile_ruleset  # the engine imports this module

    problems = check_requires(ruleset)
    kind = registry.kinds.get(ruleset.ruleset.kind)
    if kind is None:
        hint = did_you_mean(ruleset.ruleset.kind, registry.kinds)
        problems.append(
            f"$.ruleset.kind: unknown assessment kind {ruleset.ruleset.kind!r}{hint}"
            f" (kinds: {', '.join(sorted(registry.kinds))})"
        )
    elif kind.validate is not None:
        problems.extend(kind.validate(ruleset))
    check_reads = {name: spec.reads for name, spec in registry.checks.items()}
    problems.extend(check_ruleset_facts(ruleset, load_vocabulary(), check_reads))
    if problems:
        return problems
    try:
        compile_ruleset(ruleset, registry)
    except RulesetError as exc:
        return exc.messages
    return []


def check_requires(ruleset: Ruleset) -> list[str]:
    """Check that the plugins a ruleset ``requires`` are installed, at the version asked."""
    problems = []
    for i, requirement in enumerate(ruleset.ruleset.requires):
        match = _REQUIREMENT_RE.match(requirement)
        if match is None:
            problems.append(
                f"$.ruleset.requires[{i}]: expected 'distribution' or 'distribution>=version',"
                f" got {requirement!r}"
            )
            continue
        name, op, wanted = match.groups()
        try:
            installed = dist_version(name)
        except PackageNotFoundError:
            problems.append(
                f"$.ruleset.requires[{i}]: this ruleset needs the plugin {name!r},"
                f" which is not installed (pip install '{requirement}')"
            )
            continue
        if op and not _version_ok(installed, op, wanted):
            problems.append(
                f"$.ruleset.requires[{i}]: this ruleset needs {requirement!r},"
                f" but {name} {installed} is installed"
            )
    return problems


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:4])


def _version_ok(installed: str, op: str, wanted: str) -> bool:
    have, need = _version_tuple(installed), _version_tuple(wanted)
    return have == need if op == "==" else have >= need


def _duplicates(values: list[str]) -> list[tuple[int, str]]:
    seen: set[str] = set()
    out = []
    for i, v in enumerate(values):
        if v in seen:
            out.append((i, v))
        seen.add(v)
    return out


def load_facts(source: str | Path, registry: Registry) -> dict[str, object]:
    """Load one partnership's facts: a file (by extension) or a source address (by scheme).

    A source address such as ``acme-crm:partnership/17`` goes to the loader registered for
    its scheme; anything else is a file path.

    :raises FactsError: naming the file or address when it cannot be read or is not a
        table of facts
    """
    origin = str(source)
    scheme_loader = registry.loader_for_scheme(origin) if isinstance(source, str) else None
    data: bytes | None
    if scheme_loader is not None:
        spec, data = scheme_loader, None
    else:
        path = Path(source)
        data = read_bytes(path, "facts")  # first: a missing file or a folder is the problem
        found = registry.loader_for(path.name)
        if found is None:
            known = sorted({e for s in registry.fact_loaders.values() for e in s.extensions})
            raise FactsError(
                origin,
                f"no fact loader for this kind of file (known extensions: {', '.join(known)})",
            )
        spec = found
    try:
        facts = spec.load(data, origin)
    except FactsError:
        raise
    except UnicodeDecodeError as exc:  # a ValueError too: say it plainly, as for rulesets
        raise FactsError(origin, f"is not UTF-8 text (byte {exc.start})") from None
    except (ValueError, TypeError, LookupError, OSError) as exc:
        raise FactsError(origin, str(exc)) from None
    return check_facts_document(facts, origin)


def check_facts_document(facts: object, origin: str) -> dict[str, object]:
    """Check that a facts document is a table (object), as every loader must return."""
    if not isinstance(facts, dict):
        kind = type(facts).__name__
        raise FactsError(
            origin, f"the facts must be a table (a JSON object or a TOML document), not {kind}"
        )
    evidence = facts.get("evidence")
    if evidence is not None and not (
        isinstance(evidence, dict) and all(isinstance(v, str) for v in evidence.values())
    ):
        raise FactsError(
            origin,
            "evidence: expected a table of fact paths to notes, such as"
            ' "agreement.sections.resources.cash" = "Budget annex, p. 4"',
        )
    return facts
