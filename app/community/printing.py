"""Printed forms of 社区关系: the 通知公告 poster (A4 or A3) to post in the buildings.

Renders through app.core.pdf.render_pdf with templates/print/community/poster.html. Only a published notice
prints clean; any other carries the "草稿/未发布" watermark on every page. A 催缴公告 prints the house numbers
and amounts taken when it was drafted: there is no name, phone or other personal data to print.
"""
from datetime import date, datetime

from flask_babel import gettext

from app.core import clock
from app.community.models import Announcement
from app.community.services import office_name
from app.core.formatting import format_date, format_datetime
from app.core.pdf import render_pdf

PAPERS = {"a4": "A4", "a3": "A3"}
A3_SCALE = 1.41  # A3 is A4 scaled by √2: the poster keeps its look, read from further away


def _body_size(body: str, arrears_rows: int) -> float:
    """The body's font size on A4 in pt: large for a short notice, smaller as the text grows, so that most
    notices fill one sheet and stay readable from a step away."""
    length = len(body) + arrears_rows * 12
    largest = 16 if arrears_rows else 22  # a 催缴公告's list must fit beside its text
    for most, size in ((250, 22), (450, 19), (800, 16), (1400, 14), (1900, 12)):
        if length <= most:
            return min(size, largest)
    return 11


def _columns(lines, n: int) -> list[list]:
    """The arrears lines in rows of n (house number, amount) pairs, read left to right."""
    return [lines[i:i + n] for i in range(0, len(lines), n)]


def poster_context(notice: Announcement, paper: str = "a4", seal: bool = False, today: date | None = None) -> dict:
    scale = A3_SCALE if paper == "a3" else 1.0
    paragraphs = [p for p in (notice.body or "").split("\n")]
    lines = list(notice.arrears_lines) if notice.notice_type == "arrears" else []
    per_row = 3  # pairs of (house number, amount) a row; A3 is the same sheet scaled up
    if notice.state == "published":
        watermark = None
    elif notice.state == "withdrawn":
        watermark = gettext("Withdrawn · not valid")
    else:
        watermark = gettext("Draft · not published")
    issued = notice.published_at.date() if notice.published_at else (today or clock.today())
    return {
        "notice": notice, "paper": PAPERS.get(paper, "A4"), "scale": scale, "seal": seal,
        "paragraphs": paragraphs, "salutation": bool(paragraphs) and paragraphs[0].rstrip().endswith(("：", ":")),
        "arrears_rows": _columns(lines, per_row), "per_row": per_row, "arrears_count": len(lines),
        "watermark": watermark, "office": office_name(notice.community), "issued_on": format_date(issued),
        "body_pt": round(_body_size(notice.body or "", len(lines)) * scale, 1),
        "line_height": 1.75 if len(notice.body or "") <= 800 else 1.5,
        "title_pt": round((34 if len(notice.title) <= 12 else 28 if len(notice.title) <= 18 else 22) * scale, 1),
    }


def poster_pdf(notice: Announcement, paper: str = "a4", seal: bool = False, today: date | None = None) -> bytes:
    return render_pdf("community/poster.html", **poster_context(notice, paper, seal, today))


def poster_filename(notice: Announcement, paper: str) -> str:
    return f"{notice.title}-{PAPERS.get(paper, 'A4')}.pdf"


# ---------------------------------------------------------------------------- 满意度调查报告


def survey_report_pdf(result: dict, printed_by: str, printed_at: datetime | None = None) -> bytes:
    """满意度调查报告 of surveys.results(): A4, the summary and the definition of the rate, bar charts (inline SVG
    drawn by the template) per department and per building against the previous survey, the tables per
    department, building and question, the boxes to sign."""
    from app.community.surveys import show_change, show_rate

    return render_pdf("community/survey_report.html", result=result, rate=show_rate, change=show_change,
                      printed_by=printed_by, printed_at=format_datetime(printed_at or clock.now()),
                      office=office_name(result["campaign"].community))
