"""Password complexity: one rule for every path that sets a password."""
import re

from flask_appbuilder.exceptions import PasswordComplexityValidationError
from flask_babel import gettext

MIN_LENGTH = 10


def password_problem(password: str | None) -> str | None:
    """Return a Chinese description of what the password lacks, or None if it is good."""
    password = password or ""
    if len(password) < MIN_LENGTH or len(password) > 128:
        return gettext("The password must be %(min)d to 128 characters long.", min=MIN_LENGTH)
    kinds = sum(
        bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
    )
    if kinds < 3:
        return gettext(
            "The password must contain at least three of: upper-case letters,"
            " lower-case letters, digits, symbols."
        )
    return None


def check_password_complexity(password: str) -> None:
    """FAB's FAB_PASSWORD_COMPLEXITY_VALIDATOR hook."""
    problem = password_problem(password)
    if problem:
        raise PasswordComplexityValidationError(problem)


def generate_password() -> str:
    import secrets
    import string

    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(14)) + secrets.choice("!#%+-=@")
        if password_problem(pw) is None:
            return pw
