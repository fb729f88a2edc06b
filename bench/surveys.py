"""Benchmark: the 满意度调查 results and report of a large community, the entry of one form, an Excel import.

A SQLite database (or --database-url, an empty one), migrated to head, with a demo estate of --households houses
(app.estate.demo.load_demo) and the demo questionnaire (ten questions over the five departments, through
community.surveys). Two half-yearly campaigns; in each, --share of the households answered (forms and answers
bulk-inserted, a seeded random answering). Timed, median of --runs:

  results        surveys.results(): per question, department and building against the previous campaign
  departments    surveys.department_rates() (what the staff assessment reads)
  one form       surveys.record_response() of one household, as the entry page saves it (rolled back)

Once: the 满意度调查报告 PDF (printing.survey_report_pdf), and an import of --import rows from the template
workbook (surveys.import_responses: every row checked, then written), rolled back.

    python bench/surveys.py [--households 10000] [--share 0.5] [--runs 10] [--import 2000] [--save-pdf PATH]
                            [--database-url postgresql+psycopg://...]

Figures are printed, never asserted.
"""
import argparse
import io
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir)))

from bench.common import database_size_mb, make_app, print_table, upgrade_quietly  # noqa: E402
from bench.scale import drop_everything, table_names  # noqa: E402

TODAY = date(2026, 11, 20)
CHUNK = 10_000


def setup(households: int) -> dict:
    """The estate, the demo questionnaire, two campaigns of the first community (no forms yet)."""
    from sqlalchemy import select

    from app.community import surveys
    from app.community.survey_demo import QUESTIONS, _actor, STAFF
    from app.core.audit import set_cli_actor
    from app.estate.demo import load_demo
    from app.estate.models import Community
    from app.extensions import db
    from app.security.services import apply_matrix

    set_cli_actor("bench")
    from flask import current_app

    apply_matrix(current_app.appbuilder)
    load_demo(households, seed=7)
    clerk, manager = _actor(*STAFF[0]), _actor(*STAFF[1])
    template = surveys.save_template({"name": "业主满意度调查问卷"}, clerk)
    for department, kind, text, options in QUESTIONS:
        values = {"department": department, "kind": kind, "text": text}
        if options:
            values.update(satisfied_options=options[0], other_options=options[1])
        surveys.add_question(template.id, values, clerk)
    surveys.transition(template.id, "submit", clerk)
    surveys.transition(template.id, "approve", manager)
    from sqlalchemy import func

    from app.estate.models import House

    community_id = db.session.execute(select(House.community_id, func.count()).group_by(House.community_id)
                                      .order_by(func.count().desc()).limit(1)).first()[0]
    community = db.session.get(Community, community_id)  # the largest
    campaigns = []
    for year, half in ((2026, 1), (2026, 2)):
        campaigns.append(surveys.open_campaign({"community": community.id, "template": template.id, "year": year,
                                                "half": half, "starts_on": date(year, 1 + 6 * (half - 1), 1),
                                                "ends_on": date(year, 6 * half, 30)}, manager))
    db.session.commit()
    return {"community": community.id, "campaigns": [c.id for c in campaigns], "clerk": clerk,
            "questions": list(template.questions)}


def fill(rng: random.Random, setup_: dict, share: float) -> int:
    """Bulk-insert the forms and answers of both campaigns; the last house of the community is left unanswered."""
    from sqlalchemy import insert, select

    from app.community.models import SurveyAnswer, SurveyResponse
    from app.estate.models import House
    from app.extensions import db

    houses = list(db.session.scalars(select(House.id).where(House.community_id == setup_["community"])
                                     .order_by(House.id)))[:-1]
    answers = 0
    for campaign_id in setup_["campaigns"]:
        chosen = [h for h in houses if rng.random() < share]
        db.session.execute(insert(SurveyResponse), [
            {"campaign_id": campaign_id, "house_id": h, "source": "form", "entered_at": datetime(2026, 6, 1),
             "entered_by_name": "bench"} for h in chosen])
        ids = list(db.session.scalars(select(SurveyResponse.id).where(SurveyResponse.campaign_id == campaign_id)))
        rows = []
        for rid in ids:
            for q in setup_["questions"]:
                if rng.random() < 0.05:
                    continue
                if q.kind == "scale":
                    rows.append({"response_id": rid, "question_id": q.id, "score": rng.choice([1, 2, 3, 4, 4, 5, 5]),
                                 "option_id": None})
                else:
                    rows.append({"response_id": rid, "question_id": q.id, "score": None,
                                 "option_id": rng.choice(q.options).id})
        for i in range(0, len(rows), CHUNK):
            db.session.execute(insert(SurveyAnswer), rows[i:i + CHUNK])
        answers += len(rows)
    db.session.commit()
    return answers


