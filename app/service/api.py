"""REST API of work orders: read them, open one, and move one through the state machine.

The same service functions as the pages: an illegal transition answers 422 with the same Chinese message.
"""
from flask import current_app, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext

from app.core import masking
from app.core.rules import RuleViolation
from app.core.views import PMModelRestApi
from app.extensions import db
from app.service import services
from app.service.models import WorkOrder

_TRANSITION_KEYS = ("note", "assignee_id", "at", "result", "labour_hours", "labour_fee", "materials")
_OPEN_KEYS = ("house", "building", "community", "place", "scope", "category", "source", "urgency", "description",
              "reporter_name", "reporter_phone", "appointment")


def _actor() -> services.Actor:
    return services.Actor.of(current_app.appbuilder.sm.current_user)


def _json() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


class WorkOrderApi(PMModelRestApi):
    resource_name = "work_order"
    datamodel = SQLAInterface(WorkOrder)
    label_columns = services.LABELS
    # reading is FAB's; opening and moving go through the service (the state never written directly)
    include_route_methods = {"get", "get_list", "info", "open_order", "transition"}
    method_permission_name = {"open_order": "post", "transition": "put"}
    list_columns = show_columns = [
        "id", "order_no", "community.id", "house.id", "house.house_no", "place", "scope", "category", "source",
        "urgency", "description", "reporter_name", "reporter_phone", "state", "version", "reported_at",
        "arrive_due", "finish_due", "assignee.id", "assignee.username", "dispatched_at", "arrived_at", "finished_at",
        "result", "labour_fee", "material_fee", "satisfaction", "callback_at", "closed_at",
    ]
    search_columns = ["order_no", "state", "house", "assignee", "urgency", "category", "reported_at"]
    mask_columns = {"reporter_phone": masking.mask_phone}

    def _answer(self, order, code=200):
        return self.response(code, id=order.id, order_no=order.order_no, state=order.state,
                             state_label=order.state_label(), version=order.version)

    @expose("/open", methods=["POST"])
    @protect()
    @safe
    def open_order(self):
        """Open a work order: {"house": id, "scope", "category", "urgency", "description", ...}."""
        body = _json()
        values = {k: body.get(k) for k in _OPEN_KEYS if k in body}
        try:
            order = services.create_order(values, _actor())
        except RuleViolation as exc:
            db.session.rollback()
            return self.response_422(message={k or "_schema": [str(v)] for k, v in exc.errors.items()})
        db.session.commit()
        return self._answer(order, 201)

    @expose("/<int:pk>/transition", methods=["POST"])
    @protect()
    @safe
    def transition(self, pk):
        """Move an order: {"action": "dispatch", "assignee_id": 5, "version": 1, "note": "..."}."""
        body = _json()
        action = body.get("action")
        if not isinstance(action, str) or action not in services.ORDER_ACTIONS or action == "create":
            return self.response_422(message={"action": [gettext("Unknown action.")]})
        data = {k: body.get(k) for k in _TRANSITION_KEYS if k in body}
        version = body.get("version")
        if version is not None and (not isinstance(version, int) or isinstance(version, bool)):
            return self.response_422(message={"version": [gettext("The version must be a whole number.")]})
        try:
            if action in ("callback", "reopen"):
                order = services.callback(pk, _actor(), str(body.get("satisfaction") or ""),
                                          remark=str(body.get("remark") or ""), expected_version=version,
                                          note=data.get("note"))
            else:
                order = services.transition(pk, action, _actor(), expected_version=version, **data)
        except RuleViolation as exc:
            db.session.rollback()
            return self.response_422(message={k or "_schema": [str(v)] for k, v in exc.errors.items()})
        db.session.commit()
        return self._answer(order)


def register(appbuilder) -> None:
    appbuilder.add_api(WorkOrderApi)
