"""Excel bombs on the survey forms import page: refused at once with a Chinese message, nothing written."""
import io

import pytest

from app.security import roles
from tests.community.conftest import within
from tests.xlsx_bombs import BOMBS, upload_bomb


def _written(app):
    from sqlalchemy import func, select

    from app.community.models import SurveyAnswer, SurveyResponse
    from app.core.models import AuditLog
    from app.extensions import db

    return within(app, lambda: tuple(db.session.scalar(select(func.count()).select_from(m))
                                     for m in (SurveyResponse, SurveyAnswer, AuditLog)))


@pytest.mark.parametrize("shape", sorted(BOMBS))
def test_an_excel_bomb_is_refused_at_once_and_writes_nothing(app, login_as, fresh, shape):
    client = login_as(roles.SERVICE)
    pk = fresh["fresh"]
    template = client.get(f"/survey-entry/template/{pk}").data

    def post(data):
        return client.post(f"/survey-entry/import/{pk}", data={"file": (io.BytesIO(data), "forms.xlsx")},
                           content_type="multipart/form-data")

    upload_bomb(shape, template, post, lambda: _written(app))
