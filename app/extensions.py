"""The singletons of the app, and nothing else.

The AppBuilder is made per app in create_app(): a module-level one reused by a
second create_app() silently drops its routes. `appbuilder` here is a proxy to
the current app's instance.
"""
from flask import current_app
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from werkzeug.local import LocalProxy

SQLA = get_sqla_class()

db = SQLA()
csrf = CSRFProtect()
migrate = Migrate()
appbuilder = LocalProxy(lambda: current_app.appbuilder)
