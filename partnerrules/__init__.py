"""partnerrules: judge how well a partnership between organisations is set up and run.

Build an :class:`Engine` once (plugins loaded, rulesets parsed, checked and compiled),
then call :meth:`Engine.evaluate` with each partnership's facts to get a :class:`Report`.
"""

from __future__ import annotations

from partnerrules.conditions import ABSENT
from partnerrules.conditions import compare
from partnerrules.config import Config
from partnerrules.engine import Engine
from partnerrules.errors import DuplicateRegistrationError
from partnerrules.errors import FactsError
from partnerrules.errors import PartnerRulesError
from partnerrules.errors import PluginError
from partnerrules.errors import RulesetError
from partnerrules.errors import UnknownRulesetError
from partnerrules.hookspecs import hookimpl
from partnerrules.jsonreport import SCHEMA_VERSION
from partnerrules.jsonreport import report_as_dict
from partnerrules.jsonreport import reports_as_document
from partnerrules.model import Assessment
from partnerrules.model import Band
from partnerrules.model import Evidence
from partnerrules.model import EvidenceRequest
from partnerrules.model import FactSpec
from partnerrules.model import FactType
from partnerrules.model import Finding
from partnerrules.model import Group
from partnerrules.model import GroupResult
from partnerrules.model import ItemOutcome
from partnerrules.model import Notice
from partnerrules.model import Outcome
from partnerrules.model import Report
from partnerrules.model import Rule
from partnerrules.model import Ruleset
from partnerrules.model import RulesetInfo
from partnerrules.model import Severity
from partnerrules.model import Source
from partnerrules.model import Status
from partnerrules.plugins import get_plugin_manager
from partnerrules.registry import CheckFunction
from partnerrules.registry import OutputOptions
from partnerrules.registry import RegisterCheck
from partnerrules.registry import RegisterFactLoader
from partnerrules.registry import RegisterKind
from partnerrules.registry import RegisterOperator
from partnerrules.registry import RegisterOutput
from partnerrules.registry import RegisterRuleset
from partnerrules.registry import Test
from partnerrules.summary import Summary
from partnerrules.summary import summarise

__version__ = "0.1.0"

__all__ = [
    "ABSENT",
    "SCHEMA_VERSION",
    "Assessment",
    "Band",
    "CheckFunction",
    "Config",
    "DuplicateRegistrationError",
    "Engine",
    "Evidence",
    "EvidenceRequest",
    "FactSpec",
    "FactType",
    "FactsError",
    "Finding",
    "Group",
    "GroupResult",
    "ItemOutcome",
    "Notice",
    "Outcome",
    "OutputOptions",
    "PartnerRulesError",
    "PluginError",
    "RegisterCheck",
    "RegisterFactLoader",
    "RegisterKind",
    "RegisterOperator",
    "RegisterOutput",
    "RegisterRuleset",
    "Report",
    "Rule",
    "Ruleset",
    "RulesetError",
    "RulesetInfo",
    "Severity",
    "Source",
    "Status",
    "Summary",
    "Test",
    "UnknownRulesetError",
    "__version__",
    "compare",
    "get_plugin_manager",
    "hookimpl",
    "report_as_dict",
    "reports_as_document",
    "summarise",
]
