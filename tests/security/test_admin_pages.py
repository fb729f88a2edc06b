"""FAB's user, role and group pages and the user statistics chart, in Chinese (issue 13, point 5)."""
import re

import pytest

from app.security import roles
from tests.core.test_ui import _headers, _text

# FAB's English that showed on these pages: column labels, filter names, chart series, permission names
ENGLISH = re.compile(r"\b(can [a-z]+|menu access|on [A-Z][A-Za-z]+View|First Name|Last Name|Login Count|Failed Login|"
                     r"Created On|Changed On|Last Login|Email|Active|Roles?|Groups?|Users?|Name|Label|Description)\b")


def _english(html: str) -> list[str]:
    text = _text(html)
    scripts = " ".join(re.findall(r"<script\b.*?</script>", html, re.S))  # the filters' labels live in a script
    filters = " ".join(re.findall(r'"([^"<>]*)"', " ".join(re.findall(r"AdminFilters\((.*?)\);", scripts, re.S))))
    return sorted(set(ENGLISH.findall(text + " " + filters)) - {"English"})


@pytest.mark.parametrize("path", ["/users/list/", "/roles/list/", "/groups/list/", "/userstatschartview/chart/",
                                  "/roles/add"])
def test_the_admin_pages_speak_chinese(admin, path):
    html = admin.get(path).get_data(as_text=True)
    assert _english(html) == [], path


def test_a_roles_permissions_are_named_by_the_role_matrix(app, admin):
    with app.app_context():
        pk = app.appbuilder.sm.find_role(roles.CASHIER).id
    html = admin.get(f"/roles/show/{pk}").get_data(as_text=True)
    text = _text(html)
    assert _english(html) == []
    assert "收款台：" in text and "收款" in text  # CounterView: can_pay
    assert re.search(r"小区：列表、查看详情[^；]*；", text)
    assert "CounterView" not in text and "can_" not in text
    listing = admin.get("/roles/list/").get_data(as_text=True)
    assert "收款台：" in _text(listing) and "can list" not in listing
    assert "名称" in _headers(listing) and "权限" in _headers(listing)
