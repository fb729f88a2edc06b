"""The home page: what the logged-in role works on, one click away."""
from flask import g, redirect, url_for
from flask_appbuilder import IndexView, expose
from sqlalchemy import func, select

from app.estate.models import Building, Community, House, ParkingSpace
from app.extensions import db


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
        return self.render_template(self.index_template, appbuilder=self.appbuilder, figures=figures)
