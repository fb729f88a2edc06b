"""导出 Excel from any list page: the rows the list's own search finds, in its order, every page of them, with
the columns and the values the page shows (personal data masked by the same formatters, 是/否, dates as dates).

`list_rows(view)` reads the request's list arguments (`_flt_…`, `_oc_…`) as the list page does; `export_response`
turns them into the download. The button is on the list header of every PMModelView (templates/appbuilder/
general/widgets/list.html); permission `can_export`, a read (app.security.roles.READ_PERMISSIONS).
"""
from datetime import date, datetime
from decimal import Decimal

from markupsafe import Markup

# One download holds at most this many rows; a larger list is narrowed by its search first.
EXPORT_LIMIT = 50000


class ExportTooLarge(ValueError):
    """The list holds more rows than one download may; str(exc) says so, for the user."""


def cell_value(value):
    """A list cell as Excel should hold it: numbers and dates stay typed, yes/no says 是/否, markup loses its tags,
    nothing stays empty (not —: an empty cell is what a spreadsheet expects)."""
    from flask_babel import gettext

    if value is None:
        return None
    if value is True or value is False:
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, (Decimal, int, float, date, datetime)):
        return value
    if isinstance(value, Markup) or hasattr(value, "__html__"):
        text = Markup(value.__html__()).striptags()
    else:
        text = str(value)
    return text.strip() or None


def list_rows(view) -> tuple[list[str], list[list]]:
    """Headers and rows of `view`'s list as the current request's search and order select them."""
    from flask_appbuilder.urltools import get_filter_args, get_order_args
    from flask_babel import gettext

    name = type(view).__name__
    order_column, order_direction = get_order_args().get(name, ("", ""))
    if not order_column and view.base_order:
        order_column, order_direction = view.base_order
    get_filter_args(view._filters)
    joined = view._filters.get_joined_filters(view._base_filters)
    count, items = view.datamodel.query(joined, order_column, order_direction, page=0, page_size=EXPORT_LIMIT)
    if count > EXPORT_LIMIT:
        raise ExportTooLarge(gettext(
            "The list holds %(count)s rows, more than one download may (%(limit)s). "
            "Narrow it with the search first.", count=count, limit=EXPORT_LIMIT))
    columns = list(view.list_columns)
    headers = [str(view.label_columns.get(column, column)) for column in columns]
    rows = []
    for values in view.datamodel.get_values(items, columns):
        row = []
        for column in columns:
            value = values[column]
            formatter = view.formatters_columns.get(column)
            # dates and money stay typed, so that Excel sorts and sums them; the rest as the page shows it
            typed = isinstance(value, (date, datetime, Decimal))
            row.append(cell_value(formatter(value) if formatter and not typed else value))
        rows.append(row)
    return headers, rows


def export_response(view):
    """The list as an .xlsx download named after the list's title and today."""
    import re

    from app.core import clock
    from app.core.excel import Sheet, write_workbook, xlsx_response

    headers, rows = list_rows(view)
    title = str(view.list_title or type(view).__name__)
    stamp = f"{clock.today():%Y%m%d}"
    ascii_name = re.sub(r"[^a-z0-9]+", "-", (view.route_base or type(view).__name__).lower()).strip("-")
    data = write_workbook([Sheet(title=title, headers=headers, rows=rows)])
    return xlsx_response(data, f"{title}-{stamp}.xlsx", f"{ascii_name or 'list'}-{stamp}.xlsx")


def export_url(view) -> str | None:
    """The button's address: the view's own export, or a dedicated one (`excel_endpoint`), keeping the list's
    search and order; None when the user may not export this list."""
    from flask import g, request, url_for

    sm = view.appbuilder.sm
    endpoint = getattr(view, "excel_endpoint", None)
    if endpoint:
        view_name, method = endpoint.split(".")
        if not sm.has_access(f"can_{method}", view_name):
            return None
    else:
        if getattr(g, "user", None) is None or not sm.has_access("can_export", type(view).__name__):
            return None
        endpoint = f"{type(view).__name__}.export_xlsx"
    query = request.query_string.decode("utf-8", "replace")
    return url_for(endpoint) + (f"?{query}" if query else "")
