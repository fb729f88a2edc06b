"""Permissions in Chinese, for the role pages: "小区：列表、查看、新增", not "can list on CommunityView".

A view is named by the role matrix's own menu labels (roles.MENU_OF_VIEW), or by those of a view of the same
resource (CommunityApi → 小区（接口）); FAB's own views by FAB's menu names. An action by ACTION_LABELS.
"""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.security import roles

ACTION_LABELS = {
    "can_list": _l("List"), "can_show": _l("View the record"), "can_add": _l("Add"), "can_edit": _l("Edit"),
    "can_delete": _l("Delete"), "can_download": _l("Download the attachment"), "menu_access": _l("Menu"),
    "can_get": _l("Read"), "can_get_list": _l("Read"), "can_info": _l("Read the form's fields"),
    "can_post": _l("Add"), "can_put": _l("Edit"), "can_index": _l("Open the page"), "can_export": _l("Excel"),
    "can_pdf": _l("PDF"), "can_print": _l("Print"), "can_print_form": _l("Print"), "print_orders": _l("Print"),
    "print_roster": _l("Print"), "can_roster": _l("House roster"), "can_owner_card": _l("Owner archive card"),
    "can_receipt": _l("Print"), "can_poster": _l("Print"), "can_search": _l("Search"),
    "can_reveal": _l("Personal data"), "can_transfer": _l("Transfer"), "can_act": _l("Take a step"),
    "can_template": _l("Download the template"), "can_upload": _l("Upload"), "can_import": _l("Upload"),
    "can_owners": _l("Owners"), "can_houses": _l("Houses"), "can_intake": _l("Log a call or visit"),
    "can_convert": _l("Take a step"), "can_promote": _l("Take a step"), "can_daily": _l("Open the page"),
    "can_daily_pdf": _l("PDF"), "can_counter": _l("Open the page"), "can_pay": _l("Take payment"),
    "can_undo": _l("Void or reverse"), "can_reverse": _l("Void or reverse"), "can_void": _l("Void or reverse"),
    "can_new": _l("Add"), "can_copy": _l("Add"), "can_cancel": _l("Delete"), "can_entry": _l("Enter"),
    "can_review": _l("Open the page"), "can_confirm": _l("Confirm"), "can_interest": _l("Enter"),
    "can_hand_back": _l("Take a step"), "can_assign": _l("Edit"), "can_summary": _l("Edit"),
    "can_report": _l("PDF"), "can_photo": _l("View the record"), "can_delete_photo": _l("Delete"),
    "can_make_notice": _l("Add"), "can_chart": _l("Open the page"), "can_userinfo": _l("View the record"),
    "userinfoedit": _l("Edit"), "resetmypassword": _l("Reset Password"), "resetpasswords": _l("Reset Password"),
    "copyrole": _l("Add"), "can_this_form_get": _l("Open the page"), "can_this_form_post": _l("Save"),
}

# FAB's own views, by the names of FAB's own menus and pages
FAB_VIEW_LABELS = {
    "UserDBModelView": _l("List Users"), "RoleModelView": _l("List Roles"), "UserGroupModelView": _l("List Groups"),
    "UserStatsChartView": _l("User's Statistics"), "PermissionModelView": _l("Base Permissions"),
    "ViewMenuModelView": _l("Views/Menus"), "PermissionViewModelView": _l("Permission on Views/Menus"),
    "ResetPasswordView": _l("Reset Password"), "ResetMyPasswordView": _l("Reset Password"),
    "UserInfoEditView": _l("Edit User"), "SecurityApi": _l("Security"), "MenuApi": _l("Menu"),
    "LocaleView": _l("Language"), "UtilView": _l("Back"), "OpenApi": _l("API documentation"),
    "SwaggerView": _l("API documentation"), "AuthDBView": _l("Login"), "HomeView": _l("Home page"),
}
# the matrix's views that have no menu of their own nor a sibling with one: the record they act on
OWN_VIEW_LABELS = {
    "WorkOrderActionView": "All work orders", "ComplaintActionView": "Complaints",
    "AnnouncementActionView": "Notices and announcements", "SurveyTemplateActionView": "Survey questionnaires",
    "SurveyEntryView": "Satisfaction surveys", "HouseStatementView": "Statement of account",
    "PersonalDataView": "Personal data", "RosterPrintView": "Houses", "TransferView": "Transfer",
}


def view_label(view_name: str) -> str:
    """The Chinese name of a view (or of a menu, for menu_access)."""
    if view_name in roles.MENU_OF_VIEW:
        return gettext(roles.MENU_OF_VIEW[view_name][0])
    if view_name in FAB_VIEW_LABELS:
        return str(FAB_VIEW_LABELS[view_name])
    if view_name in OWN_VIEW_LABELS:
        return gettext(OWN_VIEW_LABELS[view_name])
    for views in roles.RESOURCES.values():
        if view_name in views:
            for sibling in views:
                if sibling in roles.MENU_OF_VIEW:
                    name = gettext(roles.MENU_OF_VIEW[sibling][0])
                    return gettext("%(name)s (API)", name=name) if view_name.endswith("Api") else name
    return gettext(view_name)  # a menu's name: its categories and items are msgids ("Estate" → 房产资料)


def action_label(permission_name: str) -> str:
    label = ACTION_LABELS.get(permission_name)
    return str(label) if label is not None else gettext("Other")


def permission_label(permission_view) -> str:
    """One permission: 小区：列表."""
    return f"{view_label(permission_view.view_menu.name)}：{action_label(permission_view.permission.name)}"


def permissions_text(permission_views) -> str:
    """A role's permissions, one line per view: 小区：列表、查看、新增；楼栋：列表."""
    order = {name: i for i, name in enumerate(ACTION_LABELS)}
    grouped: dict[str, list[str]] = {}
    pvs = [pv for pv in permission_views or [] if pv.view_menu is not None and pv.permission is not None]
    for pv in sorted(pvs, key=lambda pv: order.get(pv.permission.name, len(order))):
        label = action_label(pv.permission.name)
        actions = grouped.setdefault(view_label(pv.view_menu.name), [])
        if label not in actions:
            actions.append(label)
    return "；\n".join(f"{view}：{'、'.join(actions)}" for view, actions in grouped.items())
