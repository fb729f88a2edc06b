"""FAB's attachment download (/<view>/download/<filename>) is not a route of any list page: 404, never 500."""
from flask_appbuilder import ModelView


def test_no_model_view_answers_the_attachment_download(app, admin):
    views = [v for v in app.appbuilder.baseviews if isinstance(v, ModelView)]
    assert len(views) > 40  # every area's lists, the audit log and the security pages
    for view in views:
        for name in ("x.txt", "..%2Fconfig.py", "a.xlsx"):
            resp = admin.get(f"{view.route_base}/download/{name}")
            assert resp.status_code == 404, (type(view).__name__, name, resp.status_code)
    assert not [r.rule for r in app.url_map.iter_rules() if r.endpoint.endswith(".download")]


def test_no_download_permission_is_offered(app):
    from app.extensions import db
    from flask_appbuilder.security.sqla.models import Permission, PermissionView, ViewMenu

    with app.app_context():
        pairs = db.session.query(ViewMenu.name).join(PermissionView.view_menu).join(PermissionView.permission) \
            .filter(Permission.name == "can_download").all()
        assert pairs == []
