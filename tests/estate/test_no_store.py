"""Pages and files with personal data are never kept by the browser or a proxy: Cache-Control: no-store."""
import pytest

from app.security import roles
from tests.estate.test_owners import owners  # noqa: F401  (the fixture)


@pytest.mark.parametrize("role", [roles.SERVICE, roles.ARCHIVES, roles.COMMITTEE])
def test_every_page_and_file_of_a_logged_in_user_is_no_store(login_as, owners, role):  # noqa: F811
    c = login_as(role)
    urls = {
        "owner list": "/owners/list/",
        "owner page": f"/owners/show/{owners['zs']}",
        "house page": f"/houses/show/{owners['h1']}",
        "house list": "/houses/list/",
        "household search": "/households/?q=张",
        "resident list": "/residents/list/",
        "owner card PDF": f"/print/owner-card?house={owners['h1']}",
        "owner export": "/export/owners",
        "resident export": "/residents/export.xlsx",
        "owner API": f"/api/v1/owner/{owners['zs']}",
        "home": "/",
    }
    seen = set()
    for name, url in urls.items():
        resp = c.get(url)
        if resp.status_code != 200:  # a role without that page: its refusal is no-store too
            assert resp.headers.get("Cache-Control") == "no-store", name
            continue
        seen.add(resp.mimetype)
        assert resp.headers.get("Cache-Control") == "no-store", name
    assert {"text/html", "application/pdf", "application/json",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"} <= seen


def test_static_files_may_be_cached(login_as):
    resp = login_as(roles.SERVICE).get("/static/appbuilder/css/ab.css")
    assert resp.status_code == 200 and "no-store" not in (resp.headers.get("Cache-Control") or "")
