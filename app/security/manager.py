"""Security manager: FAB's, plus the login lock kept in the database."""
from datetime import datetime, timedelta

from flask import current_app, flash, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_babel import gettext
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.security.models import LoginThrottle
from app.security.views import (PermissionModelView, PermissionViewModelView, PMUserDBModelView, ResetMyPasswordView,
                                ResetPasswordView, RoleModelView, UserGroupModelView, UserStatsChartView,
                                ViewMenuModelView)


class PMSecurityManager(SecurityManager):
    userdbmodelview = PMUserDBModelView
    resetpasswordview = ResetPasswordView
    resetmypasswordview = ResetMyPasswordView
    rolemodelview = RoleModelView
    groupmodelview = UserGroupModelView
    userstatschartview = UserStatsChartView
    permissionmodelview = PermissionModelView
    viewmenumodelview = ViewMenuModelView
    permissionviewmodelview = PermissionViewModelView

    def auth_user_db(self, username, password):
        key = (username or "").strip().lower()[:100]
        if not key:
            return None
        now = clock.now()
        session = self.session
        row = session.scalar(select(LoginThrottle).where(LoginThrottle.username == key))
        if row is not None and row.locked_until is not None and row.locked_until > now:
            self._say_locked(row.locked_until)
            return None
        user = super().auth_user_db(username, password)
        if user is not None:
            if row is not None and (row.failures or row.locked_until):
                row.failures, row.locked_until = 0, None
                session.commit()
            return user
        self._count_failure(key, now)
        return None

    def _count_failure(self, key: str, now: datetime) -> None:
        session = self.session
        limit = current_app.config.get("LOGIN_MAX_FAILURES", 5)
        minutes = current_app.config.get("LOGIN_LOCK_MINUTES", 15)
        if session.scalar(select(LoginThrottle.id).where(LoginThrottle.username == key)) is None:
            try:
                session.add(LoginThrottle(username=key, failures=0))
                session.commit()
            except IntegrityError:  # another process made it first
                session.rollback()
        # Atomic increment: several server processes may count at once.
        session.execute(
            update(LoginThrottle).where(LoginThrottle.username == key).values(failures=LoginThrottle.failures + 1)
        )
        session.commit()
        row = session.scalar(select(LoginThrottle).where(LoginThrottle.username == key))
        if row.failures >= limit:
            row.failures = 0
            row.locked_until = now + timedelta(minutes=minutes)
            session.commit()
            self._say_locked(row.locked_until)

    @staticmethod
    def _say_locked(until: datetime) -> None:
        if has_request_context():
            flash(
                gettext(
                    "Too many failed logins: this account is locked until %(time)s. Please try again later.",
                    time=until.strftime("%H:%M"),
                ),
                "danger",
            )

    def is_locked(self, username: str) -> bool:
        row = self.session.scalar(
            select(LoginThrottle).where(LoginThrottle.username == username.strip().lower())
        )
        return bool(row and row.locked_until and row.locked_until > clock.now())
