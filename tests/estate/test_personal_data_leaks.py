"""Side channels on masked personal data: sorting the API by a masked column, the duplicate-证件号 check."""
import json

import prison
import pytest
from sqlalchemy import func, select

from app.core.models import AuditLog
from app.estate.models import Owner
from app.extensions import db
from app.security import roles
from tests.conftest import resident_id, role_user
from tests.estate.test_owners import ZS_ID, _owner_form, owners  # noqa: F401  (the fixture)


def _list(c, **args):
    return c.get("/api/v1/owner/?q=" + prison.dumps(args))


@pytest.mark.parametrize("column", ["id_number", "phone", "emergency_contact"])
def test_owner_api_refuses_sorting_by_a_masked_column(login_as, owners, column):  # noqa: F811
    c = login_as(roles.COMMITTEE)
    for direction in ("asc", "desc"):
        resp = _list(c, order_column=column, order_direction=direction)
        assert resp.status_code == 400
        message = resp.get_json()["message"]
        assert "不能按它排序" in message and "个人信息" in message
        assert ZS_ID not in resp.get_data(True)


def test_owner_api_still_sorts_by_name_and_refuses_filtering_on_masked_columns(login_as, owners):  # noqa: F811
    c = login_as(roles.COMMITTEE)
    resp = _list(c, order_column="name", order_direction="desc")
    assert resp.status_code == 200 and [r["name"] for r in resp.get_json()["result"]] == ["张三", "喆堃"]
    resp = _list(c, filters=[{"col": "id_number", "opr": "sw", "value": ZS_ID[:7]}])
    assert resp.status_code == 400
    info = c.get("/api/v1/owner/_info").get_json()
    assert "id_number" not in info.get("filters", {})


def test_work_order_api_refuses_sorting_by_the_callers_phone(login_as):
    resp = login_as(roles.MANAGER).get("/api/v1/work_order/?q=" + prison.dumps({"order_column": "reporter_phone"}))
    assert resp.status_code == 400 and "不能按它排序" in resp.get_json()["message"]
