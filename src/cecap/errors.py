"""Library exceptions; the CLI maps each to one line on stderr and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3


class CecapError(Exception):
    """Base: a problem cecap can explain to an administrator in one line."""

    exit_code = EXIT_BAD_INPUT


class ConfigError(CecapError):
    """A config file (stances, sites, experiments) is missing or malformed."""


class InputError(CecapError):
    """An input file (LDIF snapshot) is missing or malformed."""


class UsageError(CecapError):
    """The command line asks for something that cannot be done."""


class SourceUnavailable(CecapError):
    """The information system could not be read (down, hung, refused, cut short)."""

    exit_code = EXIT_UNAVAILABLE


class HistoryError(CecapError):
    """The history database cannot be opened, read or written."""


class HistoryBusy(HistoryError):
    """Another run holds the history lock and did not release it in time."""

    exit_code = EXIT_UNAVAILABLE
