"""The numbers of work orders (BX…) and complaints (TS…): a placeholder until the row has its id, then the
day and the id, written in the same flush."""
from __future__ import annotations

import uuid

from sqlalchemy import event, update

from app.core import clock
from app.service.models import Complaint, WorkOrder

def placeholder_no() -> str:
    return "~" + uuid.uuid4().hex[:18]


def _number_after_insert(prefix: str, column: str, at_attr: str):
    def listener(mapper, connection, target):
        if getattr(target, column) and not getattr(target, column).startswith("~"):
            return
        at = getattr(target, at_attr) or clock.now()
        number = f"{prefix}{at:%Y%m%d}-{target.id:06d}"
        table = mapper.local_table
        connection.execute(update(table).where(table.c.id == target.id).values({column: number}))
        from sqlalchemy.orm.attributes import set_committed_value

        set_committed_value(target, column, number)

    return listener


event.listen(WorkOrder, "after_insert", _number_after_insert("BX", "order_no", "reported_at"))
event.listen(Complaint, "after_insert", _number_after_insert("TS", "complaint_no", "received_at"))
