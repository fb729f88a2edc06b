"""Tables every area shares: the audit log and the record of corrections."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.history import AppendOnly


class AuditLog(Model):
    """One row per create, update or delete of a business record."""

    __tablename__ = "pm_audit_log"
    __table_args__ = (
        Index("ix_pm_audit_log_target", "table_name", "record_id"),
        Index("ix_pm_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(20), nullable=False)  # create/update/delete/view
    table_name: Mapped[str] = mapped_column(String(64), nullable=False)
    record_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    record_label: Mapped[str] = mapped_column(String(255), nullable=False, default="")
    changes: Mapped[str] = mapped_column(Text, nullable=False, default="")  # JSON

    def __repr__(self) -> str:
        return f"{self.action} {self.table_name}#{self.record_id}"

    def change_summary(self) -> str:
        from app.core.audit import describe_changes

        return describe_changes(self.table_name, self.changes)


class Correction(AppendOnly, Model):
    """A correction of facts already recorded on a history row (an ownership, a resident, a card, a move): who
    corrected what, from what to what, and why. Written once, never edited or deleted; the corrected row and
    this record of what it said before both stay visible."""

    __tablename__ = "pm_correction"
    __table_args__ = (Index("ix_pm_correction_target", "table_name", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    username: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    table_name: Mapped[str] = mapped_column(String(64), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    changes: Mapped[str] = mapped_column(Text, nullable=False)  # JSON {column: [old, new]}, as in the audit log
    reason: Mapped[str] = mapped_column(String(200), nullable=False)

    def change_summary(self) -> str:
        from app.core.audit import describe_changes

        return describe_changes(self.table_name, self.changes)

    def at_text(self) -> str:
        from app.core.formatting import format_datetime

        return format_datetime(self.at)

    def record_label(self) -> str:
        """产权：林晓燕 3-2-0501 — the corrected row by its table's label and its name."""
        from app.core.audit import record_name, table_label
        from flask_appbuilder import Model

        cls = next((m.class_ for m in Model.registry.mappers if m.local_table.name == self.table_name), None)
        name = record_name(cls, self.record_id, {}) if cls is not None else f"#{self.record_id}"
        return f"{table_label(self.table_name)}：{name}"
