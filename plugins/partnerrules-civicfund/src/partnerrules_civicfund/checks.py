"""The ``civicfund.approved_register`` check: is a partner approved by Civic Fund?

Civic Fund keeps a register of the organisations it has approved to receive or hold its
grants, and supplies it as a CSV file with the columns ``organisation_id,name,status``
(``status`` is ``approved`` or ``suspended``; other columns are ignored)::

    organisation_id,name,status
    CF-0001,Northfield Borough Council,approved
    CF-0002,Harbourside Youth Trust,suspended

The file is named by the plugin's ``register`` setting, never by a ruleset or a facts
file: those are data, and data must not choose which files the engine opens. It is read
once, when an engine is built; every evaluation then looks partners up in memory.
partnerrules resolves a setting written as ``./name.csv`` or ``../name.csv`` in
``partnerrules.toml`` against the configuration file's directory; any other relative path
(``name.csv``) reaches the plugin as written and is taken from the working directory.

A partner (the item of a ``for_each = "partners"`` rule) is matched by its ``id``, then,
when it has no id or the id is not in the register, by its ``name``; both ignoring case
and surrounding or repeated whitespace. The check answers:

- ``True``: the partner is in the register as approved (or suspended, with
  ``allow_suspended = true``);
- ``False``: the partner is suspended, or not in the register at all;
- ``None`` (unknown): no register is configured, the partner has neither id nor name
  recorded, or its name (without a matching id) belongs to several organisations in the
  register with different statuses.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Final

import attrs
from attrs import frozen

if TYPE_CHECKING:
    from partnerrules.registry import CheckFunction
    from partnerrules.registry import RegisterCheck

__all__ = [
    "CHECK_NAME",
    "ApprovedRegister",
    "Register",
    "approved_register_check",
    "normalise",
    "read_register",
    "register_approved_register",
]

CHECK_NAME: Final = "civicfund.approved_register"
APPROVED: Final = "approved"
SUSPENDED: Final = "suspended"
STATUSES: Final = (APPROVED, SUSPENDED)
#: What :meth:`Register.status_of` returns for a name shared by organisations whose
#: statuses differ.
AMBIGUOUS: Final = "ambiguous"
COLUMNS: Final = ("organisation_id", "name", "status")
#: The plugin's settings ([settings.civicfund]); as_of is read by prepare_facts.
SETTINGS: Final = ("register", "as_of")
#: Words that mean "not known" where an id or a name is expected.
_UNKNOWN: Final = frozenset({"unknown"})


@frozen
class ApprovedRegister:
    """The params of ``civicfund.approved_register`` in a rule's ``params`` table."""

    #: Count a partner whose approval is suspended as approved (default: it is not).
    allow_suspended: bool = False


def normalise(text: str) -> str:
    """Return text for matching: case folded, whitespace trimmed and collapsed."""
    return " ".join(text.split()).casefold()


@frozen
class Register:
    """Civic Fund's register of approved organisations, indexed for matching.

    ``by_name`` holds every status recorded under a name: two organisations may share
    a name, and a name alone then settles the question only if they share a status.
    """

    origin: str
    by_id: Mapping[str, str] = attrs.field(factory=dict)
    by_name: Mapping[str, frozenset[str]] = attrs.field(factory=dict)

    def status_of(self, partner_id: str | None, name: str | None) -> str | None:
        """Return the partner's status, :data:`AMBIGUOUS`, or ``None`` when not found.

        :param partner_id: the partner's id, normalised (``None`` when not recorded)
        :param name: the partner's name, normalised (``None`` when not recorded)
        """
        if partner_id is not None and partner_id in self.by_id:
            return self.by_id[partner_id]
        if name is not None and name in self.by_name:
            statuses = self.by_name[name]
            return next(iter(statuses)) if len(statuses) == 1 else AMBIGUOUS
        return None


