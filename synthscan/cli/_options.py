"""The command line's words for the library's settings: the flag of each setting key, the
options every command shares, and the phrasing of library errors in flags users type."""

from __future__ import annotations

import re
from typing import Any

import typer

from ..errors import SynthscanError, UsageError

#: setting key (the library's word) -> the flag that sets it
FLAGS = {
    "seed": "--seed", "missing_tokens": "--missing-token", "threads": "--threads",
    "secret": "--secret", "known": "--known", "mode": "--mode", "max_memory": "--max-memory",
    "policy.preset": "--preset", "policy.fail_on": "--fail-on", "metadata": "--metadata",
    "holdout_fraction": "--holdout-fraction", "formats": "--format", "out": "--out",
    "exact_search": "--exact",
    "dp_claim.epsilon": "--claimed-epsilon", "dp_claim.delta": "--claimed-delta",
    "canaries": "--canaries",
}
#: keys written as-is in running text ("raise max_memory"), turned into flags wherever they
#: appear; words such as "seed" or "known" are prose too often to be mapped outside a quote
_WORD_KEYS = [k for k in FLAGS if "_" in k and "." not in k]
_KEY = r"(?:columns|checks|policy)\.[^\s,;)'\"=]+|[a-z][a-z_]*"
#: "<key> = <value>" (the settings file's words) or "set|declare <key>=<value>"; a bare
#: "key=value" without a verb is a figure ("bootstrap=500"), not advice
_ASSIGN = re.compile(rf"(?:(?<![\w-])(set|declare) )?(?<![\w.<-])(?<!--set )({_KEY})( ?= ?)"
                     rf"(\"[^\"]*\"|\[[^\]]*\]|[^\s,;)]+)")
#: "set <key>" / "declare <key>" without a value
_VERB = re.compile(rf"(?<![\w-])(set|declare) ({_KEY})(?![\w.=])")
_WORD = re.compile(rf"(?<![\w.'\"=-])({'|'.join(_WORD_KEYS)})(?![\w'\"=])")
_SETTINGS_FILE = (".toml", ".yaml", ".yml")


def flag_of(key: str | None) -> str | None:
    """The flag that sets ``key`` (or the table ``key`` is in), if there is one."""
    if not key:
        return None
    return FLAGS.get(key) or FLAGS.get(key.split(".", 1)[0])


def phrase(exc: SynthscanError) -> str:
    """A library error said in the command line's words: a value given by a flag or ``--set``
    is named by it, and the settings the message mentions become the flags (or ``--set``
    assignments) that set them. Errors in a settings file keep the file's words."""
    from ..settings import ASSIGNMENT, OVERRIDE  # not at start-up: it loads pandas

    text = str(exc)
    source = exc.source or ""
    if source == ASSIGNMENT and text.startswith(ASSIGNMENT):
        text = "--set" + text[len(ASSIGNMENT):]
    elif source == OVERRIDE and text.startswith(OVERRIDE):
        text = (flag_of(exc.key) or "--set") + text[len(OVERRIDE):]
    elif source.lower().endswith(_SETTINGS_FILE):
        return text
    text = _ASSIGN.sub(_assignment, text)
    text = _VERB.sub(_verb, text)
    text = _WORD.sub(lambda m: FLAGS[m.group(1)], text)
    flag = flag_of(exc.key)
    if flag and flag not in text and not (exc.source and text.startswith(exc.source)):
        # a message about a flag's value that does not say where it came from
        text = f"{flag}{' ' + exc.source if exc.source else ''}: {text}"
    return text


def _is_setting(key: str) -> bool:
    from ..config import ScanConfig

    top = key.split(".", 1)[0]
    return key in FLAGS or top in ScanConfig.__dataclass_fields__ or top == "policy"


def _assignment(m: re.Match[str]) -> str:
    """``[set] key = value`` -> ``pass FLAG value`` or ``pass --set key=value``."""
    verb, key, sep, value = m.groups()
    if not _is_setting(key) or (not verb and sep == "="):
        return m.group(0)
    if re.fullmatch(r'"[\w.+-]+"', value):
        value = value[1:-1]  # a plain word needs no quotes on a command line
    flag = FLAGS.get(key)
    return f"{'pass ' if verb else ''}{flag or '--set'}{' ' if flag else ' ' + key + '='}{value}"


def _verb(m: re.Match[str]) -> str:
    """``set key`` -> ``set FLAG``, or ``set key (--set key=...)`` for a key without a flag."""
    verb, key = m.group(1), m.group(2)
    if not _is_setting(key):
        return m.group(0)  # prose, not a setting
    flag = FLAGS.get(key)
    return f"{verb} {flag}" if flag else f"{verb} {key} (--set {key}=...)"


def paragraphs(text: str) -> str:
    """Help text with the line breaks inside prose paragraphs removed (the help formatter
    re-wraps them); indented example lines are kept as they are."""
    out = []
    for para in text.strip("\n").split("\n\n"):
        lines = para.split("\n")
        out.append(para if any(ln.startswith("  ") for ln in lines) else " ".join(lines))
    return "\n\n".join(out)


def verbose_option() -> Any:
    return typer.Option(False, "--verbose", "-v", help="Show tracebacks on errors.", metavar="")


def quiet_option() -> Any:
    return typer.Option(False, "--quiet", "-q", help="No progress or summary on stderr.",
                        metavar="")


def check_stdout(formats: list[str], out: str) -> list[str]:
    """``formats``, refused when several would go to stdout (``--out -``)."""
    if out == "-" and len(formats) > 1:
        raise UsageError("--out -: only one format can go to stdout — pass a directory to "
                         "write several")
    return formats
