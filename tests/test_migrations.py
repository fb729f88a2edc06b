"""Migrations: they build exactly the models' schema, and each keeps the data of the version before it.

For every revision, SEEDS may name a function that writes rows as that version's
schema holds them; the test upgrades step by step, seeding as it goes, and checks
at head that every seeded row is still there.
"""
import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db


def _seed_0001(conn):
    conn.execute(text("INSERT INTO estate_community (id, name, code) VALUES (901, '旧版小区', 'OLD1')"))
    conn.execute(text("INSERT INTO estate_building (id, community_id, code, name) VALUES (901, 901, '1', '1号楼')"))
    conn.execute(text("INSERT INTO estate_unit (id, building_id, code, name) VALUES (901, 901, '1', '1单元')"))
    conn.execute(text(
        "INSERT INTO estate_house (id, community_id, building_id, unit_id, room_no, house_no, floor, building_area,"
        " usage, status) VALUES (901, 901, 901, 901, '0101', '1-1-0101', 1, 88.80, 'residential', 'occupied')"
    ))


def _check_0001(conn):
    row = conn.execute(text("SELECT house_no, building_area FROM estate_house WHERE id = 901")).one()
    assert row[0] == "1-1-0101" and str(row[1]) in ("88.80", "88.8")


def _seed_0002(conn):
    conn.execute(text(
        "INSERT INTO estate_owner (id, kind, name, name_pinyin, name_initials, id_type, id_number, phone, phone_tail)"
        " VALUES (901, 'person', '张三', 'zhangsan', 'zs', 'passport', 'E90000001', '13800000901', '0901')"
    ))
    conn.execute(text(
        "INSERT INTO estate_ownership (id, house_id, owner_id, share, started_on)"
        " VALUES (901, 901, 901, 100.00, '2020-01-01')"
    ))


def _check_0002(conn):
    row = conn.execute(text(
        "SELECT o.name, s.share FROM estate_ownership s JOIN estate_owner o ON o.id = s.owner_id WHERE s.id = 901"
    )).one()
    assert row[0] == "张三" and str(row[1]) in ("100.00", "100")


def _seed_0003(conn):
    conn.execute(text(
        "INSERT INTO service_contact (id, community_id, occurred_at, channel, kind, house_id, summary,"
        " received_by_name) VALUES (901, 901, '2026-11-23 09:00:00', 'phone', 'repair', 901, '厨房水管漏水', '前台')"
    ))
    conn.execute(text(
        "INSERT INTO service_work_order (id, order_no, community_id, house_id, scope, category, source, urgency,"
        " description, contact_id, state, version, reported_at, labour_fee, material_fee)"
        " VALUES (901, 'BX20261123-000901', 901, 901, 'private', 'water_power', 'phone', 'normal', '厨房水管漏水',"
        " 901, 'pending', 1, '2026-11-23 09:00:00', 0, 0)"
    ))


def _check_0003(conn):
    row = conn.execute(text(
        "SELECT o.order_no, c.summary FROM service_work_order o JOIN service_contact c ON c.id = o.contact_id"
        " WHERE o.id = 901"
    )).one()
    assert row[0] == "BX20261123-000901" and row[1] == "厨房水管漏水"
    assert conn.execute(text("SELECT count(*) FROM service_deadline")).scalar() >= 5


def _seed_0004(conn):
    conn.execute(text(
        "INSERT INTO billing_fee_item (id, community_id, code, name, method, area_basis, unit_price, cycle,"
        " start_month, due_days, active) VALUES (901, 901, 'WYF', '物业服务费', 'area', 'building_area', 2.3500,"
        " 'monthly', 1, 30, TRUE)"
    ))
    conn.execute(text(
        "INSERT INTO billing_line (id, community_id, house_id, fee_item_id, source, payer_key, period, period_key,"
        " description, quantity, unit_price, months, amount, due_date, state, created_at, version)"
        " VALUES (901, 901, 901, 901, 'run', 'H901', '2026-11', '2026-11', '物业服务费 2026-11', 88.80, 2.3500, 1,"
        " 208.68, '2026-12-01', 'unpaid', '2026-11-01 08:00:00', 1)"
    ))


