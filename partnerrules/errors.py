"""The exceptions partnerrules raises; the CLI turns every one of them into exit code 2."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from collections.abc import Sequence


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """Return ``"; did you mean 'x'?"`` for the closest candidate, or an empty string."""
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {matches[0]!r}?" if matches else ""


class PartnerRulesError(Exception):
    """Base class of every error partnerrules raises on purpose."""


class RulesetError(PartnerRulesError):
    """A ruleset file could not be read, parsed or validated.

    :param origin: the file (or other origin) of the ruleset
    :param messages: one line per problem, each naming the rule id and key path
    """

    def __init__(self, origin: str, messages: Sequence[str]) -> None:
        super().__init__(origin, list(messages))
        self.origin = origin
        self.messages = list(messages)

    def __str__(self) -> str:
        if len(self.messages) == 1:
            return f"{self.origin}: {self.messages[0]}"
        lines = [f"{self.origin}: {len(self.messages)} problems"]
        lines.extend(f"  - {m}" for m in self.messages)
        return "\n".join(lines)


class FactsError(PartnerRulesError):
    """A facts document could not be read or is not a table of facts.

    :param origin: the file (or other origin) of the facts
    :param message: what is wrong, naming the key path where there is one
    """

    def __init__(self, origin: str, message: str) -> None:
        super().__init__(origin, message)
        self.origin = origin
        self.message = message

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


class PluginError(PartnerRulesError):
    """A plugin is broken, missing or misbehaving.

    :param plugin: the plugin's name (``dist[entry point]`` for installed plugins)
    :param message: what went wrong
    """

    def __init__(
        self, plugin: str, message: str, original_exception: BaseException | None = None
    ) -> None:
        super().__init__(plugin, message)
        self.plugin = plugin
        self.message = message
        self.original_exception = original_exception

    def __str__(self) -> str:
        return f"plugin {self.plugin!r}: {self.message}"


class DuplicateRegistrationError(PluginError):
    """Two plugins registered the same name for the same hook."""

    def __init__(self, what: str, name: str, first: str, second: str) -> None:
        super().__init__(second, f"{what} {name!r} is already registered by plugin {first!r}")
        self.what = what
        self.name = name
        self.first = first
        self.second = second


class UnknownRulesetError(PartnerRulesError):
    """A ruleset id that no plugin provides and that is not a file."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        known = sorted(known)
        super().__init__(name, known)
        self.name = name
        self.known = known

    def __str__(self) -> str:
        hint = did_you_mean(self.name, self.known)
        available = ", ".join(self.known) or "none"
        return (
            f"no ruleset with id {self.name!r} and no such file{hint}"
            f" (available rulesets: {available})"
        )
