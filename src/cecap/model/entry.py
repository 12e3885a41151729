"""A directory entry: the shape GLUE arrives in from LDAP and LDIF sources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Entry:
    """One directory entry: its DN and its values, keyed by lower-case attribute name."""

    dn: str
    attrs: Mapping[str, tuple[str, ...]]
    # The wanted object class (lower-case) when the source already knows it, as a reader
    # that matched it or searched for it does; else it is found from the objectClass values.
    kind: str = ""

    def values(self, name: str) -> tuple[str, ...]:
        return self.attrs.get(name, ())

    def first(self, name: str) -> str | None:
        found = self.attrs.get(name)
        return found[0] if found else None

    def of_class(self, by_class: Mapping[str, T]) -> T | None:
        """What ``by_class`` (lower-case class -> item) holds for this entry's class: by
        ``kind`` when the source named it (nearly every entry), else for the first of
        its classes in the mapping's order (an entry of two classes is read as the first)."""
        if self.kind:
            return by_class.get(self.kind)
        classes = self.objectclasses
        return next((item for cls, item in by_class.items() if cls in classes), None)

    @property
    def objectclasses(self) -> frozenset[str]:
        if self.kind:
            return frozenset((self.kind,))
        return frozenset(v.strip().lower() for v in self.values("objectclass"))
