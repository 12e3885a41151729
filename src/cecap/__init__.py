"""cecap: which grid CEs advertise a capability (glexec), crossed with site stances and experiment policy."""

__version__ = "0.1.0"
