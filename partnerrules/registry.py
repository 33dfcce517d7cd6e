"""What plugins contribute, and the registry that collects it through the hooks."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol
from typing import TypeVar

import attrs
from attrs import frozen

from partnerrules.errors import DuplicateRegistrationError
from partnerrules.errors import PluginError

if TYPE_CHECKING:
    import pluggy

    from partnerrules.model import Assessment
    from partnerrules.model import Finding
    from partnerrules.model import Report
    from partnerrules.model import Ruleset

S = TypeVar("S", "OperatorSpec", "CheckSpec", "KindSpec", "FactLoaderSpec", "OutputSpec")

#: A compiled operator test: the fact's value in, True / False / None (unknown) out.
Test = Callable[[object], "bool | None"]


class ValueKind(enum.StrEnum):
    """What an operator expects in the rule's ``value`` key."""

    NONE = "none"  #: no value (``filled``, ``exists``)
    SCALAR = "scalar"  #: one string, number or boolean
    NUMBER = "number"  #: an integer or float
    LIST = "list"  #: a list of scalars
    ANY = "any"  #: anything the operator checks itself


@frozen
class OperatorSpec:
    """An operator registered by a plugin."""

    name: str
    compile: Callable[[object], Test]
    value: ValueKind
    reads_absent: bool
    description: str
    plugin: str


#: A Python check: (facts, item, params) -> True / False / None.
CheckFunction = Callable[[Mapping[str, object], object, Any], "bool | None"]


@frozen
class CheckSpec:
    """A Python check registered by a plugin."""

    name: str
    function: CheckFunction
    params: type | None
    reads: tuple[str, ...]
    description: str
    plugin: str


@frozen
class KindSpec:
    """An assessment kind registered by a plugin."""

    name: str
    assess: Callable[[Ruleset, Sequence[Finding]], Assessment]
    description: str
    validate: Callable[[Ruleset], list[str]] | None
    plugin: str


@frozen
class RulesetLocation:
    """A ruleset file a plugin ships."""

    location: Path | Traversable
    plugin: str


#: A fact loader: (the file's bytes, or None for a scheme address; the origin) -> facts.
LoadFacts = Callable[["bytes | None", str], Mapping[str, object]]


@frozen
class FactLoaderSpec:
    """A facts file format (or source scheme) registered by a plugin."""

    name: str
    load: LoadFacts
    extensions: tuple[str, ...]
    description: str
    plugin: str
    schemes: tuple[str, ...] = ()


@frozen
class OutputOptions:
    """Options every output receives."""

    verbose: bool = False
    color: bool = False


@frozen
class OutputSpec:
    """An output format registered by a plugin."""

    name: str
    render: Callable[[Sequence[Report], OutputOptions], str]
    description: str
    extension: str
    plugin: str


class RegisterOperator(Protocol):
    """The ``register`` callback of :func:`~partnerrules.hookspecs.register_operators`."""

    def __call__(
        self,
        name: str,
        compile: Callable[[object], Test],
        *,
        value: ValueKind | str = ValueKind.NONE,
        reads_absent: bool = False,
        description: str = "",
    ) -> None: ...


class RegisterCheck(Protocol):
    """The ``register`` callback of :func:`~partnerrules.hookspecs.register_checks`."""

    def __call__(
        self,
        name: str,
        function: CheckFunction,
        *,
        params: type | None = None,
        reads: Sequence[str] = (),
        description: str = "",
    ) -> None: ...


class RegisterKind(Protocol):
    """The ``register`` callback of :func:`~partnerrules.hookspecs.register_kinds`."""

    def __call__(
        self,
        name: str,
        assess: Callable[[Ruleset, Sequence[Finding]], Assessment],
        *,
        description: str = "",
        validate: Callable[[Ruleset], list[str]] | None = None,
    ) -> None: ...


class RegisterRuleset(Protocol):
    """The ``register`` callback of :func:`~partnerrules.hookspecs.register_rulesets`."""

    def __call__(self, location: Path | Traversable) -> None: ...


class RegisterFactLoader(Protocol):
    """The ``register`` callback of :func:`~partnerrules.hookspecs.register_fact_loaders`."""

    def __call__(
        self,
        name: str,
        load: LoadFacts,
        *,
        extensions: Sequence[str] = (),
        schemes: Sequence[str] = (),
        description: str = "",
    ) -> None: ...


