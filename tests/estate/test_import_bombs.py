"""Excel bombs on the owner import page (导入业主): refused at once with a Chinese message, nothing written."""
import io

import pytest

from app.security import roles
from tests.estate.test_import import counts
from tests.xlsx_bombs import BOMBS, upload_bomb


@pytest.mark.parametrize("shape", sorted(BOMBS))
def test_an_excel_bomb_is_refused_at_once_and_writes_nothing(app, login_as, estate, shape):
    c = login_as(roles.ARCHIVES)
    template = c.get("/owner-import/template").data

    def post(data):
        return c.post("/owner-import/", data={"file": (io.BytesIO(data), "业主.xlsx")},
                      content_type="multipart/form-data")

    upload_bomb(shape, template, post, lambda: counts(app))