def _check_0004(conn):
    row = conn.execute(text("SELECT l.amount, f.name FROM billing_line l JOIN billing_fee_item f"
                            " ON f.id = l.fee_item_id WHERE l.id = 901")).one()
    assert str(row[0]) == "208.68" and row[1] == "物业服务费"


def _seed_0005(conn):
    conn.execute(text(
        "INSERT INTO billing_payment (id, community_id, house_id, year, serial, receipt_no, kind, payer_name, method,"
        " amount, lines_amount, prepaid, balance_used, cashier_name, paid_at, state, print_count, reprint_count)"
        " VALUES (902, 901, 901, 2026, 2, 'SK2026-000002', 'reversal', '张三', 'cash', -108.68, -208.68, 0, -100.00,"
        " '经理', '2026-11-23 10:00:00', 'valid', 0, 0)"
    ))


def _check_0005(conn):
    assert str(conn.execute(text("SELECT balance_used FROM billing_payment WHERE id = 902")).scalar()) in (
        "-100.00", "-100.0", "-100")


def _seed_0006(conn):
    conn.execute(text(
        "INSERT INTO billing_reminder (id, community_id, house_id, at, method, arrears, outcome, promised_on, by_name)"
        " VALUES (901, 901, 901, '2026-11-23 10:00:00', 'phone', 208.68, '业主答应月底前缴清', '2026-11-30', '收费员')"
    ))


def _check_0006(conn):
    assert conn.execute(text("SELECT outcome FROM billing_reminder WHERE id = 901")).scalar() == "业主答应月底前缴清"


def _seed_0007(conn):
    conn.execute(text(
        "INSERT INTO community_activity (id, community_id, title, starts_at, place, budget, organiser, participants,"
        " created_at, created_by_name) VALUES (901, 901, '中秋游园会', '2026-09-25 19:00:00', '中心广场', 3500.50,"
        " '客服部', 120, '2026-09-01 09:00:00', '客服')"
    ))
    conn.execute(text(
        "INSERT INTO community_announcement (id, community_id, notice_type, title, body, fields, state, version,"
        " activity_id, created_at, created_by_name, published_at, published_by_name) VALUES (901, 901, 'arrears',"
        " '关于催缴物业服务费用的公告', '尊敬的各位业主、住户：', '{\"as_of\": \"2026-11-23\"}', 'published', 3, NULL,"
        " '2026-11-23 09:00:00', '客服', '2026-11-23 11:00:00', '经理')"
    ))
    conn.execute(text("INSERT INTO community_announcement_building (announcement_id, building_id) VALUES (901, 901)"))
    conn.execute(text(
        "INSERT INTO community_announcement_event (id, announcement_id, at, user_name, action, from_state, to_state)"
        " VALUES (901, 901, '2026-11-23 11:00:00', '经理', 'approve', 'pending', 'published')"
    ))
    conn.execute(text(
        "INSERT INTO community_announcement_arrears (id, announcement_id, house_id, house_no, amount, oldest_due)"
        " VALUES (901, 901, 901, '1-1-0101', 208.68, '2026-12-01')"
    ))


def _check_0007(conn):
    assert str(conn.execute(text("SELECT budget FROM community_activity WHERE id = 901")).scalar()) in (
        "3500.50", "3500.5")
    row = conn.execute(text(
        "SELECT a.state, l.house_no, l.amount, b.building_id, e.action FROM community_announcement a"
        " JOIN community_announcement_arrears l ON l.announcement_id = a.id"
        " JOIN community_announcement_building b ON b.announcement_id = a.id"
        " JOIN community_announcement_event e ON e.announcement_id = a.id WHERE a.id = 901")).one()
    assert (row[0], row[1], str(row[2]), row[3], row[4]) == ("published", "1-1-0101", "208.68", 901, "approve")


def _seed_0011(conn):
    conn.execute(text(
        "INSERT INTO billing_public_entry (id, community_id, on_date, kind, category, amount, counterparty, voucher_no,"
        " description, by_name, at) VALUES (901, 901, '2026-11-02', 'income', 'advertising', 12000.00, '某传媒公司',"
        " 'HT-2026-018', '电梯广告位 2026 年第四季度', '收费员', '2026-11-02 10:00:00')"
    ))
    conn.execute(text(
        "INSERT INTO billing_public_entry (id, community_id, on_date, kind, category, amount, description, by_name, at,"
        " reverses_id) VALUES (902, 901, '2026-11-03', 'income', 'advertising', -12000.00, '冲销第 901 号', '经理',"
        " '2026-11-03 10:00:00', 901)"
    ))