class RegisterOutput(Protocol):
    """The ``register`` callback of :func:`~partnerrules.hookspecs.register_outputs`."""

    def __call__(
        self,
        name: str,
        render: Callable[[Sequence[Report], OutputOptions], str],
        *,
        description: str = "",
        extension: str = ".txt",
    ) -> None: ...


@frozen
class Registry:
    """Everything the plugins of one plugin manager contributed."""

    operators: Mapping[str, OperatorSpec]
    checks: Mapping[str, CheckSpec]
    kinds: Mapping[str, KindSpec]
    rulesets: tuple[RulesetLocation, ...]
    fact_loaders: Mapping[str, FactLoaderSpec]
    outputs: Mapping[str, OutputSpec]

    @classmethod
    def collect(
        cls,
        pm: pluggy.PluginManager,
        settings: Mapping[str, Mapping[str, object]] | None = None,
    ) -> Registry:
        """Call every contribution hook and collect what the plugins register.

        :param settings: each plugin's own settings, by plugin name

        :raises DuplicateRegistrationError: when two plugins register the same name
        :raises PluginError: when a plugin's hook raises or registers something invalid
        """
        operators: dict[str, OperatorSpec] = {}
        checks: dict[str, CheckSpec] = {}
        kinds: dict[str, KindSpec] = {}
        rulesets: list[RulesetLocation] = []
        loaders: dict[str, FactLoaderSpec] = {}
        outputs: dict[str, OutputSpec] = {}

        def add(table: dict[str, S], what: str, spec: S) -> None:
            if not spec.name or not isinstance(spec.name, str):
                raise PluginError(spec.plugin, f"registered a {what} without a name")
            if spec.name in table:
                raise DuplicateRegistrationError(
                    what, spec.name, table[spec.name].plugin, spec.plugin
                )
            table[spec.name] = spec

        def operator_hook(plugin: str) -> RegisterOperator:
            def register(
                name: str,
                compile: Callable[[object], Test],
                *,
                value: ValueKind | str = ValueKind.NONE,
                reads_absent: bool = False,
                description: str = "",
            ) -> None:
                _require_callable(plugin, "operator", name, compile)
                try:
                    kind = ValueKind(value)
                except ValueError:
                    raise PluginError(
                        plugin, f"operator {name!r}: unknown value kind {value!r}"
                    ) from None
                spec = OperatorSpec(name, compile, kind, reads_absent, description, plugin)
                add(operators, "operator", spec)

            return register

        def check_hook(plugin: str) -> RegisterCheck:
            def register(
                name: str,
                function: CheckFunction,
                *,
                params: type | None = None,
                reads: Sequence[str] = (),
                description: str = "",
            ) -> None:
                _require_callable(plugin, "check", name, function)
                if params is not None and not attrs.has(params):
                    raise PluginError(
                        plugin, f"check {name!r}: params must be an attrs class, got {params!r}"
                    )
                spec = CheckSpec(name, function, params, tuple(reads), description, plugin)
                add(checks, "check", spec)

            return register

        def kind_hook(plugin: str) -> RegisterKind:
            def register(
                name: str,
                assess: Callable[[Ruleset, Sequence[Finding]], Assessment],
                *,
                description: str = "",
                validate: Callable[[Ruleset], list[str]] | None = None,
            ) -> None:
                _require_callable(plugin, "kind", name, assess)
                add(
                    kinds, "assessment kind", KindSpec(name, assess, description, validate, plugin)
                )

            return register

        def ruleset_hook(plugin: str) -> RegisterRuleset:
            def register(location: Path | Traversable) -> None:
                rulesets.append(RulesetLocation(location, plugin))

            return register

        def loader_hook(plugin: str) -> RegisterFactLoader:
            def register(
                name: str,
                load: LoadFacts,
                *,
                extensions: Sequence[str] = (),
                schemes: Sequence[str] = (),
                description: str = "",
            ) -> None:
                _require_callable(plugin, "fact loader", name, load)
                exts = tuple(
                    e.lower() if e.startswith(".") else f".{e.lower()}" for e in extensions
                )
                bad = [x for x in schemes if not _SCHEME_RE.match(x)]
                if bad:
                    raise PluginError(
                        plugin, f"fact loader {name!r}: {bad[0]!r} is not a scheme name"
                    )
                if not exts and not schemes:
                    raise PluginError(
                        plugin, f"fact loader {name!r}: give extensions, schemes or both"
                    )
                spec = FactLoaderSpec(name, load, exts, description, plugin, tuple(schemes))
                add(loaders, "fact loader", spec)

            return register

        def output_hook(plugin: str) -> RegisterOutput:
            def register(
                name: str,
                render: Callable[[Sequence[Report], OutputOptions], str],
                *,
                description: str = "",
                extension: str = ".txt",
            ) -> None:
                _require_callable(plugin, "output", name, render)
                add(outputs, "output", OutputSpec(name, render, description, extension, plugin))

            return register

        settings = settings or {}
        _call_each(pm, "register_operators", operator_hook, settings)
        _call_each(pm, "register_checks", check_hook, settings)
        _call_each(pm, "register_kinds", kind_hook, settings)
        _call_each(pm, "register_rulesets", ruleset_hook, settings)
        _call_each(pm, "register_fact_loaders", loader_hook, settings)
        _call_each(pm, "register_outputs", output_hook, settings)

        seen_extensions: dict[str, FactLoaderSpec] = {}
        for spec in loaders.values():
            for ext in (*spec.extensions, *(f"{x}:" for x in spec.schemes)):
                if ext in seen_extensions:
                    first = seen_extensions[ext]
                    raise DuplicateRegistrationError(
                        "fact loader extension", ext, first.plugin, spec.plugin
                    )
                seen_extensions[ext] = spec

        return cls(operators, checks, kinds, tuple(rulesets), loaders, outputs)

    def loader_for_scheme(self, source: str) -> FactLoaderSpec | None:
        """Return the fact loader for a source address such as ``acme-crm:17``, if any."""
        match = _ADDRESS_RE.match(source)
        if match is None:
            return None
        scheme = match.group(1).lower()
        for spec in self.fact_loaders.values():
            if scheme in spec.schemes:
                return spec
        return None

    def loader_for(self, filename: str) -> FactLoaderSpec | None:
        """Return the fact loader for a file name, chosen by its extension."""
        name = filename.lower()
        best: tuple[int, FactLoaderSpec] | None = None
        for spec in self.fact_loaders.values():
            for ext in spec.extensions:
                if name.endswith(ext) and (best is None or len(ext) > best[0]):
                    best = (len(ext), spec)
        return best[1] if best else None


