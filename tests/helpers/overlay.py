"""Overlays on a real snapshot: add capabilities to, or change the state of, chosen CEs."""

from __future__ import annotations

import gzip
from collections.abc import Mapping, Sequence
from pathlib import Path


def overlay_ldif(
    source: Path,
    target: Path,
    capabilities: Mapping[str, Sequence[str]] | None = None,
    states: Mapping[str, str] | None = None,
) -> Path:
    """Copy ``source`` to ``target`` (plain LDIF), adding GlueCECapability values and
    replacing GlueCEStateStatus on the GlueCE entries named by their GlueCEUniqueID.

    Raises if a named CE is not in the source, so a test cannot silently overlay nothing.
    """
    capabilities = dict(capabilities or {})
    states = dict(states or {})
    pending = set(capabilities) | set(states)
    opener = gzip.open if source.suffix == ".gz" else open
    current: str | None = None
    with opener(source, "rt", encoding="utf-8") as src, target.open("w", encoding="utf-8") as out:
        for line in src:
            if line.startswith("dn: GlueCEUniqueID="):
                ce = line[len("dn: GlueCEUniqueID=") :].split(",Mds-Vo-name=", 1)[0]
                current = ce if ce in pending else None
            if current is not None:
                if line.startswith("GlueCEStateStatus:") and current in states:
                    line = f"GlueCEStateStatus: {states[current]}\n"
                if line == "\n":
                    out.writelines(
                        f"GlueCECapability: {c}\n" for c in capabilities.get(current, ())
                    )
                    pending.discard(current)
                    current = None
            out.write(line)
        if current is not None:
            out.writelines(f"GlueCECapability: {c}\n" for c in capabilities.get(current, ()))
            pending.discard(current)
    if pending:
        raise ValueError(f"CEs not found in {source}: {sorted(pending)}")
    return target
