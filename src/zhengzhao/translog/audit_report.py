"""What `zhengzhao log audit` reports: findings, each naming what it is about."""

from __future__ import annotations

from dataclasses import dataclass, field

from zhengzhao.translog.audit_leaves import Named

__all__ = ["FINDING_KINDS", "AuditReport", "Finding"]

#: Every kind of finding, from the entries' point of view to the keys'.
FINDING_KINDS = (
    # An event or record differs from what its entry logged.
    "changed",
    # An entry, or the event or record it logged, is gone.
    "deleted",
    # An event or record was never logged.
    "inserted",
    # An entry holds what was logged at another index.
    "reordered",
    # The log holds less than a checkpoint promised.
    "truncated",
    # Stored hashes are missing or do not add up.
    "damaged",
    # A checkpoint obtained outside the node is not the node's tree, nor extended
    # by it.
    "forked",
    # The stored log key is not the node's own, or not the pinned one.
    "untrusted-key",
    # A stored or trusted checkpoint does not verify with the trusted log key.
    "bad-signature",
    # A stored cosignature does not verify with its witness's configured key.
    "bad-cosignature",
    # A license's stored status or encumbrance is not what its events lead to.
    "state-changed",
)


@dataclass(frozen=True)
class Finding:
    """One thing the audit found wrong."""

    #: One of `FINDING_KINDS`.
    kind: str
    #: The log index concerned, where there is one.
    index: int | None
    #: The license and event sequence concerned, where known.
    license: str | None
    sequence: int | None
    detail: str
    #: The access record concerned, for a finding about one.
    record: str | None = None

    @classmethod
    def about(cls, kind: str, index: int | None, named: Named, detail: str) -> Finding:
        """A finding about the event or record ``named``."""
        return cls(kind, index, named.license, named.sequence, detail, named.record)

    def __str__(self) -> str:
        if self.record is not None:
            where = f"entry {self.index}" if self.index is not None else "record"
            what = f" (access record {self.record})"
        elif self.license and self.sequence is None and self.index is None:
            where, what = "license", f" {self.license}"
        else:
            where = f"entry {self.index}" if self.index is not None else "log"
            if self.license and self.index is None:
                where = "event"
            what = f" ({self.license} #{self.sequence})" if self.license else ""
        return f"{self.kind}: {where}{what}: {self.detail}"


@dataclass
class AuditReport:
    """What the audit checked and found."""

    #: The size of the latest checkpoint the node holds.
    size: int
    findings: list[Finding] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings

    def add(self, finding: Finding) -> None:
        self.findings.append(finding)
