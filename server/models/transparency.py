"""The custody log (a C2SP tlog-tiles transparency log): entries, tiles, signed checkpoints,
the witnesses' cosignatures, and what this deployment keeps when it witnesses another log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import Model
from server.models.types import UtcDateTime, utc_now


class LogEntry(Model):
    """One leaf of the log: the 32 raw bytes of a custody event's chain hash, at its index.

    No foreign key to the event on purpose: an event deleted from the database must leave
    its entry behind, where `custody verify` finds it missing. When it was logged is the
    signing time of the first checkpoint whose size exceeds its index.
    """

    __tablename__ = "log_entries"
    __table_args__ = (CheckConstraint("log_index >= 0", name="log_index_not_negative"),)

    log_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    entry: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogTile(Model):
    """A tlog-tiles hash tile: up to 256 concatenated 32-byte hashes of one level.

    Level 0 holds leaf hashes; level l ≥ 1 the roots of full tiles of level l-1. The
    rightmost tile of a level grows until it is full (256 hashes); a full tile never changes.
    """

    __tablename__ = "log_tiles"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    tile_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hashes: Mapped[bytes] = mapped_column(LargeBinary)


class LogCheckpoint(Model):
    """A signed checkpoint (C2SP tlog-checkpoint in a signed note). Every one is kept."""

    __tablename__ = "log_checkpoints"
    __table_args__ = (CheckConstraint("tree_size >= 0", name="tree_size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, unique=True)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: The signed note as served (text, blank line, the log's signature line).
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    cosignatures: Mapped[list[LogCosignature]] = relationship(
        back_populates="checkpoint", order_by="LogCosignature.id")


class LogCosignature(Model):
    """A witness's cosignature line on one of our checkpoints (C2SP tlog-cosignature)."""

    __tablename__ = "log_cosignatures"
    __table_args__ = (UniqueConstraint("checkpoint_id", "witness_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("log_checkpoints.id"), index=True)
    witness_name: Mapped[str] = mapped_column(String(200))
    #: "— <name> <base64>" without the newline.
    signature_line: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    checkpoint: Mapped[LogCheckpoint] = relationship(back_populates="cosignatures")


class WitnessedLog(Model):
    """As a witness of another log: the latest checkpoint cosigned for its origin."""

    __tablename__ = "witnessed_logs"

    origin: Mapped[str] = mapped_column(String(200), primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: The checkpoint note as received (with the log's signature), proof of what we saw.
    note: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class WitnessRefusal(Model):
    """A checkpoint a witness refused (fork or rollback), as the witness or as the log."""

    __tablename__ = "witness_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "witness": we refused another log's checkpoint; "log": a witness refused ours.
    side: Mapped[str] = mapped_column(String(10))
    origin: Mapped[str] = mapped_column(String(200))
    peer: Mapped[str] = mapped_column(String(300))
    status: Mapped[int] = mapped_column(SmallInteger)
    reason: Mapped[str] = mapped_column(String(300))
    tree_size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
