"""The model: CEs with their VOViews, clusters and sites, whatever source they came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from .reading import CEReading, read_ce

GLUE13 = "1.3"
GLUE20 = "2.0"


@dataclass(frozen=True, slots=True)
class VOView:
    """A GlueVOView: one VO's (or group's) view of a CE."""

    local_id: str
    rules: tuple[str, ...]
    capabilities: tuple[str, ...]
    dn: str = ""
    published: tuple[tuple[str, str], ...] = ()  # GLUE 2.0 shares: as CE.published
    queue: str = ""  # a GLUE 2.0 share's GLUE2ComputingShareMappingQueue


@dataclass(frozen=True, slots=True)
class Cluster:
    """A GlueCluster with the run-time environment tags of its subclusters."""

    unique_id: str
    name: str
    site_unique_id: str | None
    runtime_environment: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CE:
    """A GlueCE queue, resolved to its site (or a GLUE 2.0 computing endpoint, see glue2.py).

    ``capabilities`` are the GlueCECapability values as published; for GLUE 2.0 they are
    the capability names glue2.yaml found, and ``published`` holds the (attribute, value)
    pairs it looked at, so the audit can tell what was published instead.
    """

    unique_id: str
    dn: str
    name: str
    state: str
    implementation: str
    lrms: str
    host: str
    rules: tuple[str, ...]
    capabilities: tuple[str, ...]
    voviews: tuple[VOView, ...]
    cluster_id: str | None
    site: str
    glue_version: str = "1.3"
    published: tuple[tuple[str, str], ...] = ()
    # A GLUE 2.0 endpoint's GLUE2EndpointInterfaceName and GLUE2EndpointURL.
    interface: str = ""
    url: str = ""
    # A GLUE 2.0 endpoint whose batch system (lrms) was not read: why (model.glue2).
    lrms_note: str = ""
    # What cecap reads the CE as (model.reading), made once from the fields above.
    reading: CEReading = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "reading",
            read_ce(
                self.unique_id,
                self.host,
                implementation=self.implementation,
                interface=self.interface,
                url=self.url,
                lrms=self.lrms,
            ),
        )


@dataclass(frozen=True)
class GlueModel:
    """Everything cecap knows about one information system at one moment."""

    origin: str
    ces: tuple[CE, ...]
    clusters: dict[str, Cluster] = field(default_factory=dict)
    sites: tuple[str, ...] = ()
    partial: str | None = None
    # GLUE versions ("1.3", "2.0") the source held entries of.
    glue_versions: tuple[str, ...] = ()
