"""社区关系 (community relations): 通知公告 (notices posted in the buildings) with their approval history, and
社区文化活动 (community activities) with their photos.

The 走访 visits, zones and the monthly visit report, and the 满意度调查 surveys, come later in this package
with tables of their own (prefix community_).

A notice's state changes only through community.services.transition(); its type-specific fields (time span,
reason, festival, ...) are kept as JSON in `fields`, the body generated from them and then edited by hand.
Money is Numeric(14, 2), never a float.
"""
import json
from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Table, Text,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.audit import Audited

NOTICE_TYPES = {
    "outage": _l("Water or power cut notice"),
    "tip": _l("Friendly reminder"),
    "greeting": _l("Festival greetings"),
    "activity": _l("Activity notice"),
    "arrears": _l("Public notice of arrears"),
    "emergency": _l("Emergency notice"),
}
NOTICE_STATES = {
    "draft": _l("Draft (not submitted)"),
    "pending": _l("Awaiting approval"),
    "published": _l("Published"),
    "withdrawn": _l("Withdrawn"),
}

announcement_building = Table(
    "community_announcement_building",
    Model.metadata,
    Column("announcement_id", Integer, ForeignKey("community_announcement.id"), primary_key=True),
    Column("building_id", Integer, ForeignKey("estate_building.id"), primary_key=True),
)


