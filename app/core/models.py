"""Tables every area shares: the audit log."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock


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
