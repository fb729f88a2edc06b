"""对账单 page: choose the months, see where the house's account stands, print the statement. Thin: the rules
are in app.billing.statement."""

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_babel import gettext

from app.core import clock
from app.billing import printing, statement
from app.core.rules import RuleViolation, as_id
from app.core.views import current_actor, flash_errors
from app.estate.models import House
from app.extensions import db


class HouseStatementView(BaseView):
    """A house's statement of account for an owner who asks (from the counter or the house's page)."""

    route_base = "/house-statement"
    default_view = "index"
    base_permissions = ["can_index", "can_pdf"]

    def _args(self):
        """(house, span, ok): a bad span falls back to the last twelve months with its message flashed."""
        house_id = as_id(request.args.get("house"))
        house = db.session.get(House, house_id) if house_id and house_id > 0 else None
        try:
            return house, statement.check_span(request.args.get("first"), request.args.get("last")), True
        except RuleViolation as exc:
            flash_errors(exc.errors)
            return house, statement.default_span(), False

    @expose("/")
    @has_access
    def index(self):
        house, span, _ok = self._args()
        if house is None:
            flash(gettext("Please find the house at the counter first."), "warning")
            return redirect(url_for("CounterView.counter"))
        data = statement.statement(house.id, span)
        return self.render_template("billing/statement.html", s=data, max_month=f"{clock.today():%Y-%m}")

    @expose("/pdf")
    @has_access
    def pdf(self):
        house, span, ok = self._args()
        if house is None or not ok:
            return redirect(url_for("HouseStatementView.index", house=house.id if house else ""))
        return printing.statement_response(statement.statement(house.id, span), current_actor().name)


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(HouseStatementView)