class _Spec(Protocol):  # what add() needs of a registered thing
    @property
    def name(self) -> str: ...

    @property
    def plugin(self) -> str: ...


def _require_callable(plugin: str, what: str, name: str, value: object) -> None:
    if not callable(value):
        raise PluginError(plugin, f"{what} {name!r}: expected a callable, got {value!r}")


_SCHEME_RE = re.compile(r"^[a-z][a-z0-9+.-]+$")
#: A source address: a scheme of two or more characters, a colon, the rest.
_ADDRESS_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")


@frozen
class HookCall:
    """One plugin's implementation of a per-evaluation hook, ready to call."""

    plugin: str
    function: Callable[..., object]
    settings: Mapping[str, object] | None

    def __call__(self, **kwargs: object) -> object:
        """Call the implementation, adding its settings when it asks for them."""
        if self.settings is not None:
            kwargs["settings"] = self.settings
        return self.function(**kwargs)


def hook_calls(
    pm: pluggy.PluginManager,
    hook_name: str,
    settings: Mapping[str, Mapping[str, object]] | None = None,
) -> tuple[HookCall, ...]:
    """Return the implementations of a hook in registration order, each with its settings."""
    calls = []
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        own = dict((settings or {}).get(impl.plugin_name, {}))
        wants = "settings" in impl.argnames
        calls.append(HookCall(impl.plugin_name, impl.function, own if wants else None))
    return tuple(calls)


def _call_each(
    pm: pluggy.PluginManager,
    hook_name: str,
    make_register: Callable[[str], object],
    settings: Mapping[str, Mapping[str, object]],
) -> None:
    """Call each implementation of a hook with a ``register`` bound to its plugin."""
    hook = getattr(pm.hook, hook_name)
    # In registration order (built-ins first), so that a duplicate name is blamed on the
    # plugin that came second rather than on the built-in it collides with.
    for impl in hook.get_hookimpls():
        plugin = impl.plugin_name
        kwargs: dict[str, object] = {}
        if "register" in impl.argnames:
            kwargs["register"] = make_register(plugin)
        if "settings" in impl.argnames:
            kwargs["settings"] = dict(settings.get(plugin, {}))
        try:
            impl.function(**kwargs)
        except PluginError:
            raise
        except Exception as exc:
            raise PluginError(
                plugin, f"hook {hook_name} raised {type(exc).__name__}: {exc}", exc
            ) from exc
