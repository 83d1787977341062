"""Issuing licenses: check, identify, seal, persist.

`issue_licenses` issues one license or a whole batch inside the caller's transaction:
either every license of the batch is stored with its first event, or none is.
`prepare_issue` runs the checks of one request alone, so that a gathering batch can
reject single rows and issue the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.catalog.schema import validate_surface
from zhengzhao.catalog.types import LicenseType, TypeVersion
from zhengzhao.errors import (
    CatalogStateError,
    DepartmentDeactivated,
    InvalidIdentifier,
    InvalidRequest,
    IssueDateInFuture,
    NotFound,
    NotResponsible,
    PaperNumberInUse,
)
from zhengzhao.issuance.credential import (
    CredentialContent,
    build_credential,
    build_event,
    canonical_json,
    document_hash,
)
from zhengzhao.issuance.text import (
    refuse_control_characters,
    refuse_control_characters_in,
)
from zhengzhao.model.credit_code import parse_credit_code
from zhengzhao.model.divisions import division, within
from zhengzhao.model.license import HolderKind, License, LicenseStatus
from zhengzhao.model.license_id import LicenseIdentifier
from zhengzhao.model.lifecycle import EventKind, State
from zhengzhao.model.parties import Department
from zhengzhao.model.resident_id import ResidentId
from zhengzhao.model.time import local_date, to_rfc3339
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import SigningKey
from zhengzhao.seals.keys import KeyRecord, verification_method_id
from zhengzhao.seals.proofs import add_proof
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import gathering as gathering_store
from zhengzhao.storage import licenses as license_store
from zhengzhao.storage import status_lists as status_list_store
from zhengzhao.storage.counters import allocate
from zhengzhao.translog.leaves import event_leaf
from zhengzhao.verify.status_list import StatusPurpose, page_of

__all__ = [
    "EARLIEST_DATE",
    "LATEST_DATE",
    "HolderClaim",
    "IssueRequest",
    "IssuedLicense",
    "PreparedIssue",
    "Succession",
    "TypeCache",
    "as_license",
    "check_holder",
    "check_license_date",
    "complete_issue",
    "issue_licenses",
    "issue_prepared",
    "new_license_row",
    "prepare_issue",
    "record_status_changes",
    "require_active",
    "sign_credential",
    "sign_event",
]


@dataclass(frozen=True, kw_only=True)
class HolderClaim:
    """Who a license is for, as the issuing department states it."""

    identifier: str
    name: str
    #: Accept an organisation's credit code whose check character fails, as a
    #: pilot-era code (GB 32100 pilots issued some that stay legal), with a warning
    #: recorded on the license. Only when the department says so: by default such a
    #: code is taken for a typo and refused.
    lenient_identifier: bool = False


@dataclass(frozen=True, kw_only=True)
class IssueRequest:
    """One license to issue."""

    type_code: str
    holder: HolderClaim
    #: The type-specific surface fields, checked against the type's schema.
    fields: dict[str, Any]
    #: Date of issue (ZZBFRQ); defaults to today.
    issue_date: date | None = None
    #: First valid day; defaults to the date of issue.
    valid_from: date | None = None
    #: Last valid day, where the type's validity rule lets the issuer state it.
    valid_until: date | None = None
    paper_number: str | None = None
    #: The issuer's own serial (upper-case letters and digits); assigned if absent.
    serial: str | None = None


@dataclass(frozen=True, kw_only=True)
class Succession:
    """How a re-issued version continues the license version it replaces."""

    #: The replaced version: its identifier and its row.
    predecessor: str
    predecessor_row_id: int
    #: The new version's identifier: the same serial, the next version number.
    identifier: LicenseIdentifier
    #: The state the new version starts in (a correction keeps a suspension).
    state: State
    #: The event that caused the re-issue, and its reason.
    cause: EventKind
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class PreparedIssue:
    """A request that passed every check, with everything derived from it."""

    request: IssueRequest
    license_type: LicenseType
    type_version: TypeVersion
    holder_kind: HolderKind
    holder_identifier: str
    issue_date: date
    valid_from: date
    valid_until: date | None
    #: Warnings to pass on, such as a pilot-era credit code accepted leniently.
    warnings: tuple[str, ...] = ()
    #: Whether the holder's credit code passed only in lenient mode; stored with the
    #: license, so that the quality assessment counts such codes.
    holder_code_lenient: bool = False
    #: Set when this is the next version of an existing license.
    succession: Succession | None = None

    @property
    def state(self) -> State:
        return self.succession.state if self.succession else State(LicenseStatus.VALID)


@dataclass(frozen=True, kw_only=True)
class IssuedLicense:
    """A stored license and its signed credential."""

    license: License
    document: dict[str, Any]
    warnings: tuple[str, ...] = field(default=())


class TypeCache:
    """The published version of each license type and the issuer's responsibility
    for it, looked up once per type in ``conn``'s transaction: gathering, batches
    of issues and the demo check many rows of a few types."""

    def __init__(self, conn: Connection, issuer: Department) -> None:
        self._conn = conn
        self._issuer = issuer
        self._types: dict[str, tuple[LicenseType, TypeVersion]] = {}

    def get(self, type_code: str) -> tuple[LicenseType, TypeVersion]:
        if type_code not in self._types:
            self._types[type_code] = _published_type(self._conn, type_code)
            _require_responsible(self._conn, self._issuer, type_code)
        return self._types[type_code]


def prepare_issue(
    conn: Connection,
    *,
    issuer: Department,
    request: IssueRequest,
    today: date,
    cache: TypeCache | None = None,
) -> PreparedIssue:
    """Check one request: the type, the issuer's responsibility, holder and data.

    Raises `NotFound`, `CatalogStateError`, `NotResponsible`, `InvalidIdentifier`,
    `SchemaViolation` or `InvalidRequest`, each naming what is wrong.
    """
    license_type, version = (cache or TypeCache(conn, issuer)).get(request.type_code)
    holder_identifier, warnings = check_holder(
        license_type.holder_kind, request.holder, today=today
    )
    _check_paper_number(request)
    validate_surface(version.schema, request.fields)
    return complete_issue(
        request,
        license_type=license_type,
        version=version,
        holder_identifier=holder_identifier,
        warnings=warnings,
        today=today,
    )


def complete_issue(
    request: IssueRequest,
    *,
    license_type: LicenseType,
    version: TypeVersion,
    holder_identifier: str,
    warnings: tuple[str, ...],
    today: date,
) -> PreparedIssue:
    """The rest of `prepare_issue`, for a request whose type and responsibility, holder
    (`check_holder`, which gave ``holder_identifier`` and ``warnings``) and surface data
    (`validate_surface` against ``version``) the caller has checked already: the
    dates, the validity rule and printable text. Raises `InvalidRequest`
    (`IssueDateInFuture`, `ControlCharacter`).
    """
    _check_paper_number(request)
    _check_text(request)
    for name, value in (
        ("issueDate", request.issue_date),
        ("validFrom", request.valid_from),
        ("validUntil", request.valid_until),
    ):
        check_license_date(name, value)
    _check_issue_date(request.issue_date, today=today)
    issue_date = request.issue_date or today
    valid_from = request.valid_from or issue_date
    valid_until = version.validity.last_day(valid_from, request.valid_until)
    if valid_until is not None and valid_until < valid_from:
        raise InvalidRequest(
            f"validUntil {valid_until.isoformat()} is before validFrom"
            f" {valid_from.isoformat()}"
        )
    if request.paper_number is not None:
        # One spelling per paper number, the one gathering keeps, so that a license
        # issued here and a row gathered later with ``p0000001`` are one license.
        request = replace(
            request, paper_number=gathering_store.paper_key(request.paper_number)
        )
    return PreparedIssue(
        request=request,
        license_type=license_type,
        type_version=version,
        holder_kind=license_type.holder_kind,
        holder_identifier=holder_identifier,
        issue_date=issue_date,
        valid_from=valid_from,
        valid_until=valid_until,
        warnings=warnings,
        holder_code_lenient=bool(warnings),
    )


#: The dates a license may state. Gathered licenses go back decades, none to before
#: 1900; the upper bound leaves room for a hundred-year term within what every
#: database and date type holds.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def check_license_date(name: str, value: date | None) -> None:
    """Refuse a date a license cannot state; raises `InvalidRequest`."""
    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise InvalidRequest(
            f"{name} {value.isoformat()} is outside the dates a license may state"
            f" ({EARLIEST_DATE.isoformat()} to {LATEST_DATE.isoformat()})"
        )


def _check_issue_date(issue_date: date | None, *, today: date) -> None:
    """Refuse a date of issue after ``today``, the day of issuing in China Standard
    Time; raises `IssueDateInFuture`. A license is issued on its date of issue or
    later (a paper license entered afterwards), never before it: dated ahead, it
    would refuse every event until that day came."""
    if issue_date is not None and issue_date > today:
        raise IssueDateInFuture(
            f"issueDate {issue_date.isoformat()} is after the day of issuing"
            f" ({today.isoformat()}, China Standard Time); a license is issued on"
            " its date of issue or later: give that date, or leave issueDate out"
            " for today",
            details={"field": "issueDate"},
        )


def _check_text(request: IssueRequest) -> None:
    """Refuse a control character in the surface fields or the paper number; raises
    `ControlCharacter` naming the field (the holder's name is `check_holder`'s)."""
    refuse_control_characters_in("fields", request.fields)
    if request.paper_number is not None:
        refuse_control_characters("paperNumber", request.paper_number)


def _check_paper_number(request: IssueRequest) -> None:
    if request.paper_number is not None and not request.paper_number.strip():
        raise InvalidRequest("paperNumber is empty; leave it out if there is none")


def check_holder(
    kind: HolderKind, holder: HolderClaim, *, today: date
) -> tuple[str, tuple[str, ...]]:
    """The holder's normalised identifier and any warnings; raises on a bad one.

    A credit code is checked strictly unless ``holder.lenient_identifier``; the
    warnings are those of a code accepted in lenient mode, and only those. Raises
    `InvalidRequest` (`ControlCharacter` for a name holding one) or
    `InvalidIdentifier`, which says when the code would pass as a pilot-era one.
    """
    if not holder.name.strip():
        raise InvalidRequest("holder.name is empty")
    refuse_control_characters("holder.name", holder.name)
    if kind is HolderKind.PERSON:
        return ResidentId.parse(holder.identifier, today=today).value, ()
    code = parse_credit_code(
        holder.identifier,
        lenient=holder.lenient_identifier,
        flag="holder.lenientIdentifier set to true",
    )
    return code.value, code.warnings


def issue_licenses(
    conn: Connection,
    node: Node,
    *,
    issuer: Department,
    requests: Sequence[IssueRequest],
    actor: str,
    now: datetime,
) -> list[IssuedLicense]:
    """Issue ``requests`` for ``issuer`` in the caller's transaction.

    The steps:
      1. check every request (type, responsibility, holder, surface data, a paper
         number no license of the type and issuer carries yet);
      2. identify: assign serials, status-list positions and identifiers;
      3. seal: build each credential and sign it with the issuer's key of ``now``;
      4. persist the licenses and their `issued` events.
    Any failure raises before anything is written, or inside the transaction, which
    the caller then rolls back.
    """
    # 1. Check.
    require_active(issuer)
    today = local_date(now)
    cache = TypeCache(conn, issuer)
    prepared = [
        prepare_issue(conn, issuer=issuer, request=request, today=today, cache=cache)
        for request in requests
    ]
    _refuse_paper_numbers_in_use(conn, issuer, prepared)
    return issue_prepared(
        conn, node, issuer=issuer, prepared=prepared, actor=actor, now=now
    )


def _refuse_paper_numbers_in_use(
    conn: Connection, issuer: Department, prepared: Sequence[PreparedIssue]
) -> None:
    """Refuse a paper number that a current license of the same type and issuer
    carries, or that two requests share, holding it (as gathering does) until the
    transaction ends; raises `PaperNumberInUse`."""
    papers: dict[str, set[str]] = {}
    for item in prepared:
        paper = item.request.paper_number
        if paper is None:
            continue
        taken = papers.setdefault(item.license_type.code, set())
        if paper in taken:
            raise PaperNumberInUse(
                f"paper number {paper} is given to two licenses of type"
                f" {item.license_type.code}; each license needs its own",
                details={"paperNumber": paper},
            )
        taken.add(paper)
    for type_code, numbers in sorted(papers.items()):  # one order: no deadlock
        gathering_store.lock_paper_numbers(
            conn, type_code=type_code, issuer_id=issuer.id, paper_numbers=numbers
        )
        found = gathering_store.current_identifiers(
            conn, type_code=type_code, issuer_id=issuer.id, paper_numbers=numbers
        )
        if found:
            paper, identifier = min(found.items())
            raise PaperNumberInUse(
                f"paper number {paper} is already on license {identifier} of type"
                f" {type_code}, issued by {issuer.credit_code}: to change that license"
                " record a correction or an extension (POST"
                f" /v1/licenses/{identifier}/events); a new license needs a paper"
                " number of its own",
                details={"paperNumber": paper, "license": identifier},
            )


def issue_prepared(
    conn: Connection,
    node: Node,
    *,
    issuer: Department,
    prepared: Sequence[PreparedIssue],
    actor: str,
    now: datetime,
) -> list[IssuedLicense]:
    """Steps 2 to 4 of `issue_licenses`, for requests that already passed the checks.

    Raises `DepartmentDeactivated` for an issuer an operator deactivated, and
    `ControlCharacter` for text no check before caught (a correction's fields).
    """
    if not prepared:
        return []
    require_active(issuer)
    for item in prepared:
        _check_text(item.request)

    # 2. Identify.
    identifiers = _identify(conn, issuer, prepared, year=local_date(now).year)
    first_index = allocate(conn, f"status-index:{issuer.id}", len(prepared)) - 1

    # 3. Seal.
    key, signing_key = node.keyring.signer_at(conn, issuer, at=now)
    documents = [
        sign_credential(
            node,
            key,
            signing_key,
            _content(item, issuer, identifier, first_index + offset),
            now=now,
        )
        for offset, (item, identifier) in enumerate(
            zip(prepared, identifiers, strict=True)
        )
    ]

    # 4. Persist.
    texts = [canonical_json(document) for document in documents]
    new_rows = [
        new_license_row(
            node,
            issuer=issuer,
            key=key,
            item=item,
            identifier=identifier,
            status_index=first_index + offset,
            document_text=text,
            now=now,
        )
        for offset, (item, identifier, text) in enumerate(
            zip(prepared, identifiers, texts, strict=True)
        )
    ]
    row_ids = license_store.insert_licenses(conn, new_rows)
    license_store.insert_events(
        conn,
        [
            sign_event(
                node,
                key,
                signing_key,
                issuer=issuer,
                license_row_id=row_id,
                license_identifier=row.identifier,
                sequence=1,
                kind=EventKind.ISSUED,
                occurred_at=now,
                reason=item.succession.reason if item.succession else None,
                details=_issued_details(item, text),
                actor=actor,
                now=now,
                credential_hash=document_hash(text),
            )
            for row_id, row, text, item in zip(
                row_ids, new_rows, texts, prepared, strict=True
            )
        ],
    )
    for row in new_rows:
        record_status_changes(
            conn, issuer.id, row.status_index, before=None, after=row.status
        )
    return [
        IssuedLicense(
            license=as_license(
                row,
                issuer=issuer,
                supersedes=item.succession.predecessor if item.succession else None,
            ),
            document=document,
            warnings=item.warnings,
        )
        for row, document, item in zip(new_rows, documents, prepared, strict=True)
    ]


def require_active(department: Department) -> None:
    """Raise `DepartmentDeactivated` unless ``department`` may still issue."""
    if department.deactivated_at is not None:
        raise DepartmentDeactivated(
            f"{department.name} ({department.credit_code}) was deactivated at"
            f" {to_rfc3339(department.deactivated_at)}; it issues and records nothing"
            " more, and what it signed keeps verifying"
        )


def _content(
    item: PreparedIssue,
    issuer: Department,
    identifier: LicenseIdentifier,
    status_index: int,
) -> CredentialContent:
    return CredentialContent(
        identifier=str(identifier),
        type_code=item.license_type.code,
        type_name=item.license_type.name_zh,
        type_version=item.type_version.version,
        issuer=issuer,
        holder_kind=item.holder_kind,
        holder_identifier=item.holder_identifier,
        holder_name=item.request.holder.name.strip(),
        fields=item.request.fields,
        paper_number=item.request.paper_number,
        issue_date=item.issue_date,
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        status_index=status_index,
        supersedes=item.succession.predecessor if item.succession else None,
    )


def _issued_details(item: PreparedIssue, document_text: str) -> dict[str, Any]:
    details: dict[str, Any] = {"licenseDocumentHash": document_hash(document_text)}
    if item.succession is not None:
        details["supersedes"] = item.succession.predecessor
        details["cause"] = item.succession.cause.value
    return details


def record_status_changes(
    conn: Connection,
    issuer_id: int,
    status_index: int,
    *,
    before: LicenseStatus | None,
    after: LicenseStatus,
) -> None:
    """Mark the status-list pages on which a license's bit changed.

    ``before`` is None for a license that was not in the lists yet (all bits clear).
    """
    page, _ = page_of(status_index)
    revoked_before = before is not None and before.is_terminal
    if after.is_terminal != revoked_before:
        status_list_store.record_change(conn, issuer_id, StatusPurpose.REVOCATION, page)
    if (after is LicenseStatus.SUSPENDED) != (before is LicenseStatus.SUSPENDED):
        status_list_store.record_change(conn, issuer_id, StatusPurpose.SUSPENSION, page)


def _published_type(
    conn: Connection, type_code: str
) -> tuple[LicenseType, TypeVersion]:
    license_type = catalog_store.get_type(conn, type_code)
    if license_type is None:
        raise NotFound(f"license type {type_code} is not in the catalog")
    version = catalog_store.published_version(conn, type_code)
    if version is None:
        raise CatalogStateError(
            f"license type {type_code} ({license_type.name_zh}) has no published"
            " version; an operator must publish one before licenses can be issued"
        )
    return license_type, version


def _require_responsible(conn: Connection, issuer: Department, type_code: str) -> None:
    level = division(issuer.region_code).level.value
    for line in catalog_store.list_responsibilities(conn, type_code=type_code):
        if (
            line.department_kind == issuer.kind
            and line.department_level == level
            and within(issuer.region_code, line.region_code)
        ):
            return
    raise NotResponsible(
        f"{issuer.name} ({issuer.credit_code}, a {level}-level {issuer.kind}"
        f" department) is not on the responsibility list for license type {type_code}",
        details={"typeCode": type_code, "department": issuer.credit_code},
    )


def _identify(
    conn: Connection,
    issuer: Department,
    prepared: Sequence[PreparedIssue],
    *,
    year: int,
) -> list[LicenseIdentifier]:
    identifiers: list[LicenseIdentifier | None] = []
    for item in prepared:
        if item.succession is not None:
            identifiers.append(item.succession.identifier)
        elif item.request.serial is None:
            identifiers.append(None)  # numbered below
        else:
            identifiers.append(_first_version(item, issuer, item.request.serial))
    numbered = _number_automatically(
        conn,
        issuer,
        [
            (index, item)
            for index, item in enumerate(prepared)
            if not identifiers[index]
        ],
        chosen={str(identifier) for identifier in identifiers if identifier},
        year=year,
    )
    for index, identifier in numbered.items():
        identifiers[index] = identifier
    return [identifier for identifier in identifiers if identifier is not None]


def _first_version(
    item: PreparedIssue, issuer: Department, serial: str
) -> LicenseIdentifier:
    try:
        return LicenseIdentifier.build(
            type_code=item.license_type.code,
            issuer_code=issuer.credit_code,
            serial=serial,
            version=1,
        )
    except InvalidIdentifier as exc:
        raise InvalidRequest(f"serial {serial!r}: {exc.message}") from exc


def _number_automatically(
    conn: Connection,
    issuer: Department,
    items: Sequence[tuple[int, PreparedIssue]],
    *,
    chosen: set[str],
    year: int,
) -> dict[int, LicenseIdentifier]:
    """Automatic serials for ``items`` (by their place in the batch), in batch order:
    the year and a seven-digit sequence, as provincial systems number them.

    A department may choose serials of the same shape itself. A number already taken
    for the item's type, by a stored license or by a serial ``chosen`` in this batch,
    is skipped and the counter moves on, so that a caller's choice never blocks
    automatic numbering. Skipped numbers stay unused.
    """
    numbered: dict[int, LicenseIdentifier] = {}
    pool: list[int] = []
    taken = set(chosen)
    kinds = _one_per_type(items)
    for done, (index, item) in enumerate(items):
        while index not in numbered:
            if not pool:
                first = allocate(conn, f"serial:{issuer.id}:{year}", len(items) - done)
                pool = list(range(first, first + len(items) - done))
                taken |= license_store.existing_identifiers(
                    conn,
                    [
                        str(_first_version(other, issuer, f"{year}{number:07d}"))
                        for number in pool
                        for other in kinds
                    ],
                )
            identifier = _first_version(item, issuer, f"{year}{pool.pop(0):07d}")
            if str(identifier) not in taken:
                numbered[index] = identifier
    return numbered


def _one_per_type(items: Sequence[tuple[int, PreparedIssue]]) -> list[PreparedIssue]:
    return list({item.license_type.code: item for _, item in items}.values())


def sign_credential(
    node: Node,
    key: KeyRecord,
    signing_key: SigningKey,
    content: CredentialContent,
    *,
    now: datetime,
) -> dict[str, Any]:
    return add_proof(
        build_credential(content, base_url=node.base_url),
        signing_key=signing_key,
        verification_method=verification_method_id(
            node.base_url, key.department_code, key.sequence
        ),
        created=now,
    )


def sign_event(
    node: Node,
    key: KeyRecord,
    signing_key: SigningKey,
    *,
    issuer: Department,
    license_row_id: int,
    license_identifier: str,
    sequence: int,
    kind: EventKind,
    occurred_at: datetime,
    reason: str | None,
    details: dict[str, Any],
    actor: str,
    now: datetime,
    credential_hash: str | None = None,
) -> license_store.NewEvent:
    """Build and sign an event document, and the log leaf that commits to it.

    ``credential_hash`` is given for `issued` events: the hash of the new credential.
    """
    signed = add_proof(
        build_event(
            license_identifier=license_identifier,
            sequence=sequence,
            kind=kind,
            issuer=issuer,
            occurred_at=occurred_at,
            reason=reason,
            details=details,
            base_url=node.base_url,
        ),
        signing_key=signing_key,
        verification_method=verification_method_id(
            node.base_url, key.department_code, key.sequence
        ),
        created=now,
    )
    text = canonical_json(signed)
    event_hash = document_hash(text)
    return license_store.NewEvent(
        license_row_id=license_row_id,
        sequence=sequence,
        kind=kind,
        occurred_at=occurred_at,
        recorded_at=now,
        actor=actor,
        reason=reason,
        document=text,
        document_hash=event_hash,
        leaf=event_leaf(
            license_identifier=license_identifier,
            sequence=sequence,
            event=kind.value,
            issuer_code=issuer.credit_code,
            occurred_at=occurred_at,
            recorded_at=now,
            event_hash=event_hash,
            credential_hash=credential_hash,
        ),
    )


def new_license_row(
    node: Node,
    *,
    issuer: Department,
    key: KeyRecord,
    item: PreparedIssue,
    identifier: LicenseIdentifier,
    status_index: int,
    document_text: str,
    now: datetime,
) -> license_store.NewLicense:
    """The stored form of a signed license version, personal data encrypted."""
    text = str(identifier)
    return license_store.NewLicense(
        identifier=text,
        type_code=item.license_type.code,
        type_version=item.type_version.version,
        issuer_id=issuer.id,
        holder_kind=item.holder_kind,
        holder_index=node.vault.index(item.holder_kind, item.holder_identifier),
        holder_cipher=node.vault.seal_identifier(
            item.holder_identifier, license_identifier=text
        ),
        serial=identifier.serial,
        version=identifier.version,
        paper_number=item.request.paper_number,
        valid_from=item.valid_from,
        valid_until=item.valid_until,
        status=item.state.status,
        encumbrance=item.state.encumbrance,
        status_index=status_index,
        supersedes_id=item.succession.predecessor_row_id if item.succession else None,
        key_id=key.id,
        document_cipher=node.vault.seal_document(
            document_text, license_identifier=text
        ),
        issued_at=now,
        issue_date=item.issue_date,
        holder_code_lenient=item.holder_code_lenient,
    )


def as_license(
    row: license_store.NewLicense, *, issuer: Department, supersedes: str | None
) -> License:
    """The domain record of a license version about to be stored."""
    return License(
        identifier=row.identifier,
        type_code=row.type_code,
        type_version=row.type_version,
        issuer_code=issuer.credit_code,
        holder_kind=row.holder_kind,
        serial=row.serial,
        version=row.version,
        paper_number=row.paper_number,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        status=row.status,
        encumbrance=row.encumbrance,
        status_index=row.status_index,
        supersedes=supersedes,
        issued_at=row.issued_at,
        updated_at=row.issued_at,
    )
