"""The home page: what the logged-in role works on, one click away."""
from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose
from sqlalchemy import func, select

from app.estate.models import Building, Community, House, ParkingSpace
from app.extensions import db
from app.security import roles


class HomeView(IndexView):
    index_template = "dashboard/index.html"

    @expose("/")
    def index(self):
        user = getattr(g, "user", None)
        if user is None or not user.is_authenticated:
            return redirect(url_for(self.appbuilder.sm.auth_view.endpoint + ".login"))
        figures = {}
        sm = self.appbuilder.sm
        if sm.has_access("can_list", "HouseView"):
            figures = {
                "communities": db.session.scalar(select(func.count(Community.id))),
                "buildings": db.session.scalar(select(func.count(Building.id))),
                "houses": db.session.scalar(select(func.count(House.id))),
                "parking": db.session.scalar(select(func.count(ParkingSpace.id))),
            }
        return self.render_template(self.index_template, appbuilder=self.appbuilder, figures=figures,
                                    service=_service_panel(sm, user), counter_first=_counter_first(sm, user))


def _counter_first(sm, user) -> bool:
    """A 收费员's home opens on the counter: its search is the page's first thing and takes the cursor."""
    return roles.CASHIER in {role.name for role in user.roles} and sm.has_access("can_pay", "CounterView")


def _service_panel(sm, user) -> dict:
    """The service desk's part of the home page: what is overdue (for the manager at once), what waits."""
    from app.service import services

    panel = {}
    if sm.has_access("can_list", "OverdueWorkOrderView"):
        panel["overdue_orders"] = services.overdue_orders(limit=10)
        panel["overdue_order_count"] = services.count_overdue_orders()
    if sm.has_access("can_list", "OverdueComplaintView"):
        panel["overdue_complaints"] = services.overdue_complaints(limit=10)
        panel["major_complaints"] = services.open_major_complaints(limit=10)
    if sm.has_access("can_list", "OpenWorkOrderView"):
        panel["waiting"] = services.desk_counts()
    if sm.has_access("can_list", "MyWorkOrderView"):
        panel["mine"] = services.my_orders(user.id)
    return panel
