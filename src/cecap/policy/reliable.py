"""An experiment's rule for calling a CE reliable with glexec, and which test results count."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from .strict_yaml import quote

if TYPE_CHECKING:
    from .checker import Checker

# The glexec test metrics of the SAM/ETF frameworks (ETF appends "-/VO/Role=pilot" to a
# metric's name; cecap strips that before comparing). {vo} is the experiment's VO.
DEFAULT_METRICS = (
    "org.{vo}.glexec.WN-gLExec",
    "emi.cream.glexec.WN-gLExec",
    "org.sam.glexec.WN-gLExec",
)

# What a glexec test prints when glexec ran the payload as the pilot: log-only mode. CMS's
# probe org.cms.glexec.WN-gLExec runs `glexec /usr/bin/id` and, when the payload's uid and
# gids are the pilot's, adds this line and ends WARNING; CMS's coordinators' page did not
# count a result with it as an error (CMSCompOps/MonitoringScripts,
# Tests/glexec/GlexecFunctions.php lines 46-49, getMessage).
CMS_LOG_ONLY = "Warning: Same /usr/bin/id for payload and pilot"

_WINDOW = re.compile(r"(\d{1,6})([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_window(text: str) -> timedelta:
    """``30m``, ``24h`` or ``7d``; ValueError otherwise."""
    found = _WINDOW.fullmatch(text.strip())
    if not found or int(found.group(1)) == 0:
        raise ValueError(f"{text!r} is not a window: a positive number and m, h or d (e.g. 7d)")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


@dataclass(frozen=True, slots=True)
class ReliableRule:
    """When an (experiment, CE) is reliable: ``ready`` over the whole window, and at least
    ``min_results`` glexec results in it, ``min_ok_ratio`` of them OK (the last one OK too
    with ``last_must_be_ok``). ``failing_streak``: a ready CE whose last that many results
    all failed is a warning of the check."""

    window: timedelta = timedelta(days=7)
    min_results: int = 24
    min_ok_ratio: float = 0.95
    last_must_be_ok: bool = True
    failing_streak: int = 3

    @property
    def window_text(self) -> str:
        seconds = int(self.window.total_seconds())
        for unit, size in (("d", 86400), ("h", 3600)):
            if seconds % size == 0:
                return f"{seconds // size}{unit}"
        return f"{seconds // 60}m"


@dataclass(frozen=True, slots=True)
class ModeEvidence:
    """What in a glexec test's output shows the mode glexec ran in: a result whose summary
    or output holds one of ``log_only`` shows log-only mode; one that holds one of
    ``setuid``, or (``ok_is_setuid``) ends OK without a log-only string, shows setuid (a
    test that tells the modes apart ends OK only when the payload ran as another user)."""

    log_only: tuple[str, ...] = (CMS_LOG_ONLY,)
    setuid: tuple[str, ...] = ()
    ok_is_setuid: bool = True


_EVIDENCE_KEYS = {"log-only": "log_only", "setuid": "setuid", "ok_is_setuid": "ok_is_setuid"}


def mode_evidence(check: Checker, raw: Any, where: str) -> ModeEvidence:
    """The ``mode_evidence`` strings; what it leaves out keeps the default."""
    if raw is None:
        return ModeEvidence()
    body = check.mapping(raw, where, set(_EVIDENCE_KEYS))
    evidence = ModeEvidence()
    for key, value in body.items():
        at, line = f"{where}.{key}", getattr(body, "lines", {}).get(key)
        if key == "ok_is_setuid":
            if not isinstance(value, bool):
                raise check.fail(at, f"{quote(value)} is not true or false", line)
        else:
            value = check.strings(value, at)  # each non-empty: "" would match every output
        evidence = replace(evidence, **{_EVIDENCE_KEYS[key]: value})
    return evidence


@dataclass(frozen=True, slots=True)
class FailingRule:
    """When `summary` counts a CE failing: its errors (results not OK, those that show
    log-only mode left out unless ``log_only_is_error``) are at least ``min_error_ratio``
    of its errors and OKs over the window; 0.5 is errors at least OKs, the rule of CMS's
    coordinators' glexec page (CMSCompOps/MonitoringScripts,
    Tests/glexec/GlexecFunctions.php lines 95-96). A CE with neither is not failing."""

    min_error_ratio: float = 0.5
    log_only_is_error: bool = False


def failing_rule(check: Checker, raw: Any, where: str) -> FailingRule:
    """The ``failing`` rule; what it leaves out keeps the default."""
    if raw is None:
        return FailingRule()
    body = check.mapping(raw, where, {f.name for f in fields(FailingRule)})
    rule = FailingRule()
    for key, value in body.items():
        at, line = f"{where}.{key}", getattr(body, "lines", {}).get(key)
        if key == "log_only_is_error" and not isinstance(value, bool):
            raise check.fail(at, f"{quote(value)} is not true or false", line)
        if key == "min_error_ratio" and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1
        ):
            raise check.fail(at, f"{quote(value)} is not a ratio above 0, up to 1 (e.g. 0.5)", line)
        rule = replace(rule, **{key: value})
    return rule


def metric_base(metric: str) -> str:
    """The metric's name without ETF's ``-/VO/Role=...`` suffix."""
    base, dash, _ = metric.partition("-/")
    return base if dash else metric


def reliable_rule(check: Checker, raw: Any, where: str) -> ReliableRule:
    """The ``reliable`` rule; what it leaves out keeps the default."""
    if raw is None:
        return ReliableRule()
    body = check.mapping(raw, where, {f.name for f in fields(ReliableRule)})
    rule = ReliableRule()
    for key, value in body.items():
        at, line = f"{where}.{key}", getattr(body, "lines", {}).get(key)
        if key == "window":
            try:
                value = parse_window(check.string(value, at))
            except ValueError as exc:
                raise check.fail(at, str(exc), line) from None
        elif key == "last_must_be_ok" and not isinstance(value, bool):
            raise check.fail(at, f"{quote(value)} is not true or false", line)
        elif key == "min_ok_ratio" and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
        ):
            raise check.fail(at, f"{quote(value)} is not a ratio from 0 to 1 (e.g. 0.95)", line)
        elif key in ("min_results", "failing_streak") and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise check.fail(at, f"{quote(value)} is not a whole number of 1 or more", line)
        rule = replace(rule, **{key: value})
    return rule
