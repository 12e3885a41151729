"""cecap: which grid CEs advertise glexec, crossed with site stances and experiment policy."""

__version__ = "0.1.0"
