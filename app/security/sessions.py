"""Sessions that end when they should.

A session is a signed cookie with nothing on the server, so a copy of it would stay good forever. Each user
has a session version in the database (pm_session_version); a login writes the current version into the
session, and every request compares it with the database. A logout, a password change or reset and a
deactivation raise the version, which ends every session of that user in every server process at once.
"""
import logging

from flask import current_app, flash, has_request_context, jsonify, redirect, request, session
from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext
from flask_login import current_user, logout_user
from sqlalchemy import event, inspect, select, update
from sqlalchemy.exc import IntegrityError

from app.security.models import SessionVersion

log = logging.getLogger(__name__)

SESSION_KEY = "_pm_sv"
_table = SessionVersion.__table__


def current_version(db_session, user_id: int) -> int:
    version = db_session.scalar(select(SessionVersion.version).where(SessionVersion.user_id == user_id))
    return version or 0


def start(db_session, user) -> None:
    """At login: make sure the user has a version row, and hold its version in this session."""
    if db_session.scalar(select(SessionVersion.user_id).where(SessionVersion.user_id == user.id)) is None:
        try:
            db_session.add(SessionVersion(user_id=user.id, version=0))
            db_session.commit()
        except IntegrityError:  # another process made it first
            db_session.rollback()
    session[SESSION_KEY] = current_version(db_session, user.id)


def holds(db_session, user_id: int) -> bool:
    """Does this request's session still hold the user's current version?"""
    if not has_request_context():
        return True
    held = session.get(SESSION_KEY)
    return isinstance(held, int) and held == current_version(db_session, user_id)


def end_all(db_session, user_id: int) -> None:
    """End every session of the user (e.g. at logout)."""
    db_session.execute(update(_table).where(_table.c.user_id == user_id).values(version=_table.c.version + 1))
    db_session.commit()


def keep_this_one(db_session, user_id: int) -> None:
    """After the user's own password change: this session goes on, every other one has ended."""
    if has_request_context() and getattr(current_user, "id", None) == int(user_id):
        session[SESSION_KEY] = current_version(db_session, int(user_id))


@event.listens_for(User, "before_update")
def _password_or_active_changed(mapper, connection, target) -> None:
    """Whatever path changes a password or deactivates a user (its own page, the admin's reset, the user
    list's edit form, the CLI), the user's sessions end with it: one place, in the same transaction."""
    state = inspect(target)
    password_changed = state.attrs.password.history.has_changes()
    deactivated = state.attrs.active.history.has_changes() and not target.active
    if password_changed or deactivated:
        connection.execute(
            update(_table).where(_table.c.user_id == target.id).values(version=_table.c.version + 1)
        )


def refuse_ended_session():
    """Before each request: a session whose user was refused (its version ended, or the user deactivated) is
    logged out and sent to the login page with a word why; an API call gets 401."""
    if "_user_id" not in session or current_user.is_authenticated:
        return None
    if (request.endpoint or "").endswith("static"):
        return None
    log.info("ended session refused: user id %s, %s %s", session.get("_user_id"), request.method, request.path)
    logout_user()
    session.pop(SESSION_KEY, None)
    message = gettext("Your session has ended (logged out, password changed or account deactivated). "
                      "Please log in again.")
    if request.path.startswith("/api/"):
        return jsonify({"message": message}), 401
    login_url = current_app.appbuilder.get_url_for_login
    if request.path == login_url:
        return None  # the login page itself goes on, with its form and CSRF token
    flash(message, "warning")
    return redirect(login_url)
