"""Login hardening and session state, kept in the database so they hold across server processes."""
from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column


class LoginThrottle(Model):
    """Failed logins of one account (keyed by its user name), or of a name that is no account."""
    __tablename__ = "pm_login_throttle"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LoginAddress(Model):
    """Failed logins from one client address in the current window (the window starts with its first failure)."""
    __tablename__ = "pm_login_address"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime, nullable=False)


class SessionVersion(Model):
    """A user's session version: a session holds the version of its login and is refused once it changes
    (logout, password change or reset, deactivation)."""
    __tablename__ = "pm_session_version"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