def _check_0011(conn):
    rows = conn.execute(text("SELECT id, amount, reverses_id FROM billing_public_entry ORDER BY id")).all()
    assert [(r[0], str(r[1]), r[2]) for r in rows] in ([(901, "12000.00", None), (902, "-12000.00", 901)],
                                                       [(901, "12000", None), (902, "-12000", 901)])


def _seed_0010(conn):
    conn.execute(text(
        "INSERT INTO billing_meter (id, community_id, kind, scope, number, name, house_id, building_id, start_reading,"
        " active) VALUES (901, 901, 'water', 'house', 'W-901', NULL, 901, 901, 1000.00, TRUE)"
    ))
    conn.execute(text(
        "INSERT INTO billing_meter_reading (id, meter_id, period, previous, current, replaced, usage, state, read_by,"
        " read_at) VALUES (901, 901, '2026-11', 1023.00, 1035.50, FALSE, 12.50, 'ok', '收费员', '2026-11-25 09:00:00')"
    ))
    conn.execute(text("UPDATE billing_fee_item SET method = 'meter', meter_kind = 'water', tiers = '10:3.50, 5.60'"
                      " WHERE id = 901"))
    conn.execute(text("UPDATE billing_line SET basis = '12.5 m³ (1023.0→1035.5) × 3.50' WHERE id = 901"))


def _check_0010(conn):
    row = conn.execute(text(
        "SELECT r.usage, m.number, f.tiers, l.basis FROM billing_meter_reading r JOIN billing_meter m ON m.id ="
        " r.meter_id JOIN billing_fee_item f ON f.id = 901 JOIN billing_line l ON l.id = 901 WHERE r.id = 901")).one()
    assert (str(row[0]) in ("12.50", "12.5"), row[1], row[2], row[3]) == (
        True, "W-901", "10:3.50, 5.60", "12.5 m³ (1023.0→1035.5) × 3.50")


def _seed_0012(conn):
    conn.execute(text("INSERT INTO billing_fund_account (house_id, community_id, balance) VALUES (901, 901, 4225.00)"))
    conn.execute(text(
        "INSERT INTO billing_fund_application (id, community_id, number, project, amount, scope, building_id, state,"
        " area_total, owners_total, area_voting, owners_voting, area_for, owners_for, applied_by, applied_at, version)"
        " VALUES (901, 901, 'WX2026-001', '电梯更换曳引机', 250.00, 'building', 901, 'paid', 89.50, 1, 89.50, 1,"
        " 89.50, 1, '内业', '2026-11-01 09:00:00', 4)"
    ))
    conn.execute(text(
        "INSERT INTO billing_fund_entry (id, community_id, house_id, on_date, kind, amount, balance_after, basis,"
        " by_name, at) VALUES (901, 901, 901, '2026-01-10', 'deposit', 4475.00, 4475.00, '89.50㎡ × 50.00', '收费员',"
        " '2026-01-10 10:00:00')"
    ))
    conn.execute(text(
        "INSERT INTO billing_fund_entry (id, community_id, house_id, on_date, kind, amount, balance_after,"
        " application_id, by_name, approved_by, at) VALUES (902, 901, 901, '2026-11-20', 'use', -250.00, 4225.00, 901,"
        " '收费员', '经理', '2026-11-20 10:00:00')"
    ))


def _check_0012(conn):
    row = conn.execute(text(
        "SELECT a.balance, e.amount, p.number, p.state FROM billing_fund_account a JOIN billing_fund_entry e ON"
        " e.house_id = a.house_id AND e.kind = 'use' JOIN billing_fund_application p ON p.id = e.application_id"
        " WHERE a.house_id = 901")).one()
    assert (str(row[0]), str(row[1]), row[2], row[3]) in (("4225.00", "-250.00", "WX2026-001", "paid"),
                                                         ("4225", "-250", "WX2026-001", "paid"))


