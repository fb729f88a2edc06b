"""Security manager: FAB's, plus the login hardening and the sessions that end (app.security.throttle,
app.security.sessions), and no token login."""
from flask import g
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_login import current_user

from app.security import sessions, throttle
from app.security.views import (PermissionModelView, PermissionViewModelView, PMUserDBModelView, ResetMyPasswordView,
                                ResetPasswordView, RoleModelView, UserGroupModelView, UserStatsChartView,
                                ViewMenuModelView)


class SecurityApi(BaseApi):
    """In place of FAB's token API (/api/v1/security/login and /refresh): the back office signs in by its login
    page only, and its pages call the REST API with their session cookie. The name is FAB's (the role matrix)."""
    resource_name = "security"
    openapi_spec_tag = "Security"


class PMSecurityManager(SecurityManager):
    userdbmodelview = PMUserDBModelView
    resetpasswordview = ResetPasswordView
    resetmypasswordview = ResetMyPasswordView
    rolemodelview = RoleModelView
    groupmodelview = UserGroupModelView
    userstatschartview = UserStatsChartView
    security_api = SecurityApi
    permissionmodelview = PermissionModelView
    viewmenumodelview = ViewMenuModelView
    permissionviewmodelview = PermissionViewModelView

    def auth_user_db(self, username, password):
        user = throttle.authenticate(self, username, password, super().auth_user_db)
        if user is not None:
            sessions.start(self.session, user)
        return user

    def is_locked(self, username: str) -> bool:
        return throttle.is_locked(self, username)

    def load_user(self, pk):
        """Flask-Login's loader: an active user whose session still holds the current session version."""
        user = super().load_user(pk)
        if user is not None and not sessions.holds(self.session, user.id):
            return None
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        """No bearer token opens anything (a token made with the secret key included)."""
        return None

    def before_request(self):  # FAB registers it on the app
        g.user = current_user
        return sessions.refuse_ended_session()

    def on_user_logout(self, user) -> None:
        sessions.end_all(self.session, user.id)

    def reset_password(self, userid, password):
        super().reset_password(userid, password)  # the password's change ends the sessions (app.security.sessions)
        sessions.keep_this_one(self.session, userid)
