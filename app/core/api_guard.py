"""The REST API's request bodies, checked once for every endpoint under /api/ before any view runs.

A POST, PUT or PATCH must send one JSON object (`{...}`), nested no deeper than MAX_DEPTH. Anything else
(`null`, `[]`, `"x"`, `1`, text that is not JSON, JSON nested thousands deep, which makes Python's parser
raise RecursionError, a NUL character in a key or a string) answers 400 with a Chinese message; nothing is
read from the database or written.
The parsed body stays cached on the request, so the view does not parse it again.
"""
from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest

from app.core.web import NUL_MESSAGE

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_DEPTH = 16  # an object of lists of objects is 3 deep; no client of ours sends more


def body_problem():
    """The message for a body an API endpoint cannot take, or None for a good one."""
    if not request.is_json:
        return _l("The request body must be JSON (Content-Type: application/json).")
    try:
        body = request.get_json()
    except BadRequest:
        return _l("The request body is not valid JSON.")
    except RecursionError:
        return _l("The request body is nested too deeply.")
    if not isinstance(body, dict):
        return _l("The request body must be one JSON object, such as {\"name\": \"…\"}.")
    if _depth(body) > MAX_DEPTH:
        return _l("The request body is nested too deeply.")
    if _holds_nul(body):
        return NUL_MESSAGE
    return None


def _holds_nul(value) -> bool:
    """Whether a key or a string anywhere in a parsed JSON value (already known to be shallow) holds NUL."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _depth(value) -> int:
    """How deeply lists and objects are nested in a parsed JSON value (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            if level > MAX_DEPTH:
                break
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def init_app(app) -> None:
    @app.before_request
    def _api_body_must_be_an_object():
        # a URL that names no endpoint is left to answer 404
        if request.method in BODY_METHODS and request.path.startswith("/api/") and request.url_rule is not None:
            problem = body_problem()
            if problem is not None:
                return jsonify({"message": str(problem)}), 400
