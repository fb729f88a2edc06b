"""The role matrix: role → what it may read or write. One declared table, applied by `flask pm init`.

A resource groups the views and APIs of one kind of record. Every registered view
or API must appear in RESOURCES, in EVERY_USER or in ADMIN_ONLY; a test fails otherwise.
Levels: "r" = read (list, show, get, info, print), "w" = everything the view offers, or ("r", {permissions}) =
read and those steps only (a cashier voids a spoiled sheet of his receipt book, but does not issue books).
"""
ADMIN = "管理员"
MANAGER = "项目经理"
SERVICE = "客服"
CASHIER = "收费员"
ENGINEER = "工程维修"
ORDER = "秩序维护"
CLEANING = "环境保洁"
ARCHIVES = "档案内业"
COMMITTEE = "业委会(只读)"

ROLES = [ADMIN, MANAGER, SERVICE, CASHIER, ENGINEER, ORDER, CLEANING, ARCHIVES, COMMITTEE]

# Named role sets: who may do what the matrix's view permissions cannot say alone.
# Correct a fact already recorded on a row of history (an ownership, a resident, a card, a move), with a reason.
CORRECTORS = frozenset({MANAGER, ADMIN})

# Roles that may only ever read, whatever the matrix below says.
READ_ONLY_ROLES = {COMMITTEE}

READ_PERMISSIONS = {"can_list", "can_show", "can_get", "can_info", "can_roster", "print_roster", "can_search",
                    "can_owner_card",
                    # billing: the counter's search page and printing a receipt are reads (paying is not)
                    "can_counter", "can_receipt", "can_print",
                    # ExportView: the export page and its downloads (masked lists) are reads
                    "can_index", "can_owners", "can_houses",
                    # service desk: printing work order forms, the daily log page and PDF, the KPI workbook
                    "print_orders", "can_print_form", "can_daily", "can_daily_pdf", "can_export",
                    # billing reports: the 收费日报 and 收费率 pages, their PDF (the Excel file is can_export)
                    "can_pdf",
                    # community relations: printing a notice's poster, looking at an activity's photos
                    "can_poster", "can_photo",
                    # 维修基金: a payout's scanned voucher and invoice
                    "can_paper"}

