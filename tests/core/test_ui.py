"""What the office sees: Chinese everywhere, no raw values, a quiet server log (issue 13, points 5-8)."""
import logging
import re

import pytest

from app.security import roles


def _text(html: str) -> str:
    """The visible text of a page's body, scripts and tags removed, spaces squeezed."""
    body = html[html.find("<body"):]
    body = re.sub(r"<script\b.*?</script>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _cells(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)]


def _headers(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)]


# e. the server log

def test_rendering_a_pdf_logs_no_weasyprint_info(app, caplog):
    from weasyprint import HTML

    caplog.set_level(logging.INFO)
    with app.app_context():
        HTML(string='<html lang="zh-CN"><body><p style="font-family: \'Noto Sans CJK SC\'">物业管理处 第一页</p>'
                    '<p style="page-break-before: always">第二页</p></body></html>').write_pdf()
    chatty = [r for r in caplog.records if r.name.split(".")[0] in ("weasyprint", "fontTools")
              and r.levelno < logging.WARNING]
    assert chatty == []


# a. the page's language

@pytest.mark.parametrize("path", ["/login/", "/", "/fee-items/list/", "/users/list/", "/no/such/page"])
def test_every_page_says_it_is_chinese(admin, path):
    html = admin.get(path, follow_redirects=True).get_data(as_text=True)
    assert '<html lang="zh-CN">' in html


# b. yes/no and nothing

def test_lists_and_record_pages_say_yes_no_and_dash(app, fees, admin):
    html = admin.get("/fee-items/list/").get_data(as_text=True)
    cells = _cells(html)
    assert "是" in cells and "否" in cells
    assert not {"True", "False", "None"} & set(cells)
    show = admin.get(f"/fee-items/show/{fees['lj']}").get_data(as_text=True)
    cells = _cells(show)
    assert "否" in cells and "—" in cells  # 在用: no; its meter kind: none
    assert not {"True", "False", "None", ""} & set(cells)


def test_formatting_shows_booleans_and_nothing_in_chinese(app):
    from app.core.formatting import display_value

    with app.test_request_context():
        assert [display_value(v) for v in (True, False, None, "", "  ", 0, "甲")] == ["是", "否", "—", "—", "—", 0, "甲"]


# f. headers and the password page

def test_the_unpaid_bills_column_is_not_a_problem_description(app, fees, login_as):
    cashier = login_as(roles.CASHIER)
    cashier.post("/billing-run/", data={"community": str(fees["community"]), "period": "2026-11", "commit": "1"})
    html = cashier.get("/unpaid-bills/list/").get_data(as_text=True)
    headers = _headers(html)
    assert "收费内容" in headers and "问题描述" not in headers


@pytest.mark.parametrize("path", ["/resetmypassword/form", "/resetpassword/form?pk=1"])
def test_the_password_pages_tell_the_rule_they_check(admin, path):
    text = _text(admin.get(path).get_data(as_text=True))
    assert "不会检查" not in text
    assert "10 至 128 个字符，至少包含大写字母、小写字母、数字、符号中的三类" in text


def test_a_weak_password_is_refused_on_the_reset_page(app, admin):
    from app.security.services import create_user

    with app.app_context():
        create_user(app.appbuilder, "reset_me", "Strong-Pass-2026", [roles.SERVICE])
        pk = app.appbuilder.sm.find_user(username="reset_me").id
    admin.post(f"/resetpassword/form?pk={pk}", data={"password": "abcdefghij", "conf_password": "abcdefghij"})
    with app.app_context():
        from werkzeug.security import check_password_hash

        from app.extensions import db

        user = app.appbuilder.sm.find_user(username="reset_me")
        assert check_password_hash(user.password, "Strong-Pass-2026")  # the weak one was refused
        db.session.delete(user)
        db.session.commit()


@pytest.mark.parametrize("path", ["/work-log/list/", "/service-kpi/", "/fee-items/list/"])
def test_table_headers_do_not_wrap_a_character_at_a_time(admin, path):
    html = admin.get(path, follow_redirects=True).get_data(as_text=True)
    assert re.search(r"\.table th \{ white-space: nowrap; \}", html)
