"""Every exception type and every exit code; the CLI maps each error to one line and a code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_UNAVAILABLE = 3
EXIT_INTERNAL = 4  # a bug in cecap: the message asks for a report
EXIT_INTERRUPTED = 130  # Ctrl-C, as the shell reports SIGINT


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


class CheckTimeout(BaseException):
    """The whole `check` ran out of --timeout.

    A BaseException, so that no ``except Exception`` on the way (ours or a library's)
    can swallow it and keep the probe running past its bound.
    """

    exit_code = EXIT_UNAVAILABLE
