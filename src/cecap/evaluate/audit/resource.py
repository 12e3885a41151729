"""Findings with their DNs as the resource BDII that publishes each entry holds them."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ...model.dn import resource_dn
from .findings import Change, Finding, Kind, sort_key
from .fixes import merged


def at_resource_bdii(findings: Iterable[Finding]) -> list[Finding]:
    """The findings with each DN, and each DN their fixes change, as the resource BDII of
    the entry holds it (model.dn.resource_dn), whatever BDII they were read from: a site
    admin can change their resource BDII, not the site or top-level BDII that copies it.
    A duplicate-ce finding keeps its DN as read: it is about the two copies a top-level
    BDII holds, which their resource BDIIs hold under one DN."""
    out = [
        f
        if f.kind is Kind.DUPLICATE_CE
        else dataclasses.replace(
            f,
            dn=resource_dn(f.dn),
            fix=merged(Change(resource_dn(c.dn), c.modifications) for c in f.fix),
        )
        for f in findings
    ]
    out.sort(key=sort_key)
    return out