RESOURCES: dict[str, list[str]] = {
    "communities": ["CommunityView", "CommunityApi"],
    "buildings": ["BuildingView", "BuildingApi"],
    "units": ["UnitView", "UnitApi"],
    "houses": ["HouseView", "HouseApi"],
    "parking": ["ParkingSpaceView", "ParkingSpaceApi"],
    "roster_print": ["RosterPrintView"],
    "audit": ["AuditLogView"],
    "household_search": ["HouseholdSearchView"],
    "owners": ["OwnerView", "OwnerApi"],
    "ownership": ["OwnershipView"],
    "transfer": ["TransferView"],
    "residents": ["ResidentView"],
    "vehicles": ["VehicleView"],
    "access_cards": ["AccessCardView"],
    "move_records": ["MoveRecordView"],
    # showing one masked value (证件号, 手机, 紧急联系人), written to the audit log
    "personal_data": ["PersonalDataView"],
    # Excel: import houses with owners (all rows or none); export masked owner and house lists
    "owner_import": ["OwnerImportView"],
    "export": ["ExportView"],
    # 客户服务 (service desk)
    "service_desk": ["ServiceDeskView"],  # log a contact once and open its record
    "daily_log": ["DailyLogView"],
    "work_log": ["ContactView"],
    "work_orders": ["WorkOrderView", "OpenWorkOrderView", "OverdueWorkOrderView", "WorkOrderApi"],
    "my_work_orders": ["MyWorkOrderView"],
    # the buttons of the work order state machine; service.services decides which role may do which step
    "work_order_actions": ["WorkOrderActionView"],
    "complaints": ["ComplaintView", "OverdueComplaintView"],
    "complaint_actions": ["ComplaintActionView"],
    "consultations": ["ConsultationView"],
    "service_requests": ["ServiceRequestView"],
    "service_catalog": ["SpecialServiceView"],
    "materials": ["MaterialView"],
    "service_charges": ["ServiceChargeView"],
    "service_deadlines": ["ServiceDeadlineView"],
    "service_kpi": ["ServiceKpiView"],
    # 费用收缴 (billing)
    "fee_items": ["FeeItemView"],
    "billing_runs": ["BillingRunView", "BillingRunPageView"],
    "bills": ["BillLineView", "UnpaidBillView"],
    "counter": ["CounterView"],  # take payments, pre-payments; void (own, same day) and reverse (项目经理) are
    "receipts": ["PaymentView", "ReceiptPrintView"],  # decided by billing.services
    "arrears": ["ArrearsView"],
    "notices": ["NoticeView"],  # 缴费通知单 / 催缴通知单 (printing is a read)
    "reminders": ["ReminderView", "DuePromiseView"],
    "billing_reports": ["BillingDailyView", "CollectionRateView"],  # 收费日报, 收费率: page, PDF, Excel
    # 公共收益: the ledger's entries (recorded; reversed by the 项目经理 only, billing.public_income decides) and
    # the month's account
    "public_income": ["PublicEntryView", "PublicLedgerView"],
    "statements": ["HouseStatementView"],  # 对账单 of a house (page and PDF: reads)
    "disclosure": ["DisclosureView"],  # 收支公示: page, A4 poster, Excel (reads)
    # 票据: issuing and taking back a book (the 项目经理) and voiding a spoiled sheet (its cashier): billing.receipt_books
    # decides; the report of every book's state and gaps
    "receipt_books": ["ReceiptBookView", "ReceiptBookReportView"],
    # 维修基金: the accounts (page, PDF), recording deposits and interest, the entries (the 项目经理 reverses), the
    # use applications (billing.fund decides who takes which step: the 项目经理 approves)
    "fund": ["FundView", "FundPostingView", "FundEntryView", "FundApplicationView", "FundResolutionView"],
    # 抄表与公摊: the meters; entering readings (the sheet, the Excel import) and the list of readings; confirming
    # a flagged reading (billing.meters also checks the role)
    "meters": ["MeterView"],
    "meter_readings": ["MeterSheetView", "MeterReadingView"],
    "meter_review": ["MeterReviewView"],
    # 社区关系 (community relations): notices of every state, the published ones, drafting (a draft only) and the
    # buttons of the notice state machine (community.services decides which role may do which step)
    "announcements": ["AnnouncementView"],
    "published_announcements": ["PublishedAnnouncementView"],
    "announcement_drafting": ["AnnouncementDraftView"],
    "announcement_actions": ["AnnouncementActionView"],
    "activities": ["ActivityView"],
    # 走访: the visits (list, record page), recording a visit, the 专责区 zones (read; assigning is a write), the
    # month's coverage page and the 《物业部走访情况报告》 PDF (read; the manager's summary is a write)
    "visits": ["VisitView"],
    "visit_recording": ["VisitRecordView"],
    "visit_zones": ["ZoneView"],
    "visit_reports": ["VisitCoverageView"],
    # 满意度调查: questionnaires (drafting, the approval buttons: community.surveys decides who approves),
    # campaigns (opening and ending them is the 项目经理's), entering and importing the forms, the results (the
    # report PDF is can_report: not a read, the 项目经理 prints it)
    "survey_templates": ["SurveyTemplateView"],
    "survey_template_drafting": ["SurveyTemplateEditView"],
    "survey_template_actions": ["SurveyTemplateActionView"],
    "survey_campaigns": ["SurveyCampaignView"],
    "survey_campaign_admin": ["SurveyCampaignAdminView"],
    "survey_answers": ["SurveyEntryView"],
    "survey_results": ["SurveyResultView"],
}
SERVICE_RESOURCES = ["service_desk", "daily_log", "work_log", "work_orders", "my_work_orders", "work_order_actions",
                     "complaints", "complaint_actions", "consultations", "service_requests", "service_catalog",
                     "materials", "service_charges", "service_deadlines", "service_kpi"]