def read_register(path: str | os.PathLike[str]) -> Register:
    """Read the register CSV (UTF-8, with or without a byte-order mark).

    :raises ValueError: naming the file and line when it cannot be read, lacks a column,
        has a status other than approved or suspended, a row with neither id nor name,
        or the same organisation id twice
    """
    origin = os.fspath(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as stream:
            reader = csv.reader(stream, strict=True)
            # Each row with the line it ends on (a quoted cell may span lines).
            rows = [(row, reader.line_num) for row in reader]
    except FileNotFoundError:
        hint = (
            ""
            if Path(path).is_absolute()
            else f" (a relative path is taken from the working directory, {os.getcwd()};"
            " in partnerrules.toml, write it as ./name.csv to have it taken from the"
            " configuration file's directory)"
        )
        raise ValueError(
            f"the register of approved organisations {origin!r} does not exist{hint}"
        ) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(
            f"cannot read the register of approved organisations {origin!r}: {exc}"
        ) from None
    if not rows:
        raise ValueError(
            f"{origin}: the register is empty; expected a header row: {','.join(COLUMNS)}"
        )
    first = rows[0][0]
    header = [normalise(h) for h in first]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ValueError(
            f"{origin}, line 1: the register has no {', '.join(missing)} column"
            f" (expected the columns {', '.join(COLUMNS)}; found {', '.join(first)})"
        )
    at = {column: header.index(column) for column in COLUMNS}
    by_id: dict[str, str] = {}
    by_name: dict[str, set[str]] = {}
    for row, line in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        written = {c: row[i] if i < len(row) else "" for c, i in at.items()}
        cells = {c: normalise(text) for c, text in written.items()}
        status = cells["status"]
        if status not in STATUSES:
            raise ValueError(
                f"{origin}, line {line}: status {written['status']!r} is neither"
                f" {APPROVED!r} nor {SUSPENDED!r}"
            )
        org_id, name = cells["organisation_id"], cells["name"]
        if not org_id and not name:
            raise ValueError(
                f"{origin}, line {line}: the row has neither an organisation_id nor a name"
            )
        if org_id:
            if org_id in by_id:
                raise ValueError(
                    f"{origin}, line {line}: organisation_id {written['organisation_id']!r}"
                    " appears twice in the register"
                )
            by_id[org_id] = status
        if name:
            by_name.setdefault(name, set()).add(status)
    return Register(origin, by_id, {n: frozenset(s) for n, s in by_name.items()})


def _recorded(value: object) -> str | None:
    """Return an id or name as normalised text, or ``None`` when it was not recorded."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = normalise(str(value))
    return text if text and text not in _UNKNOWN else None


def approved_register_check(register: Register | None) -> CheckFunction:
    """Return the check function, bound to a register (``None``: none is configured)."""

    def approved_register(
        facts: Mapping[str, object], item: object, params: ApprovedRegister
    ) -> bool | None:
        if register is None or not isinstance(item, Mapping):
            return None  # no register configured, or not used with for_each = "partners"
        partner_id, name = _recorded(item.get("id")), _recorded(item.get("name"))
        if partner_id is None and name is None:
            return None
        status = register.status_of(partner_id, name)
        if status is None:
            return False  # not in the register
        if status == AMBIGUOUS:
            return None  # a name several organisations share, with different statuses
        return status == APPROVED or (params.allow_suspended and status == SUSPENDED)

    return approved_register


def register_approved_register(register: RegisterCheck, settings: Mapping[str, object]) -> None:
    """Read the register named by the ``register`` setting and register the check.

    The plugin's other settings are checked here too (this hook runs once per engine), so
    that a misspelt ``regsiter`` is an error rather than a register silently missing.

    :raises ValueError: when a setting is unknown, ``register`` is not a path, or the
        file is not a valid register
    """
    from partnerrules.errors import did_you_mean

    for key in settings:
        if key not in SETTINGS:
            raise ValueError(
                f"unknown setting {key!r}{did_you_mean(str(key), SETTINGS)}"
                f" (the settings of civicfund are: {', '.join(SETTINGS)})"
            )
    location = settings.get("register")
    if location is None:
        register_file = None
    elif isinstance(location, str | os.PathLike) and os.fspath(location).strip():
        register_file = read_register(location)
    else:
        raise ValueError(
            f"setting 'register' must be the path of the register CSV file, got {location!r}"
        )
    where = (
        f"the register {register_file.origin}"
        if register_file is not None
        else "no register configured: set [settings.civicfund] register, or the rule is unknown"
    )
    register(
        CHECK_NAME,
        approved_register_check(register_file),
        params=ApprovedRegister,
        reads=["item.id", "item.name"],
        description=(
            "the partner (matched by id, then name) is approved in Civic Fund's register"
            f" of approved organisations ({where})"
        ),
    )
