"""The hook specifications of partnerrules and the markers plugins use.

Every built-in operator, assessment kind, ruleset, fact loader and output arrives through
these hooks, exactly as an organisation's plugin would provide its own. Contribution hooks
receive a ``register`` callback: call it once per thing you contribute. The host checks
what you register, records that it came from your plugin, and refuses a name that another
plugin already registered.

Every hook but ``register_commands`` may also take ``settings``: the table of the plugin's
own settings from the host's configuration (``[settings.<name>]`` in
``partnerrules.toml``, or ``Engine(config=Config(settings={name: {...}}))``), empty when
there is none. A plugin takes only the
arguments it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    import click

    from partnerrules.model import Report
    from partnerrules.registry import RegisterCheck
    from partnerrules.registry import RegisterFactLoader
    from partnerrules.registry import RegisterKind
    from partnerrules.registry import RegisterOperator
    from partnerrules.registry import RegisterOutput
    from partnerrules.registry import RegisterRuleset

PROJECT_NAME = "partnerrules"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def register_operators(register: RegisterOperator, settings: Mapping[str, object]) -> None:
    """Register operators that rule conditions can use as ``op = "name"``.

    Call ``register(name, compile, *, value=..., reads_absent=False, description=...)``.
    ``compile`` receives the rule's ``value`` once, when the ruleset is compiled, and
    returns a test that receives the fact's value and returns ``True``, ``False`` or
    ``None`` (unknown). Raise :class:`ValueError` or :class:`TypeError` from ``compile``
    to reject a value; the message is shown with the rule id and key path. Unless
    ``reads_absent`` is true, the test is never called for a fact that was not recorded:
    the engine answers unknown itself.

    :param register: the callback to call for each operator
    :param settings: the plugin's own settings

    .. versionadded:: 0.1
    """


@hookspec
def register_checks(register: RegisterCheck, settings: Mapping[str, object]) -> None:
    """Register Python checks that rule conditions call as ``{check = "org.name"}``.

    Call ``register(name, function, *, params=None, reads=(), description=...)``. Name
    checks ``<org>.<name>``. ``function(facts, item, params)`` receives the whole facts
    document, the current list item (``None`` outside ``for_each``) and the rule's
    ``params`` table structured into the ``params`` attrs class (or a plain mapping when
    ``params`` is ``None``); it returns ``True``, ``False`` or ``None`` (unknown), and must
    return ``None`` when a fact it needs was not recorded. ``reads`` lists the fact paths
    the check looks at (``item.`` for the item's), shown as the finding's evidence and
    checked against the vocabulary. A check that raises stops the audit with an error
    naming the plugin and the rule.

    :param register: the callback to call for each check
    :param settings: the plugin's own settings

    .. versionadded:: 0.2
    """


@hookspec
def register_kinds(register: RegisterKind, settings: Mapping[str, object]) -> None:
    """Register assessment kinds: how a ruleset's findings roll up into an assessment.

    Call ``register(name, assess, *, description=..., validate=None)``. ``assess``
    receives the :class:`~partnerrules.model.Ruleset` and its findings and returns an
    :class:`~partnerrules.model.Assessment`. ``validate``, if given, receives the ruleset
    at load time and returns a list of problems (empty when the ruleset suits the kind).

    :param register: the callback to call for each kind
    :param settings: the plugin's own settings

    .. versionadded:: 0.1
    """


@hookspec
def register_rulesets(register: RegisterRuleset, settings: Mapping[str, object]) -> None:
    """Register ruleset files that a plugin ships.

    Call ``register(location)`` with a path or an :mod:`importlib.resources` traversable
    for each TOML ruleset. Rulesets are read and checked when an engine is built.

    :param register: the callback to call for each ruleset file
    :param settings: the plugin's own settings

    .. versionadded:: 0.1
    """


@hookspec
def register_fact_loaders(register: RegisterFactLoader, settings: Mapping[str, object]) -> None:
    """Register loaders that turn a facts file into a table of facts.

    Call ``register(name, load, *, extensions=(), schemes=(), description=...)``. ``load``
    receives the file's bytes and its name and returns a mapping; for a source addressed by
    a scheme (``acme-crm:partnership/17``, chosen by ``schemes``) it receives ``None`` and
    the address. Raise :class:`ValueError` with a clear message when the content is not
    valid; the host adds the file name. The loader is chosen by the file's extension, or
    by the address's scheme.

    :param register: the callback to call for each loader
    :param settings: the plugin's own settings

    .. versionadded:: 0.1
    """


@hookspec
def prepare_facts(
    facts: Mapping[str, object], settings: Mapping[str, object]
) -> Mapping[str, object] | None:
    """Derive or normalise facts before a partnership is evaluated.

    Called once per evaluation, in plugin registration order, each implementation seeing
    the previous one's result. Return a new mapping (for example with
    ``partnership.age_months`` worked out from ``partnership.formed_on``) or ``None`` to
    leave the facts as they are. Do not modify ``facts`` in place, and never remove or
    overwrite a fact that was recorded: derived facts fill gaps only.

    :param facts: the facts document about to be evaluated
    :param settings: the plugin's own settings

    .. versionadded:: 0.2
    """


@hookspec
def after_report(report: Report, settings: Mapping[str, object]) -> None:
    """Receive every report once it is complete (to store it, or to notify a host system).

    Called after each evaluation, with the finished report. A plugin that raises stops
    the audit with an error naming it: a report that could not be stored is not silently
    lost.

    :param report: the finished report
    :param settings: the plugin's own settings

    .. versionadded:: 0.2
    """


@hookspec
def register_outputs(register: RegisterOutput, settings: Mapping[str, object]) -> None:
    """Register output formats for reports (``--format NAME``).

    Call ``register(name, render, *, description=..., extension=...)``. ``render``
    receives the reports of one audit and the :class:`~partnerrules.registry.OutputOptions`
    and returns the text to write.

    :param register: the callback to call for each output format
    :param settings: the plugin's own settings

    .. versionadded:: 0.1
    """


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``partnerrules`` command line.

    Decorate functions with ``@cli.command()`` inside your implementation.

    :param cli: the top-level click group

    .. versionadded:: 0.1
    """
