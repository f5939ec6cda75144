"""The small vocabularies shared by every stage, as ``Literal`` types the checker can verify."""

from __future__ import annotations

from typing import Literal, get_args

#: a table's role in a scan
Table = Literal["train", "holdout", "synthetic"]
#: a column's role: how it is compared (``ignore``: left out of the scan)
ColumnRole = Literal["numeric", "categorical", "datetime", "boolean", "identifier", "ignore"]
#: a check's outcome: decided components pass / warn / fail; supporting tests are ``info``
Status = Literal["pass", "warn", "fail", "skipped", "error", "info"]
#: the scan's verdict
VerdictName = Literal["low", "inconclusive", "high"]
#: what a check's estimate is: a share (printed as a percentage) or a probability (an AUC)
Scale = Literal["share", "probability"]
#: the verdict from which a pipeline fails
FailOn = Literal["high", "inconclusive", "never"]

TABLES: tuple[Table, ...] = get_args(Table)
ROLES: tuple[ColumnRole, ...] = get_args(ColumnRole)
STATUSES: tuple[Status, ...] = get_args(Status)
VERDICTS: tuple[VerdictName, ...] = get_args(VerdictName)
FAIL_ON: tuple[FailOn, ...] = get_args(FailOn)


class Json:
    """JSON Schema facts about a result field, carried in ``Annotated[...]`` so that the
    published schema (``synthscan.result_schema``) is generated from the model itself."""

    def __init__(self, doc: str = "", **constraints: object) -> None:
        self.doc = doc
        self.constraints = constraints
