"""Excel bombs on the meter reading import page: refused at once with a Chinese message, nothing written."""
import io

import pytest

from app.billing.models import MeterReading
from app.core.models import AuditLog
from app.security import roles
from tests.billing.test_billing_pages import _count
from tests.xlsx_bombs import BOMBS, upload_bomb


@pytest.mark.parametrize("shape", sorted(BOMBS))
def test_an_excel_bomb_is_refused_at_once_and_writes_nothing(app, login_as, water, shape):
    clerk = login_as(roles.ENGINEER)
    template = clerk.get("/meter-sheet/template").data

    def post(data):
        return clerk.post("/meter-sheet/upload", data={"community": str(water["community"]),
                                                       "file": (io.BytesIO(data), "读数.xlsx")},
                          content_type="multipart/form-data")

    upload_bomb(shape, template, post, lambda: (_count(app, MeterReading), _count(app, AuditLog)))