MATRIX: dict[str, dict[str, str | tuple]] = {
    ADMIN: {resource: "w" for resource in RESOURCES},
    MANAGER: {
        "communities": "w", "buildings": "w", "units": "w", "houses": "w", "parking": "w",
        "roster_print": "r", "audit": "r", "household_search": "r", "owners": "w", "ownership": "w",
        "transfer": "w", "residents": "w", "vehicles": "w", "access_cards": "w", "move_records": "w",
        "personal_data": "w", "owner_import": "w", "export": "r",
        **{resource: "w" for resource in SERVICE_RESOURCES},
        "fee_items": "w", "billing_runs": "w", "bills": "r", "counter": "w", "receipts": "r", "arrears": "r",
        "reminders": "w", "notices": "r", "billing_reports": "r", "public_income": "w", "statements": "r",
        "fund": "w", "disclosure": "r", "receipt_books": "w",
        "meters": "w", "meter_readings": "w", "meter_review": "w",
        # drafts, approves and publishes, returns, withdraws notices; runs the activities
        "announcements": "r", "announcement_drafting": "w", "announcement_actions": "w", "activities": "w",
        # assigns the 专责区, records visits of any assistant, writes the month's summary, prints the report
        "visits": "r", "visit_recording": "w", "visit_zones": "w", "visit_reports": "w",
        # approves the questionnaires, opens and ends the surveys, prints the report
        "survey_templates": "r", "survey_template_drafting": "w", "survey_template_actions": "w",
        "survey_campaigns": "r", "survey_campaign_admin": "w", "survey_answers": "w", "survey_results": "w",
    },
    SERVICE: {  # the front desk: registers owners, residents, vehicles, cards, moves and transfers
        "communities": "r", "buildings": "r", "units": "r", "houses": "r", "parking": "r",
        "roster_print": "r", "household_search": "r", "owners": "w", "ownership": "w", "transfer": "w",
        "residents": "w", "vehicles": "w", "access_cards": "w", "move_records": "w", "personal_data": "w",
        "export": "r",
        # the desk logs contacts, opens and dispatches repairs, calls back, owns the complaints it receives
        "service_desk": "w", "daily_log": "r", "work_log": "w", "work_orders": "w", "work_order_actions": "w",
        "complaints": "w", "complaint_actions": "w", "consultations": "w", "service_requests": "w",
        "service_catalog": "r", "materials": "r", "service_charges": "r", "service_kpi": "r",
        # drafts notices and submits them (the 项目经理 approves); records the activities and their photos
        "announcements": "r", "announcement_drafting": "w", "announcement_actions": "w", "activities": "w",
        # 物业助理: records the visits of his own zone; reads the zones, the coverage and the report
        "visits": "r", "visit_recording": "w", "visit_zones": "r", "visit_reports": "r",
        # the 物业部 drafts the questionnaire and submits it, types and imports the forms, reads the results
        "survey_templates": "r", "survey_template_drafting": "w", "survey_template_actions": "w",
        "survey_campaigns": "r", "survey_answers": "w", "survey_results": "r",
    },
    CASHIER: {
        "communities": "r", "buildings": "r", "units": "r", "houses": "r", "parking": "r",
        "roster_print": "r", "household_search": "r", "owners": "r", "ownership": "r", "residents": "r",
        "vehicles": "r", "export": "r", "service_charges": "r",
        # 收费员: the counter, receipts, bills; makes the period's bills; reads the fee items
        "fee_items": "r", "billing_runs": "w", "bills": "r", "counter": "w", "receipts": "r", "arrears": "r",
        "reminders": "w", "notices": "r", "statements": "r",
        "billing_reports": "r",  # 收费员/财务 makes the day's report and the month's rate
        # registers the meters, enters or imports the readings, confirms a flagged one; bills them by the run
        "meters": "w", "meter_readings": "w", "meter_review": "w",
        "published_announcements": "r",  # the 催缴公告 and what owners read on the walls
        "public_income": "w",  # records the rent and advertising money received for common parts
        "fund": "w",  # records deposits and interest, applies, pays out what the 项目经理 approved
        "disclosure": "r",
        # uses the sheets of the books issued to him and voids a spoiled one; the 项目经理 issues and takes back books
        "receipt_books": ("r", {"can_void"}),
    },
    # 工程维修: his own work orders (arrive, complete with materials and labour), the material list. In many
    # offices the engineers walk the buildings and read the meters: they enter readings (sheet, import) and see
    # the meters, but neither confirm a flagged reading (the 收费员 checks it against the bill) nor make bills.
    ENGINEER: {"buildings": "r", "units": "r", "houses": "r", "household_search": "r", "residents": "r",
               "my_work_orders": "r", "work_orders": "r", "work_order_actions": "w", "materials": "r",
               "published_announcements": "r",  # 停水停电 notices of the works they do
               "meters": "r", "meter_readings": "w"},
    ORDER: {"houses": "r", "parking": "r", "household_search": "r", "residents": "r", "vehicles": "r",
            "access_cards": "r", "move_records": "r", "published_announcements": "r"},  # asked about at the gate
    CLEANING: {"buildings": "r"},
    ARCHIVES: {
        "communities": "w", "buildings": "w", "units": "w", "houses": "w", "parking": "w",
        "roster_print": "r", "household_search": "r", "owners": "w", "ownership": "w", "residents": "w",
        "vehicles": "w", "access_cards": "r", "move_records": "r", "owner_import": "w", "export": "r",
        "work_log": "r", "work_orders": "r", "complaints": "r",  # 维修记录 and complaints are filed records
        "public_income": "w",  # 内业 keeps the accounts of 维修基金 and 公共收益 (seed 003)
        "fund": "w", "disclosure": "r",
    },
    COMMITTEE: {  # read-only, and never unmasked personal data
        "communities": "r", "buildings": "r", "units": "r", "houses": "r", "parking": "r",
        "roster_print": "r", "household_search": "r", "owners": "r", "ownership": "r", "residents": "r",
        "vehicles": "r", "export": "r", "service_kpi": "r",
        "published_announcements": "r",  # published notices only: no drafts, no activities' budgets
        "public_income": "r",  # the owners' committee oversees the income of the common parts
        "fund": "r",  # and the maintenance fund: the accounts, the entries, the applications and their votes
        "disclosure": "r",
    },
}

