"""Login hardening, kept in the database so it holds across server processes.

- A lock per ACCOUNT: the name typed is resolved to the user (by user name or e-mail, either case), and the
  failures are counted on that account, so its e-mail is no second set of guesses; a name that is no account
  is counted by the name typed. LOGIN_MAX_FAILURES failures lock it for LOGIN_LOCK_MINUTES.
- A limit per client address: LOGIN_ADDRESS_MAX_FAILURES failures from one address within
  LOGIN_ADDRESS_WINDOW_MINUTES, and that address is refused until the window ends, without the refused
  attempts counting against any account (so one address cannot lock out every account in a loop).
"""
import logging
from datetime import datetime, timedelta

from flask import current_app, flash, has_request_context, request
from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.security.models import LoginAddress, LoginThrottle

log = logging.getLogger(__name__)


def client_address() -> str:
    """The client's address: request.remote_addr, or the entry LOGIN_PROXY_COUNT hops from the right of
    X-Forwarded-For when the configuration says that many trusted proxies stand in front."""
    hops = int(current_app.config.get("LOGIN_PROXY_COUNT") or 0)
    if hops > 0:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops][:64]
    return (request.remote_addr or "unknown")[:64]


def account_key(sm, typed: str) -> str:
    """The counter's key of what was typed: the account's user name, or the typed name if it is no account."""
    name = typed.strip()[:100]
    model = sm.user_model
    for column in (model.username, model.email):
        found = sm.session.scalars(select(model.username).where(func.lower(column) == name.lower()).limit(2)).all()
        if len(found) == 1:
            return found[0].lower()[:100]
    return name.lower()


def authenticate(sm, typed, password, check):
    """Run check(typed, password) (FAB's password check) inside the address limit and the account lock."""
    if not (typed or "").strip():
        return None
    now = clock.now()
    address = client_address() if has_request_context() else None
    if address is not None:
        limited_until = _address_limited_until(sm.session, address, now)
        if limited_until is not None:
            log.warning("login refused: too many failures from %s", address)
            _say(gettext("Too many failed logins from your network address. Please try again after %(time)s.",
                         time=limited_until.strftime("%H:%M")))
            return None
    key = account_key(sm, typed)
    row = sm.session.scalar(select(LoginThrottle).where(LoginThrottle.username == key))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        _say_locked(row.locked_until)
        return None
    user = check(typed, password)
    if user is not None:
        if row is not None and (row.failures or row.locked_until):
            row.failures, row.locked_until = 0, None
            sm.session.commit()
        return user
    _count_account_failure(sm.session, key, now)
    if address is not None:
        _count_address_failure(sm.session, address, now)
    return None


def is_locked(sm, typed: str) -> bool:
    row = sm.session.scalar(select(LoginThrottle).where(LoginThrottle.username == account_key(sm, typed)))
    return bool(row and row.locked_until and row.locked_until > clock.now())


def _ensure_row(session, model, where, **values) -> None:
    if session.scalar(select(model.id).where(where)) is None:
        try:
            session.add(model(**values))
            session.commit()
        except IntegrityError:  # another process made it first
            session.rollback()


def _count_account_failure(session, key: str, now: datetime) -> None:
    limit = current_app.config.get("LOGIN_MAX_FAILURES", 5)
    minutes = current_app.config.get("LOGIN_LOCK_MINUTES", 15)
    _ensure_row(session, LoginThrottle, LoginThrottle.username == key, username=key, failures=0)
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
        _say_locked(row.locked_until)


def _window() -> timedelta:
    return timedelta(minutes=current_app.config.get("LOGIN_ADDRESS_WINDOW_MINUTES", 15))


def _address_limited_until(session, address: str, now: datetime) -> datetime | None:
    limit = current_app.config.get("LOGIN_ADDRESS_MAX_FAILURES", 30)
    row = session.scalar(select(LoginAddress).where(LoginAddress.address == address))
    if row is None or row.failures < limit or row.window_start + _window() <= now:
        return None
    return row.window_start + _window()


def _count_address_failure(session, address: str, now: datetime) -> None:
    where = LoginAddress.address == address
    _ensure_row(session, LoginAddress, where, address=address, failures=0, window_start=now)
    # a window that has ended starts again (conditional: one process restarts it)
    session.execute(update(LoginAddress).where(where, LoginAddress.window_start <= now - _window())
                    .values(failures=0, window_start=now))
    session.execute(update(LoginAddress).where(where).values(failures=LoginAddress.failures + 1))
    session.commit()


def _say_locked(until: datetime) -> None:
    _say(gettext("Too many failed logins: this account is locked until %(time)s. Please try again later.",
                 time=until.strftime("%H:%M")))


def _say(message: str) -> None:
    if has_request_context():
        flash(message, "danger")
