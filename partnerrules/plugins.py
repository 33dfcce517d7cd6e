"""The plugin manager: built-in plugins, installed plugins, and what each provides."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from importlib import metadata

import pluggy
from attrs import frozen

from partnerrules import hookspecs
from partnerrules.errors import PluginError

#: The built-in plugins, registered on every manager through the same hooks that
#: installed plugins use.
DEFAULT_PLUGINS: tuple[str, ...] = (
    "partnerrules.builtin.operators",
    "partnerrules.builtin.checklist",
    "partnerrules.builtin.completeness",
    "partnerrules.builtin.stages",
    "partnerrules.builtin.classification",
    "partnerrules.builtin.rulesets",
    "partnerrules.builtin.loaders",
    "partnerrules.builtin.output_text",
    "partnerrules.builtin.output_json",
    "partnerrules.builtin.output_markdown",
    "partnerrules.builtin.output_html",
)

#: The entry-point group through which installed plugins are discovered.
ENTRY_POINT_GROUP = "partnerrules"

#: Environment variable naming the installed plugins to load (comma separated); when
#: set, every other installed plugin is skipped. Set it empty to load none.
LOAD_PLUGINS_ENV = "PARTNERRULES_LOAD_PLUGINS"


def get_plugin_manager(
    *,
    entry_points: bool = True,
    blocked: Iterable[str] = (),
    plugins: Iterable[object] = (),
    load_only: Iterable[str] | None = None,
) -> pluggy.PluginManager:
    """Return a fresh plugin manager with the built-in and installed plugins registered.

    :param entry_points: discover installed plugins through the ``partnerrules`` group
    :param blocked: plugin names (built-in module names or entry-point names) to skip
    :param plugins: extra plugin objects (modules, classes or instances) to register
    :param load_only: entry-point names to load, ignoring the others; when ``None``, the
        ``PARTNERRULES_LOAD_PLUGINS`` environment variable decides, and when that is
        unset every installed plugin is loaded
    :raises PluginError: when a plugin cannot be imported or implements an unknown hook
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    blocked = set(blocked)
    for name in blocked:
        pm.set_blocked(name)
    for name in DEFAULT_PLUGINS:
        if name in blocked:
            continue
        pm.register(importlib.import_module(name), name)
    if entry_points:
        _load_entry_points(pm, blocked, load_only)
    for plugin in plugins:
        try:
            pm.register(plugin, _unique_name(pm, plugin))
        except (ValueError, pluggy.PluginValidationError) as exc:
            raise PluginError(_describe(plugin), str(exc), exc) from exc
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(
            pm.get_name(exc.plugin) or _describe(exc.plugin),
            f"{exc} (is the hook name misspelt? the known hooks are: "
            f"{', '.join(sorted(_hook_names()))})",
            exc,
        ) from exc
    return pm


def _load_entry_points(
    pm: pluggy.PluginManager, blocked: set[str], load_only: Iterable[str] | None
) -> None:
    if load_only is None:
        env = os.environ.get(LOAD_PLUGINS_ENV)
        load_only = None if env is None else [n.strip() for n in env.split(",") if n.strip()]
    wanted = None if load_only is None else set(load_only)
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist_name = ep.dist.name if ep.dist is not None else "?"
        if ep.name in blocked or dist_name in blocked or pm.get_plugin(ep.name) is not None:
            continue
        if wanted is not None and ep.name not in wanted and dist_name not in wanted:
            continue
        try:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP, name=ep.name)
        except Exception as exc:
            raise PluginError(
                f"{dist_name}[{ep.name}]",
                f"could not be loaded: {type(exc).__name__}: {exc}",
                exc,
            ) from exc


def _hook_names() -> list[str]:
    marker = f"{hookspecs.PROJECT_NAME}_spec"
    return sorted(n for n, f in vars(hookspecs).items() if hasattr(f, marker))


def _describe(plugin: object) -> str:
    return getattr(plugin, "__name__", None) or type(plugin).__name__


def _unique_name(pm: pluggy.PluginManager, plugin: object) -> str:
    """Name an extra plugin after its module or class, so that errors can name it."""
    name = _describe(plugin)
    if pm.get_plugin(name) is None:
        return name
    return f"{name}@{id(plugin):x}"


@frozen
class PluginInfo:
    """One registered plugin: where it comes from and which hooks it implements."""

    name: str
    version: str | None
    distribution: str | None
    hooks: tuple[str, ...]
    builtin: bool


def list_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Return every plugin registered on a manager, built-ins first."""
    dists = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:
            continue
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
        dist = dists.get(id(plugin))
        infos.append(
            PluginInfo(
                name=name,
                version=dist.version if dist is not None else None,
                distribution=dist.metadata["Name"] if dist is not None else None,
                hooks=hooks,
                builtin=name in DEFAULT_PLUGINS,
            )
        )
    infos.sort(key=lambda p: (not p.builtin, p.name))
    return infos