# Permissions every logged-in role has: their own profile and password, language, menu.
EVERY_USER: dict[str, set[str]] = {
    "UserInfoEditView": {"can_this_form_get", "can_this_form_post"},
    "ResetMyPasswordView": {"can_this_form_get", "can_this_form_post"},
    "UserDBModelView": {"can_userinfo", "resetmypassword", "userinfoedit"},
    "MenuApi": {"can_get"},
    "LocaleView": {"can_index"},
    "UtilView": {"can_back"},
}

# Views only the 管理员 uses (user and role administration, API docs).
ADMIN_ONLY = {
    "UserDBModelView", "RoleModelView", "PermissionModelView", "ViewMenuModelView",
    "PermissionViewModelView", "UserStatsChartView", "ResetPasswordView", "OpenApi",
    "SwaggerView", "RegisterUserModelView", "SecurityApi", "UserGroupModelView", "ApiKeyModelView",
}

# Menu categories shown for a resource (the menu item names are the views' menu names).
MENU_OF_VIEW: dict[str, tuple[str, str]] = {
    "CommunityView": ("Communities", "Estate"),
    "BuildingView": ("Buildings", "Estate"),
    "UnitView": ("Units", "Estate"),
    "HouseView": ("Houses", "Estate"),
    "ParkingSpaceView": ("Parking spaces", "Estate"),
    "AuditLogView": ("Audit log", "System"),
    "HouseholdSearchView": ("Find a household", "Owner archive"),
    "OwnerView": ("Owners", "Owner archive"),
    "OwnershipView": ("Ownership", "Owner archive"),
    "ResidentView": ("Residents", "Owner archive"),
    "VehicleView": ("Vehicles", "Owner archive"),
    "AccessCardView": ("Access cards and keys", "Owner archive"),
    "MoveRecordView": ("Move in / move out", "Owner archive"),
    "OwnerImportView": ("Import owners", "Owner archive"),
    "ExportView": ("Export to Excel", "Owner archive"),
    "ServiceDeskView": ("Front desk", "Service desk"),
    "DailyLogView": ("Daily work log", "Service desk"),
    "ContactView": ("Work log", "Service desk"),
    "OpenWorkOrderView": ("Open work orders", "Service desk"),
    "OverdueWorkOrderView": ("Overdue work orders", "Service desk"),
    "MyWorkOrderView": ("My work orders", "Service desk"),
    "WorkOrderView": ("All work orders", "Service desk"),
    "ComplaintView": ("Complaints", "Service desk"),
    "OverdueComplaintView": ("Overdue complaints", "Service desk"),
    "ConsultationView": ("Consultations and suggestions", "Service desk"),
    "ServiceRequestView": ("Service requests", "Service desk"),
    "SpecialServiceView": ("Special and custom services", "Service desk"),
    "MaterialView": ("Repair materials", "Service desk"),
    "ServiceChargeView": ("Charges for billing", "Service desk"),
    "ServiceDeadlineView": ("Service deadlines", "Service desk"),
    "ServiceKpiView": ("Service KPIs", "Service desk"),
    "CounterView": ("Payment counter", "Billing"),
    "PaymentView": ("Receipts", "Billing"),
    "ArrearsView": ("Arrears", "Billing"),
    "NoticeView": ("Payment notices", "Billing"),
    "ReminderView": ("Payment reminders", "Billing"),
    "DuePromiseView": ("Promises to pay that are due", "Billing"),
    "UnpaidBillView": ("Unpaid bills", "Billing"),
    "BillLineView": ("All bills", "Billing"),
    "BillingRunPageView": ("Make bills", "Billing"),
    "BillingRunView": ("Billing runs", "Billing"),
    "FeeItemView": ("Fee items", "Billing"),
    "BillingDailyView": ("Daily collection report", "Billing"),
    "CollectionRateView": ("Collection rate", "Billing"),
    "PublicLedgerView": ("Common-area income", "Billing"),
    "PublicEntryView": ("Common-area income entries", "Billing"),
    "DisclosureView": ("Monthly statement of income and expenses", "Billing"),
    "ReceiptBookReportView": ("Receipt books report", "Billing"),
    "ReceiptBookView": ("Receipt books", "Billing"),
    "FundView": ("Maintenance fund", "Billing"),
    "FundApplicationView": ("Maintenance fund use applications", "Billing"),
    "FundEntryView": ("Maintenance fund entries", "Billing"),
    "FundResolutionView": ("Maintenance fund top-up votes", "Billing"),
    "MeterSheetView": ("Enter meter readings", "Billing"),
    "MeterReviewView": ("Readings to review", "Billing"),
    "MeterReadingView": ("Meter readings", "Billing"),
    "MeterView": ("Meters", "Billing"),
    "AnnouncementView": ("Notices and announcements", "Community relations"),
    "PublishedAnnouncementView": ("Published notices", "Community relations"),
    "AnnouncementDraftView": ("Draft a notice", "Community relations"),
    "ActivityView": ("Community activities", "Community relations"),
    "VisitCoverageView": ("Visit coverage", "Community relations"),
    "VisitRecordView": ("Record a visit", "Community relations"),
    "VisitView": ("Client visits", "Community relations"),
    "ZoneView": ("Visit zones", "Community relations"),
    "SurveyCampaignView": ("Satisfaction surveys", "Community relations"),
    "SurveyResultView": ("Survey results", "Community relations"),
    "SurveyTemplateView": ("Survey questionnaires", "Community relations"),
    "SurveyTemplateEditView": ("Draft a questionnaire", "Community relations"),
    "SurveyCampaignAdminView": ("Start a survey", "Community relations"),
}


def level(role: str, view_name: str) -> str | tuple | None:
    """The matrix's decision for a role on a view: "w", "r", ("r", {permissions}) or None."""
    if role == ADMIN:
        return "w"
    for resource, views in RESOURCES.items():
        if view_name in views:
            lvl = MATRIX.get(role, {}).get(resource)
            if lvl is not None and lvl != "r" and role in READ_ONLY_ROLES:
                return "r"
            return lvl
    return None


def allowed(role: str, view_name: str, permission: str) -> bool:
    """Whether the matrix lets `role` use `permission` on `view_name`."""
    if role == ADMIN:
        return True
    if permission in EVERY_USER.get(view_name, set()):
        return True
    lvl = level(role, view_name)
    if lvl == "w":
        return True
    if lvl == "r":
        return permission in READ_PERMISSIONS
    if isinstance(lvl, tuple):
        return permission in READ_PERMISSIONS or permission in lvl[1]
    return False


def decided_views() -> set[str]:
    out = set(EVERY_USER) | ADMIN_ONLY
    for views in RESOURCES.values():
        out.update(views)
    return out
