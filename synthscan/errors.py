"""Error types. Each carries the exit code it maps to and a one-line, user-facing message.

Messages name the file and column and say what to do; they never contain values from a record.
The same facts are fields, for a pipeline to act on: ``source`` (a file name, or where a setting
came from), ``column``, ``key`` (the setting, in the library's words: ``missing_tokens``,
``policy.thresholds.verbatim``, ``checks.linkability.max_targets``) and ``hint`` (the fix).
The CLI maps ``key`` to its flag names when it prints the message.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """The command line's exit codes."""

    OK = 0
    POLICY_FAILED = 1
    USAGE = 2
    CANNOT_RUN = 3
    INTERRUPTED = 130


EXIT_OK = ExitCode.OK
EXIT_POLICY_FAILED = ExitCode.POLICY_FAILED
EXIT_USAGE = ExitCode.USAGE
EXIT_CANNOT_RUN = ExitCode.CANNOT_RUN
EXIT_INTERRUPTED = ExitCode.INTERRUPTED


class SynthscanError(Exception):
    """Base class of every error synthscan raises on purpose."""

    exit_code: ExitCode = ExitCode.CANNOT_RUN

    def __init__(self, message: str, *, source: str | None = None, column: str | None = None,
                 key: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.column = column
        self.key = key
        self.hint = hint


class UsageError(SynthscanError):
    """The command was called wrongly (a missing path, a bad option value)."""

    exit_code = ExitCode.USAGE


class ConfigError(SynthscanError):
    """A configuration or metadata file is invalid (unknown key, wrong type, bad value)."""

    exit_code = ExitCode.USAGE


class InputError(SynthscanError):
    """An input table cannot be used: unreadable, empty, or inconsistent with the others."""

    exit_code = ExitCode.CANNOT_RUN


class ResourceError(SynthscanError):
    """The scan would need more memory than allowed (the ``max_memory`` setting)."""

    exit_code = ExitCode.CANNOT_RUN


class OutputError(SynthscanError):
    """A report could not be written (a full disk, a read-only directory, a closed stdout):
    the scan may have run, but its output is lost, so the command fails (exit 3)."""

    exit_code = ExitCode.CANNOT_RUN


class ClusterError(SynthscanError):
    """The Dask cluster a scan ran on failed it (a worker died, the scheduler went away): the
    scan did not finish, so the command fails (exit 3)."""

    exit_code = ExitCode.CANNOT_RUN


class PrivacyRiskError(SynthscanError):
    """Raised by ``ScanResult.assert_ok()`` when the policy fails."""

    exit_code = ExitCode.POLICY_FAILED