class Activity(Audited, Model):
    """社区文化活动: the plan, when and where, budget, organiser; afterwards participants, summary and photos."""

    __tablename__ = "community_activity"
    __table_args__ = (Index("ix_community_activity_when", "community_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    title: Mapped[str] = mapped_column(String(40), nullable=False)
    plan: Mapped[str | None] = mapped_column(String(2000))
    starts_at: Mapped[datetime] = mapped_column(DateTime, nullable=False)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    place: Mapped[str] = mapped_column(String(100), nullable=False)
    budget: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=Decimal("0.00"))
    organiser: Mapped[str] = mapped_column(String(100), nullable=False)
    participants: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    created_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    community = relationship("Community")
    photos = relationship("ActivityPhoto", back_populates="activity", order_by="ActivityPhoto.id")
    announcements = relationship("Announcement", back_populates="activity", order_by="Announcement.id")

    def __str__(self) -> str:
        return self.title


class ActivityPhoto(Model):
    """A photo of an activity: a JPEG or PNG checked by its content, stored under the instance folder."""

    __tablename__ = "community_activity_photo"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("community_activity.id"), nullable=False, index=True)
    stored_name: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    original_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    content_type: Mapped[str] = mapped_column(String(20), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    caption: Mapped[str | None] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    uploaded_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    activity = relationship("Activity", back_populates="photos")


class Announcement(Audited, Model):
    """通知公告: drafted by the desk, approved and published by the project manager, withdrawn with a reason.
    A published notice is never edited: it is withdrawn and drafted anew (copied_from keeps the line)."""

    __tablename__ = "community_announcement"
    __table_args__ = (Index("ix_community_announcement_state", "community_id", "state"),)
    __audit_exclude__ = ("version",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    notice_type: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(60), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    fields: Mapped[str] = mapped_column(Text, nullable=False, default="{}")  # JSON: the type's fields
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("community_activity.id"))
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("community_announcement.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    created_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_by_name: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdraw_reason: Mapped[str | None] = mapped_column(String(500))

    community = relationship("Community")
    buildings = relationship("Building", secondary=announcement_building, order_by="Building.code")
    activity = relationship("Activity", back_populates="announcements")
    copied_from = relationship("Announcement", remote_side=[id])
    events = relationship("AnnouncementEvent", back_populates="announcement", order_by="AnnouncementEvent.id")
    arrears_lines = relationship("AnnouncementArrears", back_populates="announcement",
                                 order_by="AnnouncementArrears.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.title

    def type_label(self) -> str:
        return str(NOTICE_TYPES.get(self.notice_type, self.notice_type))

    def state_label(self) -> str:
        return str(NOTICE_STATES.get(self.state, self.state))

    def field_values(self) -> dict:
        try:
            data = json.loads(self.fields or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def scope_label(self) -> str:
        return "、".join(b.name for b in self.buildings) if self.buildings else ""


class AnnouncementEvent(Model):
    """One line of a notice's history: who did what, when, from which state to which, with the note."""

    __tablename__ = "community_announcement_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("community_announcement.id"), nullable=False,
                                                 index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    user_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))

    announcement = relationship("Announcement", back_populates="events")


class AnnouncementArrears(Model):
    """A line of a 催缴公告: a house number and its overdue amount, taken when the draft was saved.
    Never a name, a phone or any other personal data: the notice is posted in public."""

    __tablename__ = "community_announcement_arrears"
    __table_args__ = (UniqueConstraint("announcement_id", "house_id", name="uq_community_announcement_arrears"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    announcement_id: Mapped[int] = mapped_column(ForeignKey("community_announcement.id"), nullable=False,
                                                 index=True)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False)
    house_no: Mapped[str] = mapped_column(String(60), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    oldest_due: Mapped[date] = mapped_column(Date, nullable=False)

    announcement = relationship("Announcement", back_populates="arrears_lines")


# 走访
# 专责区 (each 物业助理's buildings, with their history), 走访 visits with the issues clients raised (each may have
# become a repair, a complaint or a suggestion through the service desk), and the 项目经理's summary of a month.

VISIT_CHANNELS = {"door": _l("Door-to-door visit"), "phone": _l("Phone visit")}
# What a client raises on a visit: the duty areas of seed 002 (报修, 清洁绿化, 秩序, 收费, 投诉, 建议, 隐患).
ISSUE_CATEGORIES = {
    "repair": _l("Repairs and maintenance"),
    "environment": _l("Cleaning and greenery"),
    "security": _l("Order and security"),
    "fees": _l("Fees and charges"),
    "complaint": _l("Complaint"),
    "suggestion": _l("Suggestion"),
    "hazard": _l("Possible hazard"),
    "other": _l("Other matters"),
}
# What became of an issue when the visit was recorded: noted only, or a record of the service desk.
ISSUE_OUTCOMES = {
    "noted": _l("Noted only"),
    "repair": _l("Repair work order"),
    "complaint": _l("Complaint"),
    "suggestion": _l("Suggestion"),
    "consultation": _l("Consultation"),
}
VISIT_SATISFACTION = {
    "very_satisfied": _l("Very satisfied"),
    "satisfied": _l("Satisfied"),
    "fair": _l("Fair"),
    "unsatisfied": _l("Unsatisfied"),
}


class ZoneBuilding(Model):
    """One building in a 物业助理's 专责区 from `started_on` up to (not including) `ended_on`. A change of zones
    ends rows and starts new ones, never rewrites them: a past month reads the zones of its own last day."""

    __tablename__ = "community_zone_building"
    __table_args__ = (
        Index("ix_community_zone_building_building", "building_id", "started_on"),
        Index("ix_community_zone_building_community", "community_id", "started_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    building_id: Mapped[int] = mapped_column(ForeignKey("estate_building.id"), nullable=False)
    assistant_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    assistant_name: Mapped[str] = mapped_column(String(100), nullable=False)
    started_on: Mapped[date] = mapped_column(Date, nullable=False)
    ended_on: Mapped[date | None] = mapped_column(Date)
    assigned_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    assigned_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    ended_by_name: Mapped[str | None] = mapped_column(String(100))

    building = relationship("Building")
    assistant = relationship("User", foreign_keys=[assistant_id])


class Visit(Model):
    """走访: a visit (door-to-door or by phone) to a household, or to a building's common place, by a 物业助理."""

    __tablename__ = "community_visit"
    __table_args__ = (
        Index("ix_community_visit_month", "community_id", "visited_on"),
        Index("ix_community_visit_house", "house_id", "visited_on"),
        Index("ix_community_visit_visitor", "visitor_id", "visited_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    visited_on: Mapped[date] = mapped_column(Date, nullable=False)
    house_id: Mapped[int | None] = mapped_column(ForeignKey("estate_house.id"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("estate_building.id"))
    place: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="door")
    visitor_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    visitor_name: Mapped[str] = mapped_column(String(100), nullable=False)
    person: Mapped[str | None] = mapped_column(String(100))
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    remarks: Mapped[str | None] = mapped_column(String(1000))
    follow_up: Mapped[str | None] = mapped_column(String(1000))
    other_needs: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    created_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    community = relationship("Community")
    house = relationship("House")
    building = relationship("Building")
    visitor = relationship("User", foreign_keys=[visitor_id])
    issues = relationship("VisitIssue", back_populates="visit", order_by="VisitIssue.id",
                          cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.where_label()}"

    def where_label(self) -> str:
        if self.house is not None:
            return self.house.house_no
        building = self.building.name if self.building is not None else ""
        return " ".join(x for x in (building, self.place or "") if x)

    def channel_label(self) -> str:
        return str(VISIT_CHANNELS.get(self.channel, self.channel))

    @property
    def person_masked(self) -> str:
        from app.core.masking import mask_name

        return mask_name(self.person)


class VisitIssue(Model):
    """One thing the client raised on a visit, by category; the service desk record it became, if any (the work log
    entry, and the work order, complaint or consultation/suggestion opened with it)."""

    __tablename__ = "community_visit_issue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("community_visit.id"), nullable=False, index=True)
    category: Mapped[str] = mapped_column(String(20), nullable=False)
    text: Mapped[str] = mapped_column(String(1000), nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False, default="noted")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("service_contact.id"), unique=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("service_work_order.id"), unique=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("service_complaint.id"), unique=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("service_consultation.id"), unique=True)

    visit = relationship("Visit", back_populates="issues")
    contact = relationship("Contact")
    work_order = relationship("WorkOrder")
    complaint = relationship("Complaint")
    consultation = relationship("Consultation")

    def category_label(self) -> str:
        return str(ISSUE_CATEGORIES.get(self.category, self.category))

    def outcome_label(self) -> str:
        return str(ISSUE_OUTCOMES.get(self.outcome, self.outcome))


class VisitSummary(Model):
    """The 项目经理's short summary of a month's visits in a community, printed at the end of the report."""

    __tablename__ = "community_visit_summary"
    __table_args__ = (UniqueConstraint("community_id", "month", name="uq_community_visit_summary"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    month: Mapped[str] = mapped_column(String(7), nullable=False)  # "2026-11"
    text: Mapped[str] = mapped_column(String(2000), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    updated_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
# 满意度调查
# A questionnaire (SurveyTemplate) is drafted by the 物业部, approved by the 项目经理 and then never edited (a
# copy is drafted anew); its state changes only through community.surveys.transition(). A campaign runs one
# approved questionnaire for a community and a half year (one campaign per community and half year, a unique
# key). A household (house) answers a campaign once (a unique key); a blank question leaves no answer row.

SURVEY_DEPARTMENTS = {
    "service": _l("Customer service"),
    "engineering": _l("Engineering (works)"),
    "order": _l("Order (security)"),
    "environment": _l("Environment (cleaning and greening)"),
    "billing": _l("Fee collection"),
}
SURVEY_TEMPLATE_STATES = {
    "draft": _l("Draft (not submitted)"),
    "pending": _l("Awaiting approval"),
    "approved": _l("Approved"),
    "retired": _l("Retired"),
}
SURVEY_QUESTION_KINDS = {"scale": _l("Scale of 1 to 5"), "choice": _l("Choice of options")}
SURVEY_SCALE = {
    1: _l("Very dissatisfied"),
    2: _l("Dissatisfied"),
    3: _l("Neutral"),
    4: _l("Satisfied"),
    5: _l("Very satisfied"),
}
SURVEY_CAMPAIGN_STATES = {"open": _l("In progress"), "closed": _l("Ended")}
SURVEY_SOURCES = {"form": _l("Paper form"), "import": _l("Excel import")}


class SurveyTemplate(Audited, Model):
    """满意度调查问卷: a name, an introduction printed above the questions, the questions in order."""

    __tablename__ = "community_survey_template"
    __audit_exclude__ = ("version",)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), nullable=False)
    intro: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("community_survey_template.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    created_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by_name: Mapped[str | None] = mapped_column(String(100))

    copied_from = relationship("SurveyTemplate", remote_side=[id])
    questions = relationship("SurveyQuestion", back_populates="template", order_by="SurveyQuestion.position",
                             cascade="all, delete-orphan")
    events = relationship("SurveyTemplateEvent", back_populates="template", order_by="SurveyTemplateEvent.id")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.name

    def state_label(self) -> str:
        return str(SURVEY_TEMPLATE_STATES.get(self.state, self.state))


class SurveyTemplateEvent(Model):
    """One line of a questionnaire's history: who did what, when, from which state to which, with the note."""

    __tablename__ = "community_survey_template_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("community_survey_template.id"), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    user_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20), nullable=False)
    note: Mapped[str | None] = mapped_column(String(500))

    template = relationship("SurveyTemplate", back_populates="events")


class SurveyQuestion(Model):
    """A question: its department, its place in the questionnaire, a 1–5 scale or a choice of options."""

    __tablename__ = "community_survey_question"
    __table_args__ = (UniqueConstraint("template_id", "position", name="uq_community_survey_question_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("community_survey_template.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    department: Mapped[str] = mapped_column(String(20), nullable=False)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="scale")
    text: Mapped[str] = mapped_column(String(200), nullable=False)

    template = relationship("SurveyTemplate", back_populates="questions")
    options = relationship("SurveyOption", back_populates="question", order_by="SurveyOption.position",
                           cascade="all, delete-orphan")

    def department_label(self) -> str:
        return str(SURVEY_DEPARTMENTS.get(self.department, self.department))

    def kind_label(self) -> str:
        return str(SURVEY_QUESTION_KINDS.get(self.kind, self.kind))


class SurveyOption(Model):
    """An option of a choice question, and whether choosing it counts as satisfied."""

    __tablename__ = "community_survey_option"
    __table_args__ = (UniqueConstraint("question_id", "position", name="uq_community_survey_option_position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("community_survey_question.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    label: Mapped[str] = mapped_column(String(50), nullable=False)
    satisfied: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    question = relationship("SurveyQuestion", back_populates="options")


class SurveyCampaign(Audited, Model):
    """满意度调查 of a community for a half year (half 1: January–June, 2: July–December), one questionnaire."""

    __tablename__ = "community_survey_campaign"
    __table_args__ = (UniqueConstraint("community_id", "year", "half", name="uq_community_survey_campaign_half"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("estate_community.id"), nullable=False)
    template_id: Mapped[int] = mapped_column(ForeignKey("community_survey_template.id"), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    half: Mapped[int] = mapped_column(Integer, nullable=False)
    starts_on: Mapped[date] = mapped_column(Date, nullable=False)
    ends_on: Mapped[date] = mapped_column(Date, nullable=False)
    state: Mapped[str] = mapped_column(String(20), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    created_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_name: Mapped[str | None] = mapped_column(String(100))

    community = relationship("Community")
    template = relationship("SurveyTemplate")

    def __str__(self) -> str:
        community = self.community.name if self.community else ""
        return f"{community} {self.period_label()}".strip()

    def period_label(self) -> str:
        from flask_babel import gettext

        if self.half == 1:
            return gettext("First half of %(year)d", year=self.year)
        return gettext("Second half of %(year)d", year=self.year)

    def state_label(self) -> str:
        return str(SURVEY_CAMPAIGN_STATES.get(self.state, self.state))


class SurveyResponse(Audited, Model):
    """One household's filled-in questionnaire of a campaign: entered from the paper form or imported (a typed form
    and a taken-back one are in the audit log; an import writes one summary row there)."""

    __tablename__ = "community_survey_response"
    __table_args__ = (UniqueConstraint("campaign_id", "house_id", name="uq_community_survey_response_house"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("community_survey_campaign.id"), nullable=False)
    house_id: Mapped[int] = mapped_column(ForeignKey("estate_house.id"), nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(10), nullable=False, default="form")
    remark: Mapped[str | None] = mapped_column(String(500))
    entered_at: Mapped[datetime] = mapped_column(DateTime, nullable=False, default=clock.now)
    entered_by_name: Mapped[str] = mapped_column(String(100), nullable=False, default="")

    campaign = relationship("SurveyCampaign")
    house = relationship("House")
    answers = relationship("SurveyAnswer", back_populates="response", cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.house.house_no if self.house is not None else str(self.house_id)


class SurveyAnswer(Model):
    """The answer to one question: a score of 1–5 (scale) or the chosen option (choice)."""

    __tablename__ = "community_survey_answer"
    __table_args__ = (UniqueConstraint("response_id", "question_id", name="uq_community_survey_answer_question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("community_survey_response.id"), nullable=False)
    question_id: Mapped[int] = mapped_column(ForeignKey("community_survey_question.id"), nullable=False, index=True)
    score: Mapped[int | None] = mapped_column(Integer)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("community_survey_option.id"))

    response = relationship("SurveyResponse", back_populates="answers")
    question = relationship("SurveyQuestion")
    option = relationship("SurveyOption")
