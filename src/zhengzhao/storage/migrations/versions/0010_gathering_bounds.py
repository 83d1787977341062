"""a batch's mapping in its key; rejection categories; no plaintext stored files;
paper numbers in upper case

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

- ``gathering_batches.mapping_hash``: the SHA-256 of the batch's column mapping (its
  canonical JSON: keys sorted, no spaces, UTF-8), "" for none, joins the batch's
  unique key, so that the same file read through another mapping is another batch.
- ``category`` of rejected rows and pushed problems (``identifier``, ``schema``,
  ``other``), set where a problem is found from now on; problems stored before are
  given the category their field and reason show: ``identifier`` for an empty
  CZZTDM or one failing its check (the reasons that begin ``CZZTDM:`` or ``CZZTDM
  (holder identifier) is empty``), ``other`` for any other problem of a metadata
  name or of no field (a transfer attempt, a number cell that lost digits, a
  lifecycle refusal), ``schema`` for the rest.
- Uploaded files were stored in clear. A finished batch needs its copy no more, and
  it is deleted; an unfinished batch's copy is deleted too (a migration holds no
  master key to encrypt it with), and the batch is marked ``stopped`` with the
  reason: submitting the same file again stores an encrypted copy and resumes it
  after its last committed chunk.
- Paper numbers are kept with their letters in upper case, as gathering now reads
  them (``p0000001`` is ``P0000001``): the ASCII letters of stored paper numbers of
  licenses, rejected rows and pushes are upper-cased. Two licenses whose numbers
  differed only in case keep both, and a later row finds the newer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_OLD_KEY = "uq_gathering_batches_department_id_type_code_content_hash_sheet"
_KEY = ("department_id", "type_code", "content_hash", "sheet")
_METADATA = (
    "ZZBH",
    "CZZT",
    "CZZTDM",
    "ZZBFRQ",
    "ZZYXQQSRQ",
    "ZZYXQJZRQ",
    "ZZZT",
    "ZZZTBGRQ",
    "ZZLXDM",
    "ZZBFJGDM",
    "CZZTDMLXDM",
    "ZZMC",
    "ZZBFJG",
    "CZZTDMLX",
    "ZZBS",
    "occurredAt",
)
_CATEGORY = """
UPDATE {table} SET category = CASE
    WHEN field = 'CZZTDM' AND (
        reason LIKE 'CZZTDM: %' OR reason LIKE 'CZZTDM (holder identifier) is empty%'
    ) THEN 'identifier'
    WHEN field IS NULL OR field IN ({metadata}) THEN 'other'
    WHEN reason LIKE '% is a number cell, and a spreadsheet keeps only %'
        THEN 'other'
    ELSE 'schema'
END
"""
_STOPPED = (
    "the node kept this batch's file unencrypted, and deleted it when it began to"
    " encrypt the files it keeps (schema revision 0010); submit the same file"
    " again to resume the batch after its last committed chunk"
)
_LOWER = "abcdefghijklmnopqrstuvwxyz"


def upgrade() -> None:
    _plaintext_copies()
    _key_with_mapping()
    _categories()
    for table in ("licenses", "gathering_rejections", "gathering_pushes"):
        op.execute(_upper_paper_numbers(table))


def _key_with_mapping() -> None:
    with op.batch_alter_table("gathering_batches", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "mapping_hash", sa.String(length=64), server_default="", nullable=False
            )
        )
    conn = op.get_bind()
    batches = sa.table(
        "gathering_batches",
        sa.column("id", sa.BigInteger()),
        sa.column("mapping", sa.JSON()),
        sa.column("mapping_hash", sa.String()),
    )
    rows = conn.execute(
        sa.select(batches.c.id, batches.c.mapping).where(batches.c.mapping.is_not(None))
    ).all()
    for batch_id, mapping in rows:
        if mapping:
            conn.execute(
                batches.update()
                .where(batches.c.id == batch_id)
                .values(mapping_hash=_mapping_hash(mapping))
            )
    with (
        _rejections_aside(),
        op.batch_alter_table("gathering_batches", schema=None) as batch_op,
    ):
        batch_op.drop_constraint(_OLD_KEY, type_="unique")
        batch_op.create_unique_constraint(
            "uq_gathering_batches_identity", [*_KEY, "mapping_hash"]
        )


@contextmanager
def _rejections_aside() -> Iterator[None]:
    """Keep the rejected rows in a table of their own while the batches' table is
    rebuilt. SQLite changes a table's constraints by copying it into a new table
    and dropping the old one, which a rejected row may not refer to while foreign
    keys are enforced (and a migration runs in a transaction, where they cannot be
    turned off). The files kept are deleted before (`_plaintext_copies`)."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    op.execute(
        "CREATE TEMPORARY TABLE rejections_0010 AS SELECT * FROM gathering_rejections"
    )
    op.execute("DELETE FROM gathering_rejections")
    yield
    op.execute("INSERT INTO gathering_rejections SELECT * FROM rejections_0010")
    op.execute("DROP TABLE rejections_0010")


def _mapping_hash(mapping: dict[str, str]) -> str:
    text = json.dumps(
        mapping, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _categories() -> None:
    metadata = ", ".join(f"'{name}'" for name in _METADATA)
    for table in ("gathering_rejections", "gathering_push_problems"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "category",
                    sa.String(length=16),
                    server_default="other",
                    nullable=False,
                )
            )
        op.execute(_CATEGORY.format(table=table, metadata=metadata))


def _plaintext_copies() -> None:
    batches = sa.table(
        "gathering_batches",
        sa.column("id", sa.BigInteger()),
        sa.column("state", sa.String()),
        sa.column("error", sa.Text()),
    )
    content = sa.table("gathering_content", sa.column("batch_id", sa.BigInteger()))
    kept = sa.select(content.c.batch_id).where(content.c.batch_id == batches.c.id)
    op.execute(
        batches.update()
        .where(batches.c.state != "finished", kept.exists())
        .values(state="stopped", error=_STOPPED)
    )
    op.execute(content.delete())


def _upper_paper_numbers(table: str) -> str:
    # SQLite's upper() changes ASCII letters only; PostgreSQL's follows the locale,
    # so there the ASCII letters are translated one by one.
    conn = op.get_bind()
    upper = (
        f"translate(paper_number, '{_LOWER}', '{_LOWER.upper()}')"
        if conn.dialect.name == "postgresql"
        else "upper(paper_number)"
    )
    return (
        f"UPDATE {table} SET paper_number = {upper}"
        f" WHERE paper_number IS NOT NULL AND paper_number <> {upper}"
    )


def downgrade() -> None:
    for table in ("gathering_push_problems", "gathering_rejections"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("category")
    op.execute("DELETE FROM gathering_content")
    with (
        _rejections_aside(),
        op.batch_alter_table("gathering_batches", schema=None) as batch_op,
    ):
        batch_op.drop_constraint("uq_gathering_batches_identity", type_="unique")
        batch_op.create_unique_constraint(_OLD_KEY, list(_KEY))
        batch_op.drop_column("mapping_hash")
