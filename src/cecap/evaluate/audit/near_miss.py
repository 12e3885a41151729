"""Near misses: published values that look meant as a capability but are not counted."""

from __future__ import annotations

import functools
import re

# Words after the capability's name that say "not supported": not a near miss, a "no".
_NEGATIVE = frozenset(
    {"no", "false", "off", "0", "n", "none", "not", "disabled", "unsupported", "unavailable"}
)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _one_edit_apart(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :] if len(a) < len(b) else a[i + 1 :] == b[i + 1 :]


# Real BDIIs repeat the same few values (run-time environment tags above all) thousands of
# times: each is judged once.
@functools.lru_cache(maxsize=4096)
def near_miss(value: str, capability: str) -> str | None:
    """Why ``value`` looks meant as ``capability`` but is not counted; None if it is not a
    near miss (it matches, is unrelated, or says the capability is absent)."""
    text = value.strip()
    low = text.lower()
    cap = capability.strip().lower()
    if low == cap:
        return None
    if cap in low or _squash(cap) in _squash(low):
        rest = low.replace(cap, " ") if cap in low else low
        words = set(re.split(r"[^a-z0-9]+", rest)) - {""}
        if words & _NEGATIVE:
            return None
        if re.search(r"[=:]", rest):
            return f"{text!r} is a key=value pair, not the name {capability!r}"
        return f"{text!r} carries more than the name {capability!r}"
    if len(cap) >= 5 and _one_edit_apart(_squash(low), _squash(cap)):
        return f"{text!r} is a misspelling of {capability!r}"
    return None
