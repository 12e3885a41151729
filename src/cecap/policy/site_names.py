"""Each experiment's own names for the grid's sites (site_names.yaml), and the tier a
name gives: what the VO feed names a site by, for any command that groups sites so."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# A site name of the WLCG tier convention CMS names its sites by (T2_US_Nebraska): the
# digit after the T is its tier, as the CMS VO-feed writer takes it (CMSCompOps/
# MonitoringScripts, vofeed/vofeed.py, convert2XML: ``tier = site[1:2]``).
_TIERED = re.compile(r"T(\d)_\S+")


def tier_of(name: str) -> int | None:
    """The tier a site name gives (T2_US_Nebraska: 2), None for a name without one."""
    found = _TIERED.fullmatch(name)
    return int(found.group(1)) if found else None


@dataclass(frozen=True, slots=True)
class SiteName:
    """A grid site's name in one experiment, and its tier when the name gives one."""

    name: str

    @property
    def tier(self) -> int | None:
        return tier_of(self.name)


def _frozen(names: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in names.items()})


@dataclass(frozen=True)
class SiteNames:
    """Per experiment key: grid site name (GlueSiteName, compared ignoring case) -> the
    experiment's name for it. ``ambiguous``: grid sites a CRIC listing gives several
    names and site_names.yaml none, with those names, so a warning can list them."""

    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    ambiguous: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        folded = {e: {s.lower(): n for s, n in m.items()} for e, m in self.names.items()}
        object.__setattr__(self, "names", _frozen(folded))
        ambiguous = {e: {s.lower(): n for s, n in m.items()} for e, m in self.ambiguous.items()}
        object.__setattr__(self, "ambiguous", MappingProxyType(ambiguous))

    def name_of(self, experiment: str, site: str) -> SiteName | None:
        """The experiment's name for the grid site ``site``, None when it has none."""
        name = self.names.get(experiment, {}).get(site.lower())
        return SiteName(name) if name is not None else None

    def candidates(self, experiment: str, site: str) -> tuple[str, ...]:
        """The names a CRIC listing gives an unnamed site (several, so none was chosen)."""
        return self.ambiguous.get(experiment, {}).get(site.lower(), ())
