"""收据 PDFs, A4 (two per sheet) and the 241 × 93 mm pin-printer form: checked by their text with pypdf (the data
and the marks the catalog already translates: 补打, 作废, 红冲), their page count and the form's paper size."""
import io
import re
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
from flask_babel import gettext
from pypdf import PdfReader
from sqlalchemy import event

from app.billing import charges, printing, services
from app.core.audit import set_cli_actor
from app.extensions import db
from app.security import roles
from tests.billing.conftest import TODAY
from tests.conftest import actor

NOW = datetime(2026, 11, 20, 10, 30)
PHONE = "13812345678"
MM = 72 / 25.4  # points per millimetre


def _read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _squash(text: str) -> str:
    """The text without white space: spaced-out letters (a stamp's letter-spacing) read as one word."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def ctx(app, fees):
    """翠湖花园 billed for 2026-10 and 2026-11: 1-1-0101 owes 物业服务费 (210.33) and 停车费 (150.00) for each."""
    with app.test_request_context():
        set_cli_actor("test")
        manager = actor(app, roles.MANAGER)
        for period in ("2026-10", "2026-11"):
            services.commit_run(fees["community"], period, manager, today=TODAY)
        db.session.commit()
        h1 = fees["houses"][0]
        yield dict(fees, cashier=actor(app, roles.CASHIER), manager=manager, h1=h1,
                   lines=[line.id for line in services.unpaid_lines(h1)])
        db.session.rollback()
        set_cli_actor(None)


def _paid(ctx, lines=None, method="wechat", **kwargs):
    kwargs.setdefault("payer_name", "张三")
    p = services.pay(ctx["h1"], ctx["lines"][:2] if lines is None else lines, method, ctx["cashier"], now=NOW,
                     **kwargs)
    db.session.commit()
    return p


def _more_lines(ctx, periods=("2026-07", "2026-08", "2026-09")) -> list[int]:
    for period in periods:
        services.commit_run(ctx["community"], period, ctx["manager"], today=TODAY)
    db.session.commit()
    return [line.id for line in services.unpaid_lines(ctx["h1"])]


@pytest.mark.parametrize("form", ["a4", "pin"])
def test_a_receipt_shows_the_payment_in_both_forms(ctx, form):
    # 物业服务费 and 停车费 of 2026-10 (360.33) and 1,000.00 into the balance: 1,360.33
    p = _paid(ctx, prepay="1000", remark=f"业主电话 {PHONE} 代交")
    receipt = services.receipt(p)
    reader, text = _read(printing.receipt_pdf([p], form))
    assert len(reader.pages) == 1
    for expected in (p.receipt_no, "SK2026-000001", "张三", "翠湖花园", "1-1-0101",
                     "物业服务费 2026-10", "停车费 2026-10 B001", "2026-10", "210.33", "150.00",
                     gettext("Pre-payment into the balance"), "1,000.00", "¥1,360.33", "壹仟叁佰陆拾元叁角叁分",
                     receipt["total_upper"], p.method_label(), "微信支付", p.cashier_name, "2026-11-20 10:30",
                     "代交", "138****5678"):
        assert expected in text, expected
    assert PHONE not in text
    squashed = _squash(text)
    copy = _squash(gettext("Copy 2: for the payer"))
    assert (copy in squashed) == (form == "a4")  # the copy's name only on the A4 form
    for mark in ("补打", "作废", "红冲"):
        assert mark not in squashed, mark


def test_the_pin_form_is_241_by_93_mm_one_receipt_per_form(ctx):
    first = _paid(ctx)
    second = _paid(ctx, ctx["lines"][2:3], "cash")
    reader, text = _read(printing.receipt_pdf([first, second], "pin"))
    assert len(reader.pages) == 2
    for page in reader.pages:
        box = page.mediabox
        assert abs(float(box.width) - 241 * MM) <= 1 and abs(float(box.height) - 93 * MM) <= 1
        assert abs(float(box.width) - 683.15) <= 1 and abs(float(box.height) - 263.62) <= 1
    assert first.receipt_no in reader.pages[0].extract_text() and second.receipt_no in reader.pages[1].extract_text()
    # no page header or page counter of the A4 forms
    assert "第 1 页" not in text and "共 2 页" not in text


def test_two_receipts_share_an_a4_sheet_and_a_third_starts_the_next(ctx):
    payments = [_paid(ctx, [line], "cash") for line in ctx["lines"][:3]]
    reader, text = _read(printing.receipt_pdf(payments[:2], "a4"))
    assert len(reader.pages) == 1
    assert text.index(payments[0].receipt_no) < text.index(payments[1].receipt_no)
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 210 * MM) <= 1 and abs(float(box.height) - 297 * MM) <= 1
    reader, text = _read(printing.receipt_pdf(payments, "a4"))
    assert len(reader.pages) == 2 and payments[2].receipt_no in reader.pages[1].extract_text()
    assert "第 1 页" not in text  # cut in two and handed out: no page counter


def test_a_reprint_says_so(ctx):
    p = _paid(ctx)
    for form in ("a4", "pin"):
        _, first = _read(printing.receipt_pdf([p], form))
        _, again = _read(printing.receipt_pdf([p], form, reprint=True))
        assert "补打" not in first and "补打" in again and gettext("Reprint") in again


def test_a_voided_receipt_is_marked_void_with_the_reason(ctx):
    p = _paid(ctx)
    services.void_payment(p.id, ctx["cashier"], "收错了房号", now=NOW + timedelta(hours=1))
    db.session.commit()
    for form in ("a4", "pin"):
        _, text = _read(printing.receipt_pdf([p], form))
        assert "作废" in _squash(text) and p.receipt_no in text and "收错了房号" in text, form
        assert "¥360.33" in text  # what it was: the amount stays as printed the first time


def test_a_reversal_shows_the_original_receipt_and_negative_amounts(ctx):
    p = _paid(ctx, method="bank")
    entry = services.reverse_payment(p.id, ctx["manager"], "银行退回", now=NOW + timedelta(days=3))
    db.session.commit()
    assert entry.receipt_no == "SK2026-000002"
    for form in ("a4", "pin"):
        _, text = _read(printing.receipt_pdf([entry], form))
        squashed = _squash(text)
        assert "红冲" in squashed and f"红冲原收据{p.receipt_no}" in squashed, form
        for expected in (entry.receipt_no, "-210.33", "-150.00", "-¥360.33", "负叁佰陆拾元叁角叁分", "银行退回",
                         "银行转账", "张三"):
            assert expected in text, (form, expected)
        # the original, printed again, is marked reversed
        _, original = _read(printing.receipt_pdf([p], form))
        assert "已红冲" in _squash(original) and "¥360.33" in original


def test_the_pin_form_prints_every_item_in_two_columns_never_summed_out_of_sight(ctx):
    lines = _more_lines(ctx)  # 2026-07 … 2026-11: ten lines, 5 × (210.33 + 150.00) = 1,801.65
    assert len(lines) == 10
    p = _paid(ctx, lines, "cash")
    rows = services.receipt(p)["rows"]
    reader, pin = _read(printing.receipt_pdf([p], "pin"))
    assert len(reader.pages) == 1
    # every item is there, with its own period and amount: ten numbered lines
    assert pin.count("210.33") == 5 and pin.count("150.00") == 5
    for row in rows:
        assert row["period"] in pin, row
    assert "另有" not in pin and "等 " not in pin
    assert "¥1,801.65" in pin and "壹仟捌佰零壹元陆角伍分" in pin
    # the A4 form lists them all, still on half a sheet
    reader, a4 = _read(printing.receipt_pdf([p, p], "a4"))
    assert len(reader.pages) == 1
    assert a4.count("210.33") == 10


def test_a_receipt_longer_than_a_form_goes_on_over_the_next_form(ctx):
    lines = _more_lines(ctx, ("2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
                              "2026-12"))
    assert len(lines) == 20
    p = _paid(ctx, lines, "cash", prepay="100", expected_amount="3703.30")  # 10 × 360.33 + 预存 100.00
    rows = services.receipt(p)["rows"]
    assert len(rows) == 21
    reader, pin = _read(printing.receipt_pdf([p], "pin"))
    assert len(reader.pages) == 2
    first, second = (_squash(page.extract_text()) for page in reader.pages)
    assert "第1张共2张" in first and "续下张" in first and "¥3,703.30" not in first
    assert "第2张共2张" in second and "¥3,703.30" in second and "叁仟柒佰零叁元叁角" in second
    assert p.receipt_no in first and p.receipt_no in second
    # nothing hidden: ten of each fee and the 预存 line, the subtotals add up to the total
    assert pin.count("210.33") == 10 and pin.count("150.00") == 10 and "100.00" in pin


def test_a_long_receipt_gets_an_a4_sheet_of_its_own(ctx):
    lines = _more_lines(ctx, ("2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-12"))
    assert len(lines) == 16
    long = _paid(ctx, lines, "cash")
    short = services.pay(ctx["houses"][1], services.unpaid_lines(ctx["houses"][1])[:1], "cash", ctx["cashier"],
                         now=NOW)
    db.session.commit()
    reader, text = _read(printing.receipt_pdf([short, long], "a4"))
    assert len(reader.pages) == 2
    assert long.receipt_no in reader.pages[1].extract_text()
    for row in services.receipt(long)["rows"]:
        assert row["description"] in text
    reader, _ = _read(printing.receipt_pdf([long], "pin"))
    assert len(reader.pages) == 2  # 16 items: twelve in two columns, four on the second form


def test_a_pure_prepayment_shows_the_prepayment_row(ctx):
    p = _paid(ctx, [], "cash", prepay="500", expected_amount="500")
    assert p.lines == []
    for form in ("a4", "pin"):
        _, text = _read(printing.receipt_pdf([p], form))
        for expected in (p.receipt_no, gettext("Pre-payment into the balance"), "预存款", "500.00", "¥500.00",
                         "伍佰元整", "现金"):
            assert expected in text, (form, expected)


def test_a_paid_repair_keeps_its_order_number_while_phone_numbers_in_free_text_are_masked(ctx):
    line = charges.add_charge_line(ctx["h1"], "repair", 1, "有偿维修 BX20261120-000012", Decimal("106.86"), TODAY)
    p = _paid(ctx, [line.id], "cash", payer_name=f"王五 {PHONE}", remark=f"身份证 110105198503121234 电话 {PHONE}")
    for form in ("a4", "pin"):
        _, text = _read(printing.receipt_pdf([p], form))
        assert "有偿维修 BX20261120-000012" in text and "106.86" in text and "王五 138****5678" in text, form
        assert PHONE not in text and "110105198503121234" not in text and "1234" in text, form


def test_the_longest_texts_still_fit_one_form(ctx):
    from app.estate.models import Community

    db.session.get(Community, ctx["community"]).name = "翠湖花园" * 25  # 100 characters, the most a name has
    db.session.commit()
    lines = _more_lines(ctx)
    p = _paid(ctx, lines, "cash", payer_name="交" * 100, remark="备" * 200, prepay="9999999.99")
    services.void_payment(p.id, ctx["cashier"], "原" * 200, now=NOW + timedelta(hours=1))
    db.session.commit()
    reader, text = _read(printing.receipt_pdf([p], "pin", reprint=True))
    assert len(reader.pages) == 1 and p.receipt_no in text and "¥10,001,801.64" in text
    reader, text = _read(printing.receipt_pdf([p, p], "a4", reprint=True))
    assert text.count(p.receipt_no) == 2 and "备" * 200 in _squash(text)


def test_the_response_is_an_inline_pdf_named_after_the_receipts(ctx):
    p = _paid(ctx)
    resp = printing.receipt_response([p], "pin")
    assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
    assert quote(f"收据-{p.receipt_no}-") in resp.headers["Content-Disposition"]
    q = _paid(ctx, ctx["lines"][2:3], "cash")
    resp = printing.receipt_response([p, q], "a4", reprint=True)
    assert quote(f"收据-{p.receipt_no}-{q.receipt_no}-") in resp.headers["Content-Disposition"]
    with pytest.raises(ValueError):
        printing.receipt_pdf([p], "a5")


def test_the_batch_is_loaded_in_a_fixed_number_of_queries(ctx):
    ids = [_paid(ctx, [line], "cash").id for line in ctx["lines"]]
    statements = []
    listener = lambda *args, **kw: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.expunge_all()
        printing.receipt_pdf(printing.payments_for_print(ids[:1]))
        for_one = len(statements)
        db.session.expunge_all()
        statements.clear()
        loaded = printing.payments_for_print(ids + ids[:1])
        printing.receipt_pdf(loaded, "pin")
        for_four = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert [p.id for p in loaded] == ids
    assert for_four == for_one, statements
    with pytest.raises(printing.TooManyReceipts):
        printing.payments_for_print(range(1, printing.MAX_RECEIPTS_PER_PRINT + 2))