def _seed_0013(conn):
    user = conn.execute(text("SELECT id FROM ab_user ORDER BY id LIMIT 1")).scalar()
    if user is None:
        conn.execute(text("INSERT INTO ab_user (id, first_name, last_name, username, email, active) VALUES (901, '赵敏',"
                          " '', 'rb_cashier', 'rb@example.com', TRUE)"))
        user = 901
    conn.execute(text(
        "INSERT INTO billing_receipt_book (id, community_id, series, first_no, last_no, cashier_id, cashier_name,"
        " issued_on, issued_by, state) VALUES (901, 901, 'A', 1, 50, :u, '赵敏', '2026-11-01', '经理', 'issued')"),
        {"u": user})
    conn.execute(text("INSERT INTO billing_receipt_sheet (id, book_id, number, state, payment_id, at, by_name) VALUES"
                      " (901, 901, 1, 'used', 902, '2026-11-02 09:00:00', '赵敏')"))


def _check_0013(conn):
    row = conn.execute(text("SELECT b.series, b.last_no, s.number, s.payment_id FROM billing_receipt_book b JOIN"
                            " billing_receipt_sheet s ON s.book_id = b.id WHERE b.id = 901")).one()
    assert tuple(row) == ("A", 50, 1, 902)
def _seed_0014(conn):
    user = conn.execute(text("SELECT id FROM ab_user ORDER BY id LIMIT 1")).scalar()
    conn.execute(text("INSERT INTO pm_session_version (user_id, version) VALUES (:u, 3)"), {"u": user})
    conn.execute(text("INSERT INTO pm_login_address (id, address, failures, window_start) VALUES"
                      " (901, '192.0.2.7', 4, '2026-12-01 09:00:00')"))


def _check_0014(conn):
    assert conn.execute(text("SELECT version FROM pm_session_version")).scalar() == 3
    row = conn.execute(text("SELECT address, failures FROM pm_login_address WHERE id = 901")).one()
    assert tuple(row) == ("192.0.2.7", 4)


def _seed_0015(conn):
    _seed_0015b(conn)
    conn.execute(text(
        "INSERT INTO billing_payment (id, community_id, house_id, year, serial, receipt_no, kind, payer_name, method,"
        " amount, lines_amount, prepaid, balance_used, cashier_name, paid_at, state, print_count, reprint_count,"
        " tendered, change_given, reference) VALUES (915, 901, 901, 2026, 15, 'SK2026-000015', 'payment', '张三',"
        " 'cash', 249.48, 249.48, 0, 0, '收费员', '2026-12-03 10:00:00', 'valid', 0, 0, 300.00, 50.52, NULL)"))


def _check_0015(conn):
    _check_0015b(conn)
    # the payments of the version before keep their figures, with nothing tendered or referenced
    old = conn.execute(text("SELECT receipt_no, tendered, reference FROM billing_payment WHERE id = 902")).one()
    assert (old[0], old[1], old[2]) == ("SK2026-000002", None, None)
    row = conn.execute(text("SELECT tendered, change_given FROM billing_payment WHERE id = 915")).one()
    assert (str(row[0]), str(row[1])) in (("300.00", "50.52"), ("300", "50.52"))


def _seed_0015b(conn):
    """Before 0016: a vehicle of the version before, which 0016 gives an (empty) end of registration."""
    conn.execute(text("INSERT INTO estate_vehicle (id, plate, house_id, owner_id, brand) VALUES"
                      " (901, '京A90901', 901, 901, '大众')"))


def _check_0015b(conn):
    row = conn.execute(text("SELECT plate, brand, ended_on FROM estate_vehicle WHERE id = 901")).one()
    assert tuple(row) == ("京A90901", "大众", None)
    row = conn.execute(text("SELECT owner_id, started_on, handover_note FROM estate_ownership WHERE id = 901")).one()
    assert (row[0], str(row[1]), row[2]) == (901, "2020-01-01", None)


def _seed_0016(conn):
    conn.execute(text(
        "INSERT INTO pm_correction (id, at, user_id, username, table_name, record_id, changes, reason) VALUES"
        " (901, '2026-12-03 14:00:00', NULL, '项目经理', 'estate_ownership', 901,"
        " '{\"certificate_no\": [\"京房权证001\", \"京房权证002\"]}', '证号录入错误')"))


