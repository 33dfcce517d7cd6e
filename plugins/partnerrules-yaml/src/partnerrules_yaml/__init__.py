"""partnerrules-yaml: read partnerrules facts files written in YAML (``.yaml``, ``.yml``).

Installed, this module is the ``yaml`` plugin of the ``partnerrules`` entry-point group.
It registers one fact loader, which reads a file the way the built-in TOML and JSON
loaders do: UTF-8 text holding one mapping (a table of facts), with every problem raised
as a :class:`ValueError` whose message says where it is (the host adds the file name).

Only plain YAML is accepted, and it is only ever read with :func:`yaml.safe_load`: a tag
such as ``!!python/object/apply:os.system`` is refused with its line, never run. The
file is first composed (parsed into nodes, which runs nothing) so that what YAML would
otherwise accept silently is refused with its line and key path first:

- a key that YAML reads as something other than text (``yes:`` is ``true``, ``1:`` a
  number, ``2025-04-01:`` a date): fact keys must be text, so it must be quoted;
- the same key twice in one mapping (YAML would keep the last value and drop the other);
- more than one document (``---``) in one file;
- tags other than YAML's plain ones (``!!str``, ``!!int``...), so also values that are
  not facts (``!!binary``, ``!!set``), and a bare ``=`` or ``<<`` as a value;
- an alias that refers back to the list or mapping that contains it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from datetime import time
from datetime import timedelta
from datetime import timezone
from typing import TYPE_CHECKING
from typing import Final

from partnerrules import RegisterFactLoader
from partnerrules import hookimpl

if TYPE_CHECKING:
    # PyYAML is imported lazily, in load_yaml, and here for the annotations only.
    # partnerrules loads every installed plugin on every run (even `--version` and
    # audits of TOML files), so importing yaml at module level would make every run pay
    # for it (about 20 ms) and would break every command if PyYAML were missing or
    # broken; imported on first use, it costs only the runs that read YAML.
    import yaml

__all__ = ["load_yaml", "register_fact_loaders"]

_YAML: Final = "tag:yaml.org,2002:"
_STR: Final = _YAML + "str"
_MAP: Final = _YAML + "map"
_SEQ: Final = _YAML + "seq"
_MERGE: Final = _YAML + "merge"  # the `<<` key that merges mappings
_VALUE: Final = _YAML + "value"  # a bare `=`
_TIMESTAMP: Final = _YAML + "timestamp"
_NULL: Final = _YAML + "null"

#: What YAML reads an unquoted scalar as, in words a practitioner knows.
_SCALAR_KINDS: Final = {
    _STR: "text",
    _YAML + "int": "a number",
    _YAML + "float": "a number",
    _YAML + "bool": "true/false",
    _NULL: "null (nothing)",
    _TIMESTAMP: "a date",
}

_PLAIN_KEY_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_TOP: Final = "the top level"
_MAPPING: Final = "a mapping"
_LIST: Final = "a list (YAML sequence)"


def load_yaml(data: bytes | None, origin: str) -> Mapping[str, object]:
    """Parse a YAML facts file: one mapping, with text keys, read with ``safe_load``.

    :raises ValueError: when the file is not valid YAML or not a table of facts
    :raises UnicodeDecodeError: when the file is not UTF-8 (the host reports it)
    """
    import yaml  # lazily: see the comment at the top of the module

    if data is None:
        raise ValueError("the YAML loader reads files, not source addresses")
    text = data.decode("utf-8")
    try:
        root = _compose_one(text)
        if root is None or (root.tag == _NULL and not root.value):
            raise ValueError(
                "the facts must be a YAML mapping (a table of facts); the file is empty"
            )
        _check_tag(root, _TOP)
        kind = _node_kind(root)
        if kind != _MAPPING:
            raise ValueError(
                "the facts must be a YAML mapping (a table of facts, `key: value` lines),"
                f" not {kind}"
            )
        _Checker().check(root, _TOP)
        try:
            doc: dict[str, object] = yaml.safe_load(text)  # the only call that builds values
        except (ValueError, OverflowError) as exc:  # a backstop: dates are checked above
            raise ValueError(f"invalid YAML value: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        raise ValueError(_describe_marked_error(exc)) from None
    except yaml.YAMLError as exc:  # a ReaderError: a character YAML does not allow
        raise ValueError(_describe_reader_error(exc, text)) from None
    except RecursionError:
        raise ValueError("invalid YAML: lists or mappings are nested too deeply") from None
    return doc  # a dict: the root was composed as a mapping (and the host checks again)


@hookimpl
def register_fact_loaders(register: RegisterFactLoader) -> None:
    """Register the ``yaml`` loader for ``.yaml`` and ``.yml`` files."""
    register(
        "yaml",
        load_yaml,
        extensions=[".yaml", ".yml"],
        description="YAML facts files (plain YAML only, read safely)",
    )


def _compose_one(text: str) -> yaml.Node | None:
    """Parse the text into nodes (nothing is built or run), refusing a second document."""
    import yaml

    documents = yaml.compose_all(text, Loader=yaml.SafeLoader)
    first = next(documents, None)
    second = next(documents, None)
    if second is not None:
        # The second document's content starts after its `---` (or the first's `...`).
        lines = text.splitlines()
        line = min(second.start_mark.line, len(lines) - 1)
        while line > 0 and not lines[line].startswith(("---", "...")):
            line -= 1
        raise ValueError(
            "a YAML facts file holds one document (one partnership), but a second one"
            f" starts at line {line + 1}; put each partnership in a file of its own"
        )
    return first


def _node_kind(node: yaml.Node) -> str:
    """Name what a node holds in words a practitioner knows (tags are checked apart)."""
    if node.tag == _MAP or node.id == "mapping":
        return _MAPPING
    if node.tag == _SEQ or node.id == "sequence":
        return _LIST
    return _SCALAR_KINDS.get(node.tag, f"a value tagged {node.tag}")


def _where(node: yaml.Node) -> str:
    return f"line {node.start_mark.line + 1}, column {node.start_mark.column + 1}"


def _check_tag(node: yaml.Node, path: str) -> None:
    """Refuse what is not a fact: explicit tags, binary data, sets, a bare ``=`` or ``<<``."""
    if node.tag in (_VALUE, _MERGE):  # only special as keys; safe_load fails on them here
        raise ValueError(
            f"{node.value} at {path} ({_where(node)}) has a special meaning in YAML;"
            f' quote it ("{node.value}") to write it as text'
        )
    if node.tag in _SCALAR_KINDS or node.tag in (_MAP, _SEQ):
        return
    tag = node.tag.replace(_YAML, "!!", 1) if node.tag.startswith(_YAML) else node.tag
    raise ValueError(
        f"unsupported YAML tag {tag} at {path} ({_where(node)}): facts files hold plain"
        " YAML only (text, numbers, true/false, dates, lists and mappings);"
        " such tags are refused, never run: remove it"
    )


def _child_path(path: str, key: str) -> str:
    """Return the key path of a key in the mapping at ``path``: ``a.b``, ``a["x.y"]``."""
    if not _PLAIN_KEY_RE.fullmatch(key):
        quoted = f"[{json.dumps(key, ensure_ascii=False)}]"
        return quoted if path == _TOP else f"{path}{quoted}"
    return key if path == _TOP else f"{path}.{key}"


class _Checker:
    """Walk the composed nodes once, refusing what would not load as intended."""

    def __init__(self) -> None:
        import yaml

        self.yaml = yaml
        self.done: set[int] = set()  # nodes already checked (an alias is checked once)
        self.active: set[int] = set()  # the lists and mappings that contain this node

    def check(self, node: yaml.Node, path: str) -> None:
        if id(node) in self.active:
            raise ValueError(
                f"{path} refers back to a list or mapping that contains it (a recursive"
                f" YAML alias, anchored at {_where(node)}); facts cannot be recursive"
            )
        if id(node) in self.done:
            return
        _check_tag(node, path)
        if isinstance(node, self.yaml.ScalarNode):
            if node.tag == _TIMESTAMP:
                _check_date(node, path)
        else:
            self.active.add(id(node))
            if isinstance(node, self.yaml.MappingNode):
                self._check_mapping(node, path)
            else:
                for i, item in enumerate(node.value):
                    self.check(item, f"{path}[{i}]")
            self.active.discard(id(node))
        self.done.add(id(node))

    def _check_mapping(self, node: yaml.MappingNode, path: str) -> None:
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:  # `<<: *defaults`: keys written here override them
                self.check(value_node, _child_path(path, "<<"))
                continue
            key = self._key_text(key_node, path)
            if key in seen:
                raise ValueError(
                    f"duplicate key {key!r} at {path} ({_where(key_node)};"
                    f" first at line {seen[key].start_mark.line + 1}): YAML would keep only"
                    " the last value; keep one of them"
                )
            seen[key] = key_node
            self.check(value_node, _child_path(path, key))

    def _key_text(self, key_node: yaml.Node, path: str) -> str:
        """Return a key that YAML reads as text; refuse one it reads as anything else."""
        kind = _node_kind(key_node)
        if kind in (_MAPPING, _LIST):
            raise ValueError(
                f"a key at {path} ({_where(key_node)}) is {kind}: fact keys must be text"
            )
        if key_node.tag in (_STR, _VALUE):  # safe_load reads a bare `=` key as "="
            return str(key_node.value)
        if key_node.tag not in _SCALAR_KINDS:
            _check_tag(key_node, path)
        written = key_node.value
        shown = f"key {written}" if written else "an empty key"
        raise ValueError(
            f"{shown} at {path} ({_where(key_node)}): YAML reads it as"
            f" {_SCALAR_KINDS[key_node.tag]}, but fact keys must be text;"
            f" quote it, as in {json.dumps(written, ensure_ascii=False)}:"
        )


def _check_date(node: yaml.ScalarNode, path: str) -> None:
    """Refuse a date or time that does not exist (2025-02-30), with its place."""
    from yaml.constructor import SafeConstructor  # the pattern safe_load reads dates with

    match = SafeConstructor.timestamp_regexp.match(node.value)
    if match is None:  # the resolver only tags text of this form as a timestamp
        return
    part = match.groupdict()
    try:
        date(int(part["year"]), int(part["month"]), int(part["day"]))
        if part["hour"] is not None:
            time(int(part["hour"]), int(part["minute"]), int(part["second"]))
        if part["tz_hour"] is not None:
            timezone(timedelta(hours=int(part["tz_hour"]), minutes=int(part["tz_minute"] or 0)))
    except ValueError as exc:
        raise ValueError(
            f"{node.value} at {path} ({_where(node)}) is not a real date or time ({exc});"
            " correct it, or quote it to keep it as text"
        ) from None


def _describe_marked_error(exc: yaml.MarkedYAMLError) -> str:
    """Say where a YAML syntax error is, as the TOML and JSON loaders do."""
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    message = exc.problem or exc.context or "syntax error"
    if exc.problem and exc.context:
        context_mark = exc.context_mark
        started = (
            f" that starts at line {context_mark.line + 1}, column {context_mark.column + 1}"
            if context_mark is not None and context_mark is not mark
            else ""
        )
        message = f"{exc.problem} ({exc.context}{started})"
    if "could not determine a constructor for the tag" in message:  # safe_load, as a backstop
        return f"unsupported YAML tag{where}: facts files hold plain YAML only; remove it"
    return f"invalid YAML{where}: {message}"


def _describe_reader_error(exc: yaml.YAMLError, text: str) -> str:
    """Name the line and column of a character YAML does not allow (a control character)."""
    position = getattr(exc, "position", None)
    character = getattr(exc, "character", None)
    if not isinstance(position, int) or not isinstance(character, int):
        return f"invalid YAML: {exc}"
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return (
        f"invalid YAML at line {line}, column {column}: character #x{character:04x}"
        " is not allowed in YAML (a control character); remove it"
    )
