"""The factory audit (pure): a glideinWMS factory's entries against the CEs' verdicts ->
findings, per entry and experiment.

An entry is matched to the CEs it submits to through its gatekeeper (and rsl queue): each
CE's reading (model.reading) accepts the entry's form or not. The experiments it serves
are those its GLIDEIN_Supported_VOs names (by experiment name, key or VO, any case), else
every chosen experiment whose VO the CE serves; an experiment whose VO the CE does not
serve has no verdict there and no finding.

No entry is passed over: one whose form cecap does not understand (a grid type no BDII
publishes, such as ec2 or batch, or a gatekeeper of no known form) is
``entry-not-understood``, an error where it uses glexec; one understood that matches no CE
is ``entry-not-in-bdii``. An entry set is judged on every entry in it.

``reliability`` maps (experiment key, CE ID) to whether glexec test results show glexec
working there; a pair without results is absent, and with no mapping at all (None) the
``glexec-not-reliable`` check never fires.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from ..model.glue import CE, GlueModel
from ..model.reading import GRID_TYPES, EntryTarget, read_entry
from ..policy.stances import Experiment
from ..sources.factory import FactoryEntry, Submission
from .audit.findings import Severity
from .reliable import Reliability as Judged
from .verdicts import Assessment, Verdict

# (experiment key, CE ID) -> glexec is reliable there (from test results).
Reliability = Mapping[tuple[str, str], bool]


def reliable_flags(judged: Mapping[tuple[str, str], Judged]) -> dict[tuple[str, str], bool]:
    """The pairs with glexec test results in the window, and whether each is reliable."""
    return {key: r.reliable for key, r in judged.items() if r.reliable is not None}


# Verdicts under which a site, or the BDII, says no glexec pilots (Verdict.refuses_glexec).
REFUSED = tuple(v for v in Verdict if v.refuses_glexec)


class FactoryKind(Enum):
    """What is wrong with an entry; the values are stable names a factory's CI may match."""

    GLEXEC_WHERE_REFUSED = "glexec-where-refused"
    ENTRY_NOT_UNDERSTOOD = "entry-not-understood"
    ENTRY_NOT_IN_BDII = "entry-not-in-bdii"
    GLEXEC_WHERE_CONDITIONAL = "glexec-where-conditional"
    GLEXEC_NOT_RELIABLE = "glexec-not-reliable"
    GLEXEC_AVAILABLE = "glexec-available"

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self]


_SEVERITY = {
    FactoryKind.GLEXEC_WHERE_REFUSED: Severity.ERROR,
    # An error where the entry uses glexec (FactoryFinding.level), else a warning.
    FactoryKind.ENTRY_NOT_UNDERSTOOD: Severity.WARNING,
    FactoryKind.ENTRY_NOT_IN_BDII: Severity.WARNING,
    FactoryKind.GLEXEC_WHERE_CONDITIONAL: Severity.WARNING,
    FactoryKind.GLEXEC_NOT_RELIABLE: Severity.WARNING,
    FactoryKind.GLEXEC_AVAILABLE: Severity.INFO,
}


@dataclass(frozen=True, slots=True)
class FactoryFinding:
    """One problem of one entry for one experiment (``experiment`` empty for an entry that
    matches no CE) on one CE."""

    kind: FactoryKind
    entry: FactoryEntry
    experiment: str
    vo: str
    ce: str
    site: str
    verdict: Verdict | None
    message: str
    level: Severity | None = None  # where it is not the kind's own

    @property
    def severity(self) -> Severity:
        return self.level or self.kind.severity


@dataclass(frozen=True, slots=True)
class Case:
    """What a check sees: an entry, one CE it submits to, and one experiment's verdict."""

    entry: FactoryEntry
    assessment: Assessment
    reliable: bool | None  # None: no glexec test results for this CE and experiment


Check = Callable[[Case], str | None]
# The checks, in order, each with the kind it finds; a check returns the message.
CHECKS: list[tuple[FactoryKind, Check]] = []


