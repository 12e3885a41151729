"""Where GLUE 2.0 says a capability: the attributes and values glue2.yaml names; and the
batch system a GLUE2ManagerProductName means, as a CREAM CE ID writes it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Product names compare without case, blanks, dashes, underscores and dots: "Torque",
# "TORQUE" and "torque " are one name, as are "HTCondor", "HT-Condor" and "ht condor".
_SQUEEZE = re.compile(r"[\s\-_.]+")


def product_key(name: str) -> str:
    """A GLUE2ManagerProductName as glue2.yaml's batch_systems compares it."""
    return _SQUEEZE.sub("", name.strip().lower())


@dataclass(frozen=True, slots=True)
class Glue2Match:
    """One place to look: an attribute and the values (any case) that count.

    The first value is the one cecap recommends publishing there.
    """

    attribute: str
    values: tuple[str, ...]

    def matches(self, value: str) -> bool:
        return value.strip().lower() in {v.strip().lower() for v in self.values}


@dataclass(frozen=True)
class Glue2Rules:
    """Where each capability is looked for in GLUE 2.0 (glue2.yaml)."""

    capabilities: Mapping[str, tuple[Glue2Match, ...]]
    # For a capability not listed: values hold "{name}", replaced by the capability.
    other: tuple[Glue2Match, ...] = ()
    source: str = "glue2.yaml"
    # product_key(GLUE2ManagerProductName) -> the word a CREAM CE ID names the batch
    # system with (HOST:8443/cream-WORD-QUEUE): "torque" -> "pbs".
    batch_systems: Mapping[str, str] = field(default_factory=dict)

    def batch_system(self, product: str) -> str | None:
        """The batch-system word for a GLUE2ManagerProductName; None for a name glue2.yaml
        does not list (or an empty one)."""
        key = product_key(product)
        return self.batch_systems.get(key) if key else None

    def matches_for(self, capability: str) -> tuple[Glue2Match, ...]:
        name = capability.strip().lower()
        if name in self.capabilities:
            return self.capabilities[name]
        return tuple(
            Glue2Match(m.attribute, tuple(v.replace("{name}", name) for v in m.values))
            for m in self.other
        )

    def attributes(self, capabilities: Iterable[str] | None) -> tuple[str, ...]:
        """Lower-case names of every attribute looked at for these capabilities (None: for
        any capability, named here or not)."""
        if capabilities is None:
            matches = [*(m for ms in self.capabilities.values() for m in ms), *self.other]
        else:
            matches = [m for capability in capabilities for m in self.matches_for(capability)]
        return tuple(dict.fromkeys(m.attribute.lower() for m in matches))
