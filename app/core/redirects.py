"""Safe redirects: the one check of every user-supplied `back` / `next` URL.

Only a path of this site is followed: it starts with one "/" (not "//" nor "/\\", which browsers read as
another host). Browsers drop tab, CR and LF anywhere in a URL and spaces and control characters at its ends
before they follow it, so "/\\t/evil.example/" is "//evil.example/" to them: those are removed before the
check, and a URL still holding a control character is refused. Percent-encoded tricks ("/%09/evil.example",
"/%2F/evil.example") are checked decoded too. An absolute URL of this very host (FAB's login puts
`next=http://host/page`) is kept as its path; any other host, "https:evil.example", "\\\\evil.example" and
"javascript:" fall back.

install(app) makes FAB's own `next` (login and the other security views) and its back links use safe_next.
"""
import re
import unicodedata
from urllib.parse import unquote, urlsplit

_BROWSER_DROPS = re.compile(r"[\t\r\n]")
_ENDS = "".join(chr(c) for c in range(0x21)) + "\x7f"  # C0 controls and space, stripped at both ends


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch)[0] == "C" for ch in text)


def _local_path(text: str) -> bool:
    """A path of this site: one leading "/", no control characters, also once percent-decoded."""
    for candidate in (text, _BROWSER_DROPS.sub("", unquote(text)).strip(_ENDS)):
        if not candidate.startswith("/") or candidate[1:2] in ("/", "\\") or _has_control(candidate):
            return False
    return True


def safe_next(url, fallback: str = "/") -> str:
    """`url` when it is a path of this site (made the way a browser reads it), else `fallback`."""
    if not isinstance(url, str) or not url:
        return fallback
    text = _BROWSER_DROPS.sub("", url).strip(_ENDS)
    if text.lower().startswith(("http://", "https://")):
        from flask import has_request_context, request

        try:
            parts = urlsplit(text)
        except ValueError:
            return fallback
        if not has_request_context() or parts.netloc.lower() != request.host.lower():
            return fallback
        text = parts.path or "/"
        if parts.query:
            text += "?" + parts.query
    return text if _local_path(text) else fallback


def install(app) -> None:
    """FAB's `next` of the login and security views, and its back links, through safe_next."""
    import flask_appbuilder.security.views as fab_security_views
    import flask_appbuilder.utils.base as fab_utils
    from flask import current_app, request

    def get_safe_redirect(url):
        return safe_next(url, current_app.appbuilder.get_url_for_index)

    fab_security_views.get_safe_redirect = get_safe_redirect
    fab_utils.get_safe_redirect = get_safe_redirect
    app.jinja_env.filters["get_link_next"] = lambda _s: safe_next(request.args.get("next"), "")
    app.jinja_env.filters["get_link_back"] = lambda req: safe_next(req.args.get("next") or req.referrer, "")