def check(kind: FactoryKind) -> Callable[[Check], Check]:
    def register(func: Check) -> Check:
        CHECKS.append((kind, func))
        return func

    return register


@check(FactoryKind.GLEXEC_WHERE_REFUSED)
def _where_refused(case: Case) -> str | None:
    verdict = case.assessment.verdict
    if not case.entry.uses_glexec or verdict not in REFUSED:
        return None
    return (
        f"GLEXEC_BIN is {case.entry.glexec_bin} but the verdict is {verdict.value}:"
        f" {case.assessment.reason}; set GLEXEC_BIN to NONE"
    )


@check(FactoryKind.GLEXEC_WHERE_CONDITIONAL)
def _where_conditional(case: Case) -> str | None:
    if not case.entry.uses_glexec or case.assessment.verdict is not Verdict.CONDITIONAL:
        return None
    return (
        f"GLEXEC_BIN is {case.entry.glexec_bin} but the verdict is conditional:"
        f" {case.assessment.reason}; set GLEXEC_BIN to NONE until the site says yes"
    )


@check(FactoryKind.GLEXEC_NOT_RELIABLE)
def _not_reliable(case: Case) -> str | None:
    if not case.entry.uses_glexec or case.assessment.verdict is not Verdict.READY:
        return None
    if case.reliable is not False:
        return None
    return (
        "GLEXEC_BIN is set and the CE is ready, but its glexec test results in the"
        " experiment's window do not make it reliable (see cecap explain)"
    )


@check(FactoryKind.GLEXEC_AVAILABLE)
def _available(case: Case) -> str | None:
    if case.entry.uses_glexec:
        return None
    if case.assessment.verdict is not Verdict.READY and case.reliable is not True:
        return None
    if case.reliable:
        return "GLEXEC_BIN is NONE but the CE is reliable with glexec (its glexec tests pass)"
    return "GLEXEC_BIN is NONE but the CE is ready for glexec pilots"


@dataclass(frozen=True, slots=True)
class FactoryAudit:
    """The findings, and how many entries were read, matched CEs of the source, matched
    none (not in the BDII) and were not understood."""

    findings: tuple[FactoryFinding, ...]
    read: int
    matched: int
    not_in_bdii: int
    not_understood: int

    @property
    def summary(self) -> str:
        return (
            f"{self.read} entries read: {self.matched} matched, {self.not_in_bdii} not in"
            f" the BDII, {self.not_understood} not understood"
        )


def audit_factory(
    entries: Iterable[FactoryEntry],
    model: GlueModel,
    assessments: Iterable[Assessment],
    experiments: Sequence[Experiment],
    reliability: Reliability | None = None,
) -> FactoryAudit:
    """Every finding for ``entries`` (see the module doc): errors first, then by entry,
    experiment, kind and CE; and the counts."""
    verdicts = {(a.experiment.key, a.ce.unique_id): a for a in assessments}
    submittable = [ce for ce in model.ces if ce.reading.grid_type is not None]
    found: list[FactoryFinding] = []
    read = matched = not_in_bdii = not_understood = 0
    for entry in entries:
        read += 1
        ces, unknown, missing = _places(entry, submittable)
        found.extend(_not_understood(entry, s) for s in unknown)
        found.extend(_not_in_bdii(entry, s) for s in missing)
        if unknown:
            not_understood += 1
        elif missing:
            not_in_bdii += 1
        else:
            matched += 1
        for experiment in _served(entry, experiments):
            for ce in ces.values():
                assessment = verdicts.get((experiment.key, ce.unique_id))
                if assessment is None:
                    continue
                reliable = (reliability or {}).get((experiment.key, ce.unique_id))
                found.extend(_findings(Case(entry, assessment, reliable)))
    order = tuple(Severity)
    kinds = tuple(FactoryKind)
    found.sort(
        key=lambda f: (
            order.index(f.severity),
            f.entry.file,
            f.entry.name,
            f.experiment,
            kinds.index(f.kind),
            f.ce,
        )
    )
    return FactoryAudit(tuple(found), read, matched, not_in_bdii, not_understood)