def _check_0016(conn):
    row = conn.execute(text("SELECT table_name, record_id, reason FROM pm_correction WHERE id = 901")).one()
    assert tuple(row) == ("estate_ownership", 901, "证号录入错误")


def _seed_0017(conn):
    conn.execute(text(
        "INSERT INTO billing_fund_resolution (id, community_id, number, scope, building_id, area_total, owners_total,"
        " area_voting, owners_voting, area_for, owners_for, voted_on, recorded_by, recorded_at) VALUES (901, 901,"
        " 'XC2026-001', 'building', 901, 89.50, 1, 89.50, 1, 89.50, 1, '2026-05-20', '收费员', '2026-06-01 09:00:00')"))
    conn.execute(text(
        "INSERT INTO billing_fund_entry (id, community_id, house_id, on_date, kind, amount, balance_after,"
        " resolution_id, by_name, at) VALUES (917, 901, 901, '2026-06-01', 'top_up', 100.00, 4325.00, 901, '收费员',"
        " '2026-06-01 09:00:00')"))
    conn.execute(text(
        "INSERT INTO billing_fund_paper (id, application_id, kind, number, stored_name, original_name, content_type,"
        " size, uploaded_by, uploaded_at) VALUES (901, 901, 'voucher', 'ZZ-0007', 'abc.pdf', '凭证.pdf',"
        " 'application/pdf', 120, '收费员', '2026-11-20 10:00:00')"))


def _check_0017(conn):
    # the entries of the version before name no vote; the new rows keep theirs
    assert conn.execute(text("SELECT resolution_id FROM billing_fund_entry WHERE id = 901")).scalar() is None
    row = conn.execute(text("SELECT r.number, r.owners_for FROM billing_fund_entry e JOIN billing_fund_resolution r"
                            " ON r.id = e.resolution_id WHERE e.id = 917")).one()
    assert tuple(row) == ("XC2026-001", 1)
    assert conn.execute(text("SELECT number FROM billing_fund_paper WHERE application_id = 901")).scalar() == "ZZ-0007"


def _seed_0008(conn):
    conn.execute(text("INSERT INTO ab_user (id, first_name, last_name, username, email, active) VALUES"
                      " (901, '王', '助理', 'old_assistant', 'old_assistant@example.invalid', true)"))
    conn.execute(text(
        "INSERT INTO community_zone_building (id, community_id, building_id, assistant_id, assistant_name, started_on,"
        " ended_on, assigned_at, assigned_by_name) VALUES (901, 901, 901, 901, '王助理', '2026-09-01', '2026-11-01',"
        " '2026-09-01 09:00:00', '经理')"
    ))
    conn.execute(text(
        "INSERT INTO community_visit (id, community_id, visited_on, house_id, channel, visitor_id, visitor_name,"
        " other_needs, created_at, created_by_name) VALUES (901, 901, '2026-10-12', 901, 'door', 901, '王助理',"
        " '希望增设快递柜', '2026-10-12 15:00:00', '王助理')"
    ))
    conn.execute(text("INSERT INTO community_visit_issue (id, visit_id, category, text, outcome) VALUES"
                      " (901, 901, 'environment', '楼道灯不亮', 'noted')"))
    conn.execute(text("INSERT INTO community_visit_summary (id, community_id, month, text, updated_at,"
                      " updated_by_name) VALUES (901, 901, '2026-10', '走访覆盖率达标', '2026-11-01 10:00:00', '经理')"))


def _check_0008(conn):
    row = conn.execute(text(
        "SELECT z.ended_on, v.other_needs, i.category, s.text FROM community_zone_building z"
        " JOIN community_visit v ON v.visitor_id = z.assistant_id JOIN community_visit_issue i ON i.visit_id = v.id"
        " JOIN community_visit_summary s ON s.community_id = v.community_id WHERE z.id = 901")).one()
    assert (str(row[0]), row[1], row[2], row[3]) == ("2026-11-01", "希望增设快递柜", "environment", "走访覆盖率达标")
