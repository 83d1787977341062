"""One gathered row: from file values to a checked license, or to the reasons why not.

The GB/T 36903 metadata columns a row may carry:

- ``ZZBH`` paper number (required: it is how a later batch recognises the license),
  read with its ASCII letters in upper case, as national systems write serials
  (`paper_key`);
- ``CZZT``, ``CZZTDM`` holder name and identifier (GB 11643 or GB 32100);
- ``ZZBFRQ``, ``ZZYXQQSRQ``, ``ZZYXQJZRQ`` date of issue, valid from, valid until
  (``YYYY-MM-DD``; ``YYYY/MM/DD`` and ``YYYYMMDD`` are read too);
- ``ZZZT`` status, a national status code (`STATUS_CODES`);
- ``ZZZTBGRQ`` (状态变更日期) the day the status changed, in the same form: the status
  events a row causes happened then (from 00:00 China Standard Time), not when the
  row was gathered. GB/T 36903 names no such element; the name is made the way its
  names are (证照状态变更日期);
- ``ZZLXDM``, ``ZZBFJGDM``, ``CZZTDMLXDM`` type, issuer and holder identifier type
  codes, checked against the batch when present; ``ZZMC``, ``ZZBFJG``, ``CZZTDMLX``,
  ``ZZBS`` are read and ignored.

Every other column is one of the type's surface fields, by its name in the type's
schema. A metadata value is text or a number: a JSON object, array or boolean is a
problem of its row, and so is a line break, which no metadata has (in a CSV file, it
shows a quote opened and never closed). A date cell of a workbook that holds a time
of day is read as its date where a date is wanted.

The checks themselves are the issuance service's, those of `prepare_issue`
(`check_holder`, `validate_surface`, `complete_issue`); this module turns text into
their inputs and their errors into `Rejection` lines a clerk can act on, each with
the `Category` the quality assessment counts it in.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from zhengzhao.catalog.schema import field_levels, validate_surface
from zhengzhao.catalog.types import LicenseType, TypeVersion
from zhengzhao.errors import (
    CatalogStateError,
    InputError,
    InvalidIdentifier,
    NotFound,
    PermissionDenied,
    SchemaViolation,
    TransitionRefused,
    UnreadableFile,
    ZhengzhaoError,
)
from zhengzhao.issuance.credential import HOLDER_IDENTIFIER_TYPES
from zhengzhao.issuance.service import (
    HolderClaim,
    IssueRequest,
    PreparedIssue,
    TypeCache,
    check_holder,
    complete_issue,
)
from zhengzhao.model.classification import ClassificationLevel, mask
from zhengzhao.model.license import Encumbrance, LicenseStatus
from zhengzhao.model.lifecycle import State
from zhengzhao.model.parties import Department
from zhengzhao.model.time import local_date, start_of_day, to_rfc3339
from zhengzhao.storage.gathering import Category, Rejection, paper_key

from .workbook import NUMBER_DIGITS, InexactNumber, SheetDateTime

__all__ = [
    "METADATA_COLUMNS",
    "STATUS_CODES",
    "STATUS_KEYS",
    "CheckedRow",
    "RowChecker",
    "RowRejected",
    "StatusRow",
    "paper_number",
]

#: National status codes a gathered row may carry, and the platform's 08 to 10.
STATUS_CODES: dict[str, State] = {
    "01": State(LicenseStatus.VALID),
    "02": State(LicenseStatus.SUSPENDED),
    "04": State(LicenseStatus.CANCELLED),
    "05": State(LicenseStatus.EXPIRED),
    "07": State(LicenseStatus.REVOKED),
    "08": State(LicenseStatus.ABOLISHED),
    "09": State(LicenseStatus.VALID, Encumbrance.MORTGAGED),
    "10": State(LicenseStatus.VALID, Encumbrance.PLEDGED),
}
_STATUS_ADVICE = {
    "03": "03 (withdrawn) has no event of its own here; use 04 (cancelled) or 07"
    " (revoked)",
    "06": "06 (transferred out) needs the new holder; record the transfer through the"
    " API",
    "99": "99 (other) does not say what happened; use one of the codes listed",
}

_USED = (
    "ZZBH",
    "CZZT",
    "CZZTDM",
    "ZZBFRQ",
    "ZZYXQQSRQ",
    "ZZYXQJZRQ",
    "ZZZT",
    "ZZZTBGRQ",
)
_CHECKED = ("ZZLXDM", "ZZBFJGDM", "CZZTDMLXDM")
_IGNORED = ("ZZMC", "ZZBFJG", "CZZTDMLX", "ZZBS")
METADATA_COLUMNS = frozenset((*_USED, *_CHECKED, *_IGNORED))

_DATE_FORMS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
# Where the issuance service names a request's attribute, the column a clerk knows.
_COLUMN_OF = {
    "validUntil": "ZZYXQJZRQ",
    "validFrom": "ZZYXQQSRQ",
    "holder.name": "CZZT",
    "paperNumber": "ZZBH",
}
#: The longest paper number the library stores (as `POST /v1/licenses` accepts).
PAPER_NUMBER_CHARS = 64
#: The most of a rejected value, and of a reason, a report shows: a clerk finds the
#: row by its number, and a cell of a megabyte would only bury the others.
VALUE_CHARS = 200
REASON_CHARS = 1000
#: Errors that reject a row rather than stop the batch: what is wrong with the row
#: (its data, the lifecycle's refusal, a type retired meanwhile). A conflict of the
#: department itself (deactivated, without a key) stops the batch instead.
ROW_ERRORS = (
    InputError,
    PermissionDenied,
    NotFound,
    TransitionRefused,
    CatalogStateError,
)


class RowRejected(Exception):
    """A row that cannot be gathered, with one `Rejection` per problem."""

    def __init__(self, rejections: list[Rejection]) -> None:
        super().__init__("; ".join(item.reason for item in rejections))
        self.rejections = rejections


@dataclass(frozen=True, kw_only=True)
class CheckedRow:
    """A row that passed every check of a first issue."""

    number: int
    paper_number: str
    prepared: PreparedIssue
    #: The status the row states, when it has a ``ZZZT`` column.
    state: State | None
    #: When the status changed (``ZZZTBGRQ``, or a push's ``occurredAt``); None:
    #: when the row is gathered.
    changed_at: datetime | None = None
    #: The name of what ``changed_at`` came from, for a refusal to name.
    changed_from: str = "ZZZTBGRQ"


@dataclass(frozen=True, kw_only=True)
class StatusRow:
    """A record that changes only the status of a license gathered before: its
    paper number, the status, and when it changed."""

    number: int
    paper_number: str
    state: State
    #: When the status changed; None: when the record is gathered.
    changed_at: datetime | None = None
    #: The name of what ``changed_at`` came from, for a refusal to name.
    changed_from: str = "ZZZTBGRQ"


#: The keys a record that changes only a status may carry besides ``ZZBH`` and
#: ``ZZZT``: its date, and the names and codes that describe the license.
STATUS_KEYS = frozenset({"ZZBH", "ZZZT", "ZZZTBGRQ", *_CHECKED, *_IGNORED})


class RowChecker:
    """Checks the rows of one batch: one type, one issuing department."""

    def __init__(
        self, *, issuer: Department, license_type: LicenseType, version: TypeVersion
    ) -> None:
        self.issuer = issuer
        self.license_type = license_type
        self.version = version
        self._properties: Mapping[str, Any] = version.schema.get("properties", {})
        self._levels = field_levels(version.schema)

    def unknown_columns(self, columns: Iterable[str]) -> list[str]:
        """The names that are neither metadata names nor fields of the type."""
        return [
            name
            for name in columns
            if name and name not in METADATA_COLUMNS and name not in self._properties
        ]

    def known_names(self) -> str:
        """The type's field names, for a message about an unknown one."""
        return ", ".join(sorted(self._properties))

    def check_columns(self, columns: Iterable[str]) -> None:
        """Refuse a header with columns that are neither metadata nor fields."""
        unknown = self.unknown_columns(columns)
        if unknown:
            many = len(unknown) > 1
            raise UnreadableFile(
                f"column{'s' if many else ''} {', '.join(unknown)}"
                f" {'are' if many else 'is'} neither a GB/T 36903 metadata name nor a"
                f" field of license type {self.license_type.code}"
                f" ({self.known_names()}); rename {'them' if many else 'it'} or map it"
                " with --mapping (to an empty name to ignore it)"
            )

    def check(
        self,
        *,
        number: int,
        values: Mapping[str, Any],
        today: date,
        cache: TypeCache,
        occurred_at: datetime | None = None,
    ) -> CheckedRow:
        """The checked row; raises `RowRejected` naming every problem found.

        ``occurred_at`` is when the status changed, for a record that states it
        to the second (a push's ``occurredAt``) rather than as a ``ZZZTBGRQ`` day.
        """
        problems: list[Rejection] = []
        reject = self._rejecter(number, problems)
        values = self._metadata_values(values, reject)
        refused = {item.field for item in problems}
        inexact = self._inexact_cells(values, reject)
        paper = self._paper_number(values, reject, refused=refused)
        self._check_batch_columns(values, reject)
        dates = {
            column: self._date(column, values.get(column), reject)
            for column in ("ZZBFRQ", "ZZYXQQSRQ", "ZZYXQJZRQ", "ZZZTBGRQ")
        }
        self._check_issue_date(dates["ZZBFRQ"], today, reject)
        changed_at = self._changed_at(dates, occurred_at, today, reject)
        state = self._state(values.get("ZZZT"), reject)
        fields = self._fields(values, reject)
        # Gathered records are licenses a department already issued: a pilot-era
        # credit code among them is taken as it is, and counted as lenient.
        holder = HolderClaim(
            identifier=_text(values.get("CZZTDM")),
            name=_text(values.get("CZZT")),
            lenient_identifier=True,
        )
        if not holder.identifier and "CZZTDM" not in refused:
            reject(
                "CZZTDM",
                None,
                "CZZTDM (holder identifier) is empty",
                Category.IDENTIFIER,
            )
        if not holder.name and "CZZT" not in refused:
            reject("CZZT", None, "CZZT (holder name) is empty")
        holder_identifier = ""
        warnings: tuple[str, ...] = ()
        try:
            if holder.identifier and holder.name and "CZZTDM" not in inexact:
                holder_identifier, warnings = check_holder(
                    self.license_type.holder_kind, holder, today=today
                )
        except ROW_ERRORS as exc:
            problems.extend(self.rejections(number, exc, values))
        try:
            validate_surface(self.version.schema, fields)
        except ROW_ERRORS as exc:
            problems.extend(self.rejections(number, exc, values))
        if problems:
            raise RowRejected(problems)

        request = IssueRequest(
            type_code=self.license_type.code,
            holder=holder,
            fields=fields,
            issue_date=dates["ZZBFRQ"],
            valid_from=dates["ZZYXQQSRQ"],
            valid_until=dates["ZZYXQJZRQ"],
            paper_number=paper,
        )
        try:
            # The cache looks the type and the responsibility up once per
            # transaction, so that a type retired meanwhile stops its rows.
            license_type, version = cache.get(self.license_type.code)
            if version.version != self.version.version:
                validate_surface(version.schema, fields)
            prepared = complete_issue(
                request,
                license_type=license_type,
                version=version,
                holder_identifier=holder_identifier,
                warnings=warnings,
                today=today,
            )
        except ROW_ERRORS as exc:
            raise RowRejected(self.rejections(number, exc, values)) from exc
        return CheckedRow(
            number=number,
            paper_number=paper,
            prepared=prepared,
            state=state,
            changed_at=changed_at,
            changed_from="ZZZTBGRQ" if occurred_at is None else "occurredAt",
        )

    def check_status(
        self,
        *,
        number: int,
        values: Mapping[str, Any],
        today: date,
        occurred_at: datetime | None = None,
    ) -> StatusRow:
        """A record of `STATUS_KEYS` alone, with a ``ZZZT``: the status change of a
        license gathered before, checked as a row's would be. Raises
        `RowRejected` naming every problem found."""
        problems: list[Rejection] = []
        reject = self._rejecter(number, problems)
        values = self._metadata_values(values, reject)
        refused = {item.field for item in problems}
        paper = self._paper_number(values, reject, refused=refused)
        self._check_batch_columns(values, reject)
        dates = {
            "ZZBFRQ": None,
            "ZZZTBGRQ": self._date("ZZZTBGRQ", values.get("ZZZTBGRQ"), reject),
        }
        changed_at = self._changed_at(dates, occurred_at, today, reject)
        state = self._state(values.get("ZZZT"), reject)
        if problems or state is None:
            raise RowRejected(problems)
        return StatusRow(
            number=number,
            paper_number=paper,
            state=state,
            changed_at=changed_at,
            changed_from="ZZZTBGRQ" if occurred_at is None else "occurredAt",
        )

    def rejections(
        self, number: int, error: ZhengzhaoError, values: Mapping[str, Any]
    ) -> list[Rejection]:
        """The lines a platform error makes for row ``number``."""
        if isinstance(error, SchemaViolation) and error.details.get("errors"):
            lines = []
            for problem in error.details["errors"]:
                name = str(problem["path"]).removeprefix("fields.")
                top = name.split(".")[0].split("[")[0]
                lines.append(
                    Rejection(
                        row_number=number,
                        field=name,
                        value=self._shown(top, values.get(top)),
                        reason=clipped(f"{name}: {problem['message']}", REASON_CHARS),
                        category=Category.SCHEMA,
                    )
                )
            return lines
        reason = error.message
        field = None
        category = Category.OTHER
        if isinstance(error, InvalidIdentifier):
            field, reason = "CZZTDM", f"CZZTDM: {error.message}"
            category = Category.IDENTIFIER
        for word, column in _COLUMN_OF.items():
            if field is None and word in error.message:
                field = column
        return [
            Rejection(
                row_number=number,
                field=field,
                value=self._shown(field, values.get(field)) if field else None,
                reason=clipped(reason, REASON_CHARS),
                category=category,
            )
        ]

    def _rejecter(self, number: int, problems: list[Rejection]) -> Any:
        """A function adding a problem of row ``number`` to ``problems``: field,
        value, reason and category (`Category.OTHER` unless said)."""

        def reject(
            field: str | None,
            value: Any,
            reason: str,
            category: Category = Category.OTHER,
        ) -> None:
            problems.append(
                Rejection(
                    row_number=number,
                    field=field,
                    value=self._shown(field, value),
                    reason=clipped(reason, REASON_CHARS),
                    category=category,
                )
            )

        return reject

    def _metadata_values(
        self, values: Mapping[str, Any], reject: Any
    ) -> dict[str, Any]:
        """``values`` without the metadata values that are no text: a JSON object,
        array or boolean, or a text with a line break; each such is a problem."""
        kept = {}
        for name, value in values.items():
            problem = _metadata_problem(name, value) if name in _READ else None
            if problem is None:
                kept[name] = value
                continue
            shown = value if isinstance(value, str) else _json(value)
            reject(name, shown, problem)
        return kept

    def _paper_number(
        self, values: Mapping[str, Any], reject: Any, *, refused: set[str | None]
    ) -> str:
        paper = paper_number(values)
        if not paper and "ZZBH" in refused:
            return ""  # refused already, for what it is
        if not paper:
            reject(
                "ZZBH",
                None,
                "ZZBH (paper number) is empty; every gathered license needs it, so"
                " that a later batch recognises the license",
            )
        elif len(paper) > PAPER_NUMBER_CHARS:
            reject(
                "ZZBH",
                paper,
                f"ZZBH (paper number) is {len(paper)} characters long; it has"
                f" at most {PAPER_NUMBER_CHARS}",
            )
        return paper

    def _inexact_cells(self, values: Mapping[str, Any], reject: Any) -> set[str]:
        """Reject the number cells that lost digits; the columns they are in."""
        columns = set()
        for name, value in values.items():
            if isinstance(value, InexactNumber):
                columns.add(name)
                reject(
                    name,
                    value,
                    f"{name} is a number cell, and a spreadsheet keeps only"
                    f" {NUMBER_DIGITS} digits of a number, so the last digits are"
                    " lost; format the column as Text, type the values again and"
                    " send the file again",
                )
        return columns

    def _check_batch_columns(self, values: Mapping[str, Any], reject: Any) -> None:
        expected = {
            "ZZLXDM": (self.license_type.code, "the license type gathered"),
            "ZZBFJGDM": (self.issuer.credit_code, "the department gathering"),
            "CZZTDMLXDM": (
                HOLDER_IDENTIFIER_TYPES[self.license_type.holder_kind],
                f"the holder identifier type of license type {self.license_type.code}",
            ),
        }
        for column, (wanted, what) in expected.items():
            found = _text(values.get(column))
            if found and found != wanted:
                reject(
                    column,
                    found,
                    f"{column} {found} does not match {what}, {wanted}",
                )

    def _check_issue_date(self, issued: date | None, today: date, reject: Any) -> None:
        if issued is not None and issued > today:
            reject(
                "ZZBFRQ",
                issued.isoformat(),
                f"ZZBFRQ {issued.isoformat()} is after the day of gathering"
                f" ({today.isoformat()}); a license is gathered after it is issued:"
                " correct the date of issue",
            )

    def _changed_at(
        self,
        dates: Mapping[str, date | None],
        occurred_at: datetime | None,
        today: date,
        reject: Any,
    ) -> datetime | None:
        """When the row's status changed: ``occurred_at``, or the start of the
        ``ZZZTBGRQ`` day; rejects a day to come or before the date of issue."""
        day = dates["ZZZTBGRQ"]
        if occurred_at is not None:
            if day is not None and day != local_date(occurred_at):
                reject(
                    "ZZZTBGRQ",
                    day.isoformat(),
                    f"ZZZTBGRQ {day.isoformat()} and occurredAt"
                    f" {to_rfc3339(occurred_at)} name different days; give one",
                )
                return None
            day = local_date(occurred_at)
        if day is None:
            return None
        issued = dates["ZZBFRQ"]
        if day > today:
            reject(
                "ZZZTBGRQ",
                day.isoformat(),
                f"ZZZTBGRQ {day.isoformat()} is after the day of gathering"
                f" ({today.isoformat()}); a status change is gathered after it"
                " happens",
            )
        elif issued is not None and day < issued:
            reject(
                "ZZZTBGRQ",
                day.isoformat(),
                f"ZZZTBGRQ {day.isoformat()} is before the date of issue ZZBFRQ"
                f" {issued.isoformat()}; a license changes status after it is issued",
            )
        else:
            return occurred_at or start_of_day(day).astimezone(UTC)
        return None

    def _date(self, column: str, value: Any, reject: Any) -> date | None:
        text = value.day if isinstance(value, SheetDateTime) else _text(value)
        if not text:
            return None
        for form in _DATE_FORMS:
            match = form.fullmatch(text)
            if match:
                year, month, day = (int(part) for part in match.groups())
                try:
                    return date(year, month, day)
                except ValueError:
                    break
        reject(column, text, f"{column} {text} is not a date (YYYY-MM-DD)")
        return None

    def _state(self, value: Any, reject: Any) -> State | None:
        text = _text(value)
        if not text:
            return None
        # Spreadsheets drop the leading zero of "01".
        code = text.zfill(2) if text.isdigit() else text
        if code in STATUS_CODES:
            return STATUS_CODES[code]
        known = ", ".join(STATUS_CODES)
        advice = _STATUS_ADVICE.get(code, f"ZZZT is a status code: {known}")
        reject("ZZZT", text, f"ZZZT {text} cannot be gathered: {advice}")
        return None

    def _fields(self, values: Mapping[str, Any], reject: Any) -> dict[str, Any]:
        fields = {}
        for name, value in values.items():
            if name in METADATA_COLUMNS:
                continue
            spec = self._properties.get(name, {})
            fields[name] = _typed(name, value, spec, reject)
        return fields

    def _shown(self, field: str | None, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if field == "CZZTDM":
            return mask(str(value))
        level = self._levels.get(field or "", ClassificationLevel.INTERNAL)
        if field in self._properties and level > ClassificationLevel.INTERNAL:
            shown = mask(value if isinstance(value, str | int | float) else str(value))
            return clipped(shown, VALUE_CHARS)
        return clipped(str(value), VALUE_CHARS)


def clipped(text: str, limit: int) -> str:
    """``text``, at most ``limit`` characters: a longer one loses its middle to an
    ellipsis, so that a reason keeps its end (`… is longer than 120 characters`)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head) :]


def paper_number(values: Mapping[str, Any]) -> str:
    """A row's ``ZZBH`` as the library keeps it (`paper_key`: its ASCII letters in
    upper case); ``""`` when it has none, or one that is not text."""
    value = values.get("ZZBH")
    if _metadata_problem("ZZBH", value) is not None:
        return ""
    return paper_key(_text(value))


#: The metadata names whose values are read (the ignored names are not).
_READ = frozenset((*_USED, *_CHECKED))


def _metadata_problem(name: str, value: Any) -> str | None:
    """Why a metadata value is not one, or None: it is text (without a line break)
    or a number."""
    if value is None or (
        isinstance(value, int | float) and not isinstance(value, bool)
    ):
        return None
    if isinstance(value, str):
        if "\n" not in value and "\r" not in value:
            return None
        return (
            f"{name} holds a line break, which no metadata value has; in a CSV file,"
            " look for a quote opened before it and never closed, and send the row"
            " again"
        )
    found = (
        "true or false"
        if isinstance(value, bool)
        else "a JSON object"
        if isinstance(value, dict)
        else "a JSON array"
        if isinstance(value, list)
        else type(value).__name__
    )
    return (
        f"{name} is {found}; a metadata value is a string or a number (or null, for"
        " none): send it as text"
    )


def _json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def _text(value: Any) -> str:
    return (
        value.strip() if isinstance(value, str) else "" if value is None else str(value)
    )


def _typed(name: str, value: Any, spec: Mapping[str, Any], reject: Any) -> Any:
    """A CSV cell as the JSON type the schema expects; JSON values pass as they are.
    A workbook's date cell with a time of day is its date where the field is one."""
    if not isinstance(value, str):
        return value
    kind = spec.get("type")
    if isinstance(value, SheetDateTime) and spec.get("format") == "date":
        return value.day
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            number = float(value)
            return int(number) if number.is_integer() and "." not in value else number
    except ValueError:
        word = "a whole number" if kind == "integer" else "a number"
        reject(name, value, f"{name} {value} is not {word}", Category.SCHEMA)
        return value
    if kind == "boolean":
        truth = {"true": True, "是": True, "false": False, "否": False}
        if value.lower() in truth:
            return truth[value.lower()]
        reject(
            name, value, f"{name} {value} is not true or false (是/否)", Category.SCHEMA
        )
    return value
