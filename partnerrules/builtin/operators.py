"""The built-in operators, registered through the same hook an organisation's plugin uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from partnerrules import ABSENT
from partnerrules import RegisterOperator
from partnerrules import Test
from partnerrules import compare
from partnerrules import hookimpl

#: Text that says a section has not really been written yet.
PLACEHOLDERS: Final = frozenset(
    {
        "", "-", "--", "?", "...", "n/a", "na", "none", "no", "tbc", "tbd", "tba", "todo",
        "to do", "to be decided", "to be confirmed", "to be agreed", "not yet", "pending", "xxx",
        "partly", "partial",
    }
)  # fmt: skip

#: The judgement scale, lowest first.
JUDGEMENTS: Final = ("no", "partly", "yes")
_JUDGEMENT_ALIASES: Final = {"partial": "partly", True: "yes", False: "no"}


def judgement(value: object) -> str | None:
    """Return ``yes``, ``partly`` or ``no`` for a judgement fact, ``None`` if it is none.

    ``true``/``false`` read as yes/no, ``partial`` as partly, and a placeholder such as
    ``tbd`` or empty text as no (it records that the thing is not done). Other text is
    not a judgement.
    """
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        word = value.strip().lower()
        word = str(_JUDGEMENT_ALIASES.get(word, word))
        if word in JUDGEMENTS:
            return word
        if word in PLACEHOLDERS:
            return "no"
    return None


def is_filled(value: object) -> bool | None:
    """Say whether a value shows that something has been recorded and done.

    Text counts when it is not empty and not a placeholder such as ``tbd``; ``yes`` and
    ``true`` count; ``no``, ``false``, ``partly``, empty text, lists and tables do not.
    A non-empty list or table counts when at least one of its values does.
    """
    if value.__class__ is str:  # the usual case first
        return value.strip().lower() not in PLACEHOLDERS
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() not in PLACEHOLDERS
    if isinstance(value, int | float):
        return True
    if isinstance(value, list):
        return any(is_filled(v) for v in value if v is not None)
    if isinstance(value, dict):
        return any(is_filled(v) for v in value.values() if v is not None)
    return True  # dates and times: a recorded date is a recorded fact


def _comparison(op: str) -> Callable[[object], Test]:
    def compile_(expected: object) -> Test:
        def test(value: object) -> bool | None:
            return compare(op, value, expected)

        return test

    return compile_


def _values(expected: object) -> tuple[object, ...]:
    if not isinstance(expected, list):
        raise TypeError(f"expected a list of values, got {expected!r}")
    return tuple(expected)


def _in(expected: object) -> Test:
    options = _values(expected)

    def test(value: object) -> bool | None:
        if isinstance(value, list | dict):
            return None
        return any(compare("==", value, o) for o in options)

    return test


def _not_in(expected: object) -> Test:
    inside = _in(expected)

    def test(value: object) -> bool | None:
        r = inside(value)
        return None if r is None else not r

    return test


def _member(container: object, wanted: object) -> bool | None:
    if isinstance(container, str):
        if not isinstance(wanted, str):
            return None
        return wanted.lower() in container.lower()
    if isinstance(container, list):
        return any(compare("==", v, wanted) for v in container)
    return None


def _contains(expected: object) -> Test:
    def test(value: object) -> bool | None:
        return _member(value, expected)

    return test


def _contains_all(expected: object) -> Test:
    wanted = _values(expected)

    def test(value: object) -> bool | None:
        results = [_member(value, w) for w in wanted]
        if False in results:  # Kleene: one value known to be absent settles it
            return False
        return None if None in results else True

    return test


def _contains_any(expected: object) -> Test:
    wanted = _values(expected)

    def test(value: object) -> bool | None:
        results = [_member(value, w) for w in wanted]
        if True in results:  # Kleene: one value known to be present settles it
            return True
        return None if None in results else False

    return test


def _exists(expected: object) -> Test:
    def test(value: object) -> bool | None:
        return value is not ABSENT

    return test


def _missing(expected: object) -> Test:
    def test(value: object) -> bool | None:
        return value is ABSENT

    return test


def _filled(expected: object) -> Test:
    return is_filled


def _judgement_words(expected: object) -> frozenset[str]:
    words = expected if isinstance(expected, list) else [expected]
    out = set()
    for word in words:
        j = judgement(word) if isinstance(word, str) else None
        if j is None:
            raise ValueError(f"expected judgement values from yes, partly, no; got {word!r}")
        out.add(j)
    if not out:
        raise ValueError("expected at least one judgement value: yes, partly or no")
    return frozenset(out)


def _judged(expected: object) -> Test:
    words = _judgement_words(expected)

    def test(value: object) -> bool | None:
        j = judgement(value)
        return None if j is None else j in words

    return test


def _at_least(expected: object) -> Test:
    (word,) = _judgement_words(expected) if isinstance(expected, str) else (None,)
    if word is None:
        raise ValueError("expected one judgement value: yes, partly or no")
    floor = JUDGEMENTS.index(word)

    def test(value: object) -> bool | None:
        j = judgement(value)
        return None if j is None else JUDGEMENTS.index(j) >= floor

    return test


def _judged_as(word: str) -> Callable[[object], Test]:
    def compile_(expected: object) -> Test:
        def test(value: object) -> bool | None:
            j = judgement(value)
            return None if j is None else j == word

        return test

    return compile_


@hookimpl
def register_operators(register: RegisterOperator) -> None:
    """Register the comparison, presence, membership and judgement operators."""
    for op, words in (
        ("==", "equal to"),
        ("!=", "not equal to"),
        ("<", "less than"),
        ("<=", "at most"),
        (">", "more than"),
        (">=", "at least"),
    ):
        register(op, _comparison(op), value="scalar", description=f"the fact is {words} the value")
    register("in", _in, value="list", description="the fact is one of the listed values")
    register("not_in", _not_in, value="list", description="the fact is none of the listed values")
    register(
        "contains",
        _contains,
        value="scalar",
        description="the list (or text) fact contains the value",
    )
    register(
        "contains_all",
        _contains_all,
        value="list",
        description="the list (or text) fact contains every listed value",
    )
    register(
        "contains_any",
        _contains_any,
        value="list",
        description="the list (or text) fact contains at least one listed value",
    )
    register(
        "exists",
        _exists,
        reads_absent=True,
        description="the fact was recorded (never unknown; use with care)",
    )
    register(
        "missing",
        _missing,
        reads_absent=True,
        description="the fact was not recorded (never unknown; use with care)",
    )
    register(
        "filled",
        _filled,
        description=(
            "the fact is recorded as done: real text rather than a placeholder such as 'tbd',"
            " or yes/true"
        ),
    )
    register(
        "judged",
        _judged,
        value="any",
        description="the judgement (yes / partly / no) is one of the values",
    )
    register(
        "at_least",
        _at_least,
        value="scalar",
        description="the judgement is at least the value (no < partly < yes)",
    )
    for word in JUDGEMENTS:
        register(word, _judged_as(word), description=f"the judgement is '{word}'")