def _seed_0009(conn):
    conn.execute(text(
        "INSERT INTO community_survey_template (id, name, state, version, created_at, created_by_name, approved_at,"
        " approved_by_name) VALUES (901, '业主满意度调查问卷', 'approved', 3, '2026-06-01 09:00:00', '客服',"
        " '2026-06-02 10:00:00', '经理')"
    ))
    conn.execute(text(
        "INSERT INTO community_survey_template_event (id, template_id, at, user_name, action, from_state, to_state)"
        " VALUES (901, 901, '2026-06-02 10:00:00', '经理', 'approve', 'pending', 'approved')"
    ))
    conn.execute(text(
        "INSERT INTO community_survey_question (id, template_id, position, department, kind, text)"
        " VALUES (901, 901, 1, 'environment', 'choice', '公共区域清洁')"
    ))
    conn.execute(text(
        "INSERT INTO community_survey_option (id, question_id, position, label, satisfied)"
        " VALUES (901, 901, 1, '满意', TRUE)"
    ))
    conn.execute(text(
        "INSERT INTO community_survey_campaign (id, community_id, template_id, year, half, starts_on, ends_on, state,"
        " created_at, created_by_name) VALUES (901, 901, 901, 2026, 2, '2026-07-01', '2026-12-31', 'open',"
        " '2026-07-01 09:00:00', '经理')"
    ))
    conn.execute(text(
        "INSERT INTO community_survey_response (id, campaign_id, house_id, source, entered_at, entered_by_name)"
        " VALUES (901, 901, 901, 'form', '2026-11-23 09:00:00', '客服')"
    ))
    conn.execute(text(
        "INSERT INTO community_survey_answer (id, response_id, question_id, option_id) VALUES (901, 901, 901, 901)"
    ))


def _check_0009(conn):
    row = conn.execute(text(
        "SELECT t.state, q.text, o.label, o.satisfied, c.half, r.house_id FROM community_survey_answer a"
        " JOIN community_survey_response r ON r.id = a.response_id"
        " JOIN community_survey_campaign c ON c.id = r.campaign_id"
        " JOIN community_survey_template t ON t.id = c.template_id"
        " JOIN community_survey_question q ON q.id = a.question_id"
        " JOIN community_survey_option o ON o.id = a.option_id WHERE a.id = 901")).one()
    assert (row[0], row[1], row[2], bool(row[3]), row[4], row[5]) == ("approved", "公共区域清洁", "满意", True, 2, 901)


SEEDS = {"0001": (_seed_0001, _check_0001), "0002": (_seed_0002, _check_0002), "0003": (_seed_0003, _check_0003),
         "0004": (_seed_0004, _check_0004), "0005": (_seed_0005, _check_0005), "0006": (_seed_0006, _check_0006),
         "0007": (_seed_0007, _check_0007), "0008": (_seed_0008, _check_0008), "0009": (_seed_0009, _check_0009),
         "0010": (_seed_0010, _check_0010), "0011": (_seed_0011, _check_0011), "0012": (_seed_0012, _check_0012),
         "0013": (_seed_0013, _check_0013), "0014": (_seed_0014, _check_0014),
         "0015": (_seed_0015, _check_0015), "0016": (_seed_0016, _check_0016), "0017": (_seed_0017, _check_0017)}


def _revisions(app):
    from alembic.script import ScriptDirectory

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        script = ScriptDirectory.from_config(config)
        return [rev.revision for rev in reversed(list(script.walk_revisions()))]


@pytest.fixture
def scratch_url(app, tmp_path):
    """A database of its own: a SQLite file, or a new PostgreSQL database beside the test one."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path}/migrations.db"
        return
    name = "pm_mig_" + uuid.uuid4().hex[:8]
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_models_and_migrations_agree(app):
    with app.app_context():
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Model.metadata)
    assert diff == [], "a model changed without a migration: flask db migrate -m '...'"


def test_each_migration_keeps_the_data_of_the_version_before(scratch_url):
    os.environ.setdefault("PM_SKIP_PDF_CHECK", "1")
    app = create_app("config.TestConfig", SQLALCHEMY_DATABASE_URI=scratch_url)
    revisions = _revisions(app)
    assert revisions[0] == "0001"
    with app.app_context():
        checks = []
        for rev in revisions:
            upgrade(revision=rev)
            if rev in SEEDS:
                seed, check = SEEDS[rev]
                with db.engine.begin() as conn:
                    seed(conn)
                checks.append(check)
        upgrade()
        with db.engine.connect() as conn:
            for check in checks:
                check(conn)
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()