def timed(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def import_file(setup_: dict, rows: int) -> tuple[bytes, int]:
    """The template workbook of the second campaign with `rows` new households (the import checks them all)."""
    from openpyxl import load_workbook
    from sqlalchemy import select

    from app.community import surveys
    from app.community.models import SurveyCampaign, SurveyResponse
    from app.estate.models import House
    from app.extensions import db

    campaign = db.session.get(SurveyCampaign, setup_["campaigns"][1])
    answered = select(SurveyResponse.house_id).where(SurveyResponse.campaign_id == campaign.id)
    free = list(db.session.scalars(select(House.house_no).where(House.community_id == campaign.community_id,
                                                                ~House.id.in_(answered)).limit(rows)))
    wb = load_workbook(io.BytesIO(surveys.import_template(campaign)))
    ws = wb.worksheets[0]
    for n, house_no in enumerate(free):
        ws.append([house_no] + [str(1 + (n + i) % len(q.options)) if q.kind == "choice" else 1 + (n + i) % 5
                                for i, q in enumerate(setup_["questions"])] + [None])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(free)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--share", type=float, default=0.5, help="of the households answering each campaign")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--import", type=int, default=2_000, dest="import_rows")
    parser.add_argument("--save-pdf", metavar="PATH")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    os.environ.setdefault("PM_SKIP_PDF_CHECK", "1")

    import weasyprint

    print("Satisfaction survey benchmark (bench/surveys.py)")
    print(f"  Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="pm-bench-surveys-") as tmp:
        if args.database_url:
            url = args.database_url
            if table_names(url):
                raise SystemExit("--database-url must name an empty database")
        else:
            url = "sqlite:///" + os.path.join(tmp, "surveys.db")
        app = make_app(url)
        try:
            with app.test_request_context():
                upgrade_quietly()
                from app.community import printing, surveys
                from app.community.models import SurveyCampaign
                from app.extensions import db

                t0 = time.perf_counter()
                s = setup(args.households)
                answers = fill(rng, s, args.share)
                current = s["campaigns"][1]
                result = surveys.results(current)
                print(f"  {args.households:,} households in the estate, {result['households']:,} in the community surveyed "
                      f"({len(result['buildings'])} buildings); two campaigns, "
                      f"{result['responses']:,} and {surveys.results(s['campaigns'][0])['responses']:,} forms, "
                      f"{answers:,} answers (built in {time.perf_counter() - t0:.1f} s), "
                      f"database {database_size_mb() or 0:.0f} MB")
                rows = []
                rows.append(["results (question, department, building, vs previous)",
                             f"{timed(args.runs, lambda: surveys.results(current)) * 1000:.0f}"])
                rows.append(["department_rates",
                             f"{timed(args.runs, lambda: surveys.department_rates(current)) * 1000:.0f}"])
                house_no = surveys.unanswered_house_numbers(db.session.get(SurveyCampaign, current), 1)[0]

                def one_form():
                    surveys.record_response(current, house_no, {q.id: "1" for q in s["questions"]}, s["clerk"])
                    db.session.rollback()

                rows.append(["one form saved (entry page)", f"{timed(args.runs, one_form) * 1000:.0f}"])
                t0 = time.perf_counter()
                pdf = printing.survey_report_pdf(surveys.results(current), "bench")
                rows.append(["满意度调查报告 PDF (once)", f"{(time.perf_counter() - t0) * 1000:.0f}"])
                if args.save_pdf:
                    with open(args.save_pdf, "wb") as fh:
                        fh.write(pdf)
                data, n = import_file(s, args.import_rows)
                t0 = time.perf_counter()
                imported = surveys.import_responses(current, data, s["clerk"])
                rows.append([f"import of {n:,} rows (check and write, once)",
                             f"{(time.perf_counter() - t0) * 1000:.0f}"])
                assert imported.ok, imported.errors[:3]
                db.session.rollback()
                print_table(["what", "ms"], rows)
                db.session.remove()
                db.engine.dispose()
        finally:
            if args.database_url:
                drop_everything(url)


if __name__ == "__main__":
    main()