def _places(
    entry: FactoryEntry, submittable: Sequence[CE]
) -> tuple[dict[str, CE], list[Submission], list[Submission]]:
    """The CEs ``entry`` submits to, and its submissions not understood and matching none."""
    ces: dict[str, CE] = {}
    unknown, missing = [], []
    for submission in entry.submissions:
        target = read_entry(submission.gridtype, submission.gatekeeper, submission.rsl)
        if target is None:
            unknown.append(submission)
            continue
        here = _matching(target, submittable)
        if not here:
            missing.append(submission)
        for ce in here:
            ces.setdefault(ce.unique_id, ce)
    return ces, unknown, missing


def _matching(target: EntryTarget, ces: Sequence[CE]) -> list[CE]:
    return [ce for ce in ces if ce.reading.accepts(target) and _share_queue(ce, target)]


def _share_queue(ce: CE, target: EntryTarget) -> bool:
    """A CE whose ID names no queue (a GLUE 2.0 endpoint) takes an entry's queue when one
    of its shares maps to it, or when none names a queue."""
    queues = {view.queue for view in ce.voviews if view.queue}
    return not (target.queue and not ce.reading.queue and queues) or target.queue in queues


def _served(entry: FactoryEntry, experiments: Sequence[Experiment]) -> list[Experiment]:
    named = {vo.lower() for vo in entry.supported_vos}
    if not named:
        return list(experiments)
    return [e for e in experiments if named & {e.name.lower(), e.key.lower(), e.vo.lower()}]


def _findings(case: Case) -> Iterable[FactoryFinding]:
    a = case.assessment
    for kind, func in CHECKS:
        message = func(case)
        if message is not None:
            yield FactoryFinding(
                kind,
                case.entry,
                a.experiment.key,
                a.experiment.vo,
                a.ce.unique_id,
                a.ce.site,
                a.verdict,
                message,
            )


def _about(entry: Submission, whole: FactoryEntry) -> str:
    member = f" (entry {entry.name!r} of the set)" if whole.entry_set else ""
    return f"{whole.where}{member}: gatekeeper {entry.gatekeeper!r} ({entry.gridtype})"


def _unmatched(
    kind: FactoryKind, entry: FactoryEntry, message: str, level: Severity | None = None
) -> FactoryFinding:
    """A finding of an entry that matches no CE: no experiment, CE or verdict to name."""
    vos = ",".join(entry.supported_vos)
    site = entry.attr("GLIDEIN_Site") or ""
    return FactoryFinding(kind, entry, "", vos, "", site, None, message, level)


def _not_in_bdii(entry: FactoryEntry, submission: Submission) -> FactoryFinding:
    return _unmatched(
        FactoryKind.ENTRY_NOT_IN_BDII,
        entry,
        f"{_about(submission, entry)} matches no CE in the source",
    )


def _not_understood(entry: FactoryEntry, submission: Submission) -> FactoryFinding:
    if submission.gridtype.strip().lower() not in GRID_TYPES:
        why = f"its grid type is not one a BDII publishes ({', '.join(GRID_TYPES)})"
    else:
        why = "cecap does not know this form of gatekeeper for its grid type"
    glexec = (
        f"; GLEXEC_BIN is {entry.glexec_bin}, and no verdict vouches for it"
        if entry.uses_glexec
        else ""
    )
    return _unmatched(
        FactoryKind.ENTRY_NOT_UNDERSTOOD,
        entry,
        f"{_about(submission, entry)}: not understood: {why}{glexec}",
        Severity.ERROR if entry.uses_glexec else None,
    )


def worst_factory(findings: Iterable[FactoryFinding]) -> Severity | None:
    order = tuple(Severity)
    levels = [f.severity for f in findings]
    return min(levels, key=order.index) if levels else None
