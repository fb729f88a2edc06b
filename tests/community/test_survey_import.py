"""The forms imported from Excel: the template has the questions as columns; a good file is imported whole; a file
with any bad row (each kind below) writes nothing and lists every problem with its row, in Chinese."""
import io

import pytest

from app.security import roles
from tests.community.conftest import within


def _template(client, pk):
    from openpyxl import load_workbook

    resp = client.get(f"/survey-entry/template/{pk}")
    assert resp.status_code == 200
    return load_workbook(io.BytesIO(resp.data))


def _file(client, pk, rows) -> bytes:
    wb = _template(client, pk)
    ws = wb.worksheets[0]
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, pk, data: bytes):
    return client.post(f"/survey-entry/import/{pk}", data={"file": (io.BytesIO(data), "forms.xlsx")},
                       content_type="multipart/form-data")


def _forms(app, pk):
    from app.community.models import SurveyResponse
    from app.extensions import db

    return within(app, lambda: sorted((r.house.house_no, r.source, len(r.answers)) for r in db.session.query(
        SurveyResponse).filter_by(campaign_id=pk)))


def test_the_template_has_the_questions_as_columns(login_as, fresh):
    wb = _template(login_as(roles.SERVICE), fresh["fresh"])
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers == ["房号", "1. 前台接待服务态度", "2. 报修维修是否及时", "3. 公共区域清洁", "备注"]
    notes = [[c.value for c in row] for row in wb.worksheets[1].iter_rows(min_row=2)]
    assert ["3. 公共区域清洁", "环境：1 满意 2 基本满意 3 不满意"] in notes


def test_a_good_file_is_imported_whole(app, login_as, fresh):
    client = login_as(roles.SERVICE)
    pk = fresh["fresh"]
    data = _file(client, pk, [["1-1-0101", 5, "满意", "基本满意", None], ["2-1-0301", None, 2, 3, "电话回访过"]])
    page = _upload(client, pk, data).get_data(as_text=True)
    assert "已导入 2 户的问卷。" in page
    assert _forms(app, pk) == [("1-1-0101", "import", 3), ("2-1-0301", "import", 2)]
    from app.core.models import AuditLog
    from app.extensions import db

    logged = within(app, lambda: [(a.action, a.record_label) for a in db.session.query(AuditLog).filter_by(
        table_name="community_survey_response")])
    assert ("import", "调查问卷导入：翠湖花园 2027年上半年") in logged


@pytest.mark.parametrize("bad_row, column, message", [
    (["1-1-0999", 5, 5, 1, None], "房号", "翠湖花园没有房号为 1-1-0999 的房屋。"),
    ([None, 5, 5, 1, None], "房号", "房号不能为空。"),
    (["1-1-0102", 5, 5, 1, None], "房号", "1-1-0102 在第 2 行也出现了：每户只答一次。"),
    (["1-1-0201", 7, 5, 1, None], "1. 前台接待服务态度", "第 1 题：请填写 1 很不满意"),
    (["1-1-0201", 5, 5, "还行", None], "3. 公共区域清洁", "第 3 题：请填写 1 满意 2 基本满意 3 不满意 之一，或留空。"),
    (["1-1-0201", None, None, None, "没答"], "", "这份问卷没有答案：所有题目都是空的。"),
    (["1-1-0201", 5, 5, 1, "<script>"], "备注", "备注不能包含HTML标签或脚本代码。"),
])
def test_each_kind_of_bad_row_writes_nothing(app, login_as, fresh, bad_row, column, message):
    client = login_as(roles.SERVICE)
    pk = fresh["fresh"]
    data = _file(client, pk, [["1-1-0102", 4, 4, 2, None], bad_row])
    page = _upload(client, pk, data).get_data(as_text=True)
    assert "未导入任何数据：文件共 2 行，其中 1 行有 1 处问题。" in page
    assert f"<td>3</td><td>{column}</td><td>{message}" in page
    assert _forms(app, pk) == []


def test_a_household_that_answered_already_is_refused(app, login_as, surveyed):
    client = login_as(roles.SERVICE)
    data = _file(client, surveyed["h2"], [["1-1-0101", 5, 5, 1, None]])
    page = _upload(client, surveyed["h2"], data).get_data(as_text=True)
    assert "1-1-0101 已答过本次调查：每户只答一次。" in page
    assert len(_forms(app, surveyed["h2"])) == 5  # the five forms typed before, nothing more


@pytest.mark.parametrize("data, message", [
    (b"not a workbook", "这不是 Excel .xlsx 文件"),
    (b"", "请选择文件。"),
])
def test_a_file_that_is_not_the_template_is_refused(app, login_as, fresh, data, message):
    page = _upload(login_as(roles.SERVICE), fresh["fresh"], data).get_data(as_text=True)
    assert message in page
    assert _forms(app, fresh["fresh"]) == []


def test_a_file_without_the_question_columns_is_refused(app, login_as, fresh):
    from app.core.excel import workbook_bytes

    data = workbook_bytes(["房号", "1. 前台接待服务态度"], [["1-1-0101", 5]])
    page = _upload(login_as(roles.SERVICE), fresh["fresh"], data).get_data(as_text=True)
    assert "缺少以下列" in page and "2.报修维修是否及时" in page
    assert _forms(app, fresh["fresh"]) == []
