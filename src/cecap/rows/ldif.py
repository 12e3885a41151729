"""One value as an LDIF line, as RFC 2849 allows it: for the audit's fixes and the snapshot
writer."""

from __future__ import annotations

import base64


def _safe(value: str) -> bool:
    """RFC 2849 SAFE-STRING, and no trailing space (which some parsers would drop)."""
    if not value:
        return True
    if value[0] in " :<" or value[-1] == " ":
        return False
    return all(0 < ord(ch) < 128 and ch not in "\r\n" for ch in value)


def value_line(name: str, value: str) -> str:
    """``name: value`` as one LDIF line, unfolded: base64 (``name:: ...``) when RFC 2849
    does not allow the value as it is (also for a ``dn``)."""
    if not value:
        return f"{name}:"
    if _safe(value):
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode('utf-8')).decode('ascii')}"
