"""Error types. Each carries the CLI exit code it maps to and a one-line, user-facing message.

Messages name the file and column and say what to do; they never contain values from a record.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_POLICY_FAILED = 1
EXIT_USAGE = 2
EXIT_CANNOT_RUN = 3


class SynthscanError(Exception):
    """Base class of every error synthscan raises on purpose."""

    exit_code: int = EXIT_CANNOT_RUN


class UsageError(SynthscanError):
    """The command was called wrongly (a missing path, a bad option value)."""

    exit_code = EXIT_USAGE


class ConfigError(SynthscanError):
    """A configuration or metadata file is invalid (unknown key, wrong type, bad value)."""

    exit_code = EXIT_USAGE


class InputError(SynthscanError):
    """An input table cannot be used: unreadable, empty, or inconsistent with the others."""

    exit_code = EXIT_CANNOT_RUN


class ResourceError(SynthscanError):
    """The scan would need more memory than allowed (``--max-memory``)."""

    exit_code = EXIT_CANNOT_RUN


class OutputError(SynthscanError):
    """A report could not be written (a full disk, a read-only directory, a closed stdout):
    the scan may have run, but its output is lost, so the command fails (exit 3)."""

    exit_code = EXIT_CANNOT_RUN


class PrivacyRiskError(SynthscanError):
    """Raised by ``ScanResult.assert_ok()`` when the policy fails."""

    exit_code = EXIT_POLICY_FAILED
