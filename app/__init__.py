"""create_app(): configuration, extensions, one AppBuilder per app, views."""
import logging
import os

from flask import Flask
from flask_appbuilder import AppBuilder

from app.extensions import csrf, db, migrate

log = logging.getLogger(__name__)

BASE_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir))


def create_app(config_object="config.Config", **overrides) -> Flask:
    app = Flask(
        __name__,
        template_folder=os.path.join(BASE_DIR, "templates"),
        instance_path=os.environ.get("PM_INSTANCE_DIR") or os.path.join(BASE_DIR, "instance"),
    )
    app.config.from_object(config_object)
    app.config.update(overrides)
    _quiet_chatty_loggers()
    from app.core import files

    # the database, its backups and the uploaded photos hold personal data: the service's user only
    files.private_dir(app.instance_path)
    files.private_sqlite(app.config.get("SQLALCHEMY_DATABASE_URI"))

    from app.core import models as _core_models  # noqa: F401  (register tables)
    from app.security import models as _security_models  # noqa: F401
    from app.estate import models as _estate_models  # noqa: F401
    from app.service import models as _service_models  # noqa: F401
    from app.billing import models as _billing_models  # noqa: F401
    from app.community import models as _community_models  # noqa: F401

    from app.core import api_messages

    api_messages.install()  # before the APIs make their schemas
    from app.core import ids

    ids.install(app)  # before any route: <int:...> stops at 2^63-1
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(BASE_DIR, "migrations"))
    csrf.init_app(app)  # before AppBuilder: its forms and APIs rely on it

    with app.app_context():
        appbuilder = AppBuilder(update_perms=False)
        appbuilder.init_app(app, db.session)
        _register_views(appbuilder)

    from app.core import redirects

    redirects.install(app)  # FAB's own next and back links: the one safe-redirect check

    from app.core import api_guard, web

    web.init_app(app)
    api_guard.init_app(app)

    from app import cli

    cli.init_app(app)

    from app.core import audit

    audit.init_audit()

    from app.core import pdf

    pdf.log_startup_check(app)
    return app


# Libraries that log at INFO what is of no use to the office: WeasyPrint says seven lines per rendered page,
# fontTools one per subset font. Their warnings and errors still reach the server log.
CHATTY_LOGGERS = ("weasyprint", "fontTools")


def _quiet_chatty_loggers() -> None:
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _register_views(appbuilder: AppBuilder) -> None:
    from app.estate import api as estate_api
    from app.estate import views as estate_views
    from app.core import views as core_views
    from app.service import api as service_api
    from app.service import views as service_views
    from app.billing import views as billing_views
    from app.community import views as community_views
    from app.community import visit_views
    from app.community import survey_views

    estate_views.register(appbuilder)
    estate_api.register(appbuilder)
    service_views.register(appbuilder)
    service_api.register(appbuilder)
    billing_views.register(appbuilder)
    community_views.register(appbuilder)
    visit_views.register(appbuilder)
    survey_views.register(appbuilder)
    core_views.register(appbuilder)
