"""维修基金 (special maintenance fund): the rules.

- Each house has an account (FundAccount) whose balance never goes below zero: every movement goes through
  _post(), one conditional UPDATE (… WHERE balance + amount >= 0), so two payouts racing cannot overdraw it,
  and the database's check refuses it from any other path.
- Deposits: the first deposit (首期, once per house) and top-ups (续筹), by 元/㎡ of the gross area or a fixed
  amount per house, for the community, a building or a unit; interest of the community split over the houses
  by their balances. Shares are split with billing.meters.apportion: to 分, summing exactly to the total.
- A use application: 申请 → 业主表决 (recorded; it passes by 民法典 §278: two thirds of the area and of the
  owners take part, more than half of the area and of the owners taking part agree) → 项目经理审批 → 拨付, the
  amount split over the houses that bear it by area; a payout is refused while any house's share exceeds its
  balance. Rejected or withdrawn before payout. One declared transition table; every step in the history.
- Nothing is edited or deleted (billing.ledger_guard's before_flush guard): the 项目经理 reverses a wrong entry.

Plain functions: no request, no Flask globals; the pages call these.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.billing.meters import apportion
from app.billing.models import (FUND_SCOPES, FUND_STATES, FundAccount, FundApplication, FundApplicationEvent,
                                FundEntry, FundResolution)
from app.core.money import to_money
from app.core.periods import parse_day
from app.core.rules import (Actor, RuleViolation, as_id, check_int, check_money, check_text,
                            raise_if)
from app.core.workflow import Machine, Step, take
from app.estate.models import Building, Community, House, Unit
from app.extensions import db
from app.security import roles

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("99999999.99")
MAX_RATE = Decimal("9999.99")
RECORDERS = frozenset({roles.CASHIER, roles.ARCHIVES, roles.MANAGER, roles.ADMIN})
MANAGERS = frozenset({roles.MANAGER, roles.ADMIN})
PAYERS = frozenset({roles.CASHIER, roles.MANAGER, roles.ADMIN})
LABELS = {
    "community": _l("Community"),
    "scope": _l("Houses that bear it"),
    "building": _l("Building"),
    "unit": _l("Unit"),
    "kind": _l("Kind"),
    "rate": _l("Yuan per m² of gross area"),
    "amount": _l("Amount (yuan)"),
    "on_date": _l("Date"),
    "voucher_no": _l("Contract or voucher no."),
    "note": _l("Note"),
    "project": _l("Project"),
    "description": _l("What is to be done"),
    "contractor": _l("Contractor"),
    "number": _l("Application no."),
    "state": _l("State"),
    "house": _l("House"),
    "balance": _l("Fund balance (yuan)"),
    "balance_after": _l("Balance after (yuan)"),
    "basis": _l("Basis"),
    "application": _l("Use application"),
    "by_name": _l("Recorded by"),
    "approved_by": _l("Approved by"),
    "at": _l("Recorded at"),
    "area_total": _l("Area of the houses (m²)"),
    "owners_total": _l("Owners"),
    "area_voting": _l("Area taking part (m²)"),
    "owners_voting": _l("Owners taking part"),
    "area_for": _l("Area in favour (m²)"),
    "owners_for": _l("Owners in favour"),
    "voted_on": _l("Vote date"),
    "applied_by": _l("Applied by"),
    "applied_at": _l("Applied at"),
    "approved_at": _l("Approved at"),
    "paid_by": _l("Paid out by"),
    "paid_on": _l("Paid out on"),
    "reverses": _l("Reverses entry"),
}


def _label(name: str) -> str:
    return str(LABELS[name])


def _require(actor: Actor, allowed: frozenset, message: str) -> None:
    if not actor.roles & allowed:
        raise RuleViolation({"": message})


# ---------------------------------------------------------------------------- the ledger


def balance_of(house_id: int) -> Decimal:
    account = db.session.get(FundAccount, house_id)
    return account.balance if account is not None else ZERO


def _account(house: House) -> None:
    """Make sure the house has an account row (a race to make it: the loser finds the winner's)."""
    if db.session.get(FundAccount, house.id) is not None:
        return
    try:
        with db.session.begin_nested():
            db.session.add(FundAccount(house_id=house.id, community_id=house.community_id, balance=ZERO))
            db.session.flush()
    except IntegrityError:
        pass


def _post(house: House, kind: str, amount: Decimal, on_date: date, actor: Actor, *, basis: str | None = None,
          voucher_no: str | None = None, note: str | None = None, application_id: int | None = None,
          reverses_id: int | None = None, approved_by: str | None = None,
          resolution_id: int | None = None) -> FundEntry:
    """Add `amount` (negative: take) to the house's fund with its entry; refused when the balance would go
    below zero. The one place a balance changes."""
    amount = to_money(amount)
    _account(house)
    changed = db.session.execute(
        update(FundAccount).where(FundAccount.house_id == house.id, FundAccount.balance + amount >= 0)
        .values(balance=FundAccount.balance + amount).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise RuleViolation({"": gettext(
            "The fund of %(house)s holds %(balance)s: %(amount)s cannot be taken from it.", house=house.house_no,
            balance=f"{balance_of(house.id):,.2f}", amount=f"{-amount:,.2f}")})
    after = db.session.scalar(select(FundAccount.balance).where(FundAccount.house_id == house.id))
    account = db.session.get(FundAccount, house.id)
    if account is not None:
        db.session.refresh(account)
    entry = FundEntry(community_id=house.community_id, house_id=house.id, on_date=on_date, kind=kind, amount=amount,
                      balance_after=after, basis=basis, voucher_no=voucher_no, note=note,
                      application_id=application_id, reverses_id=reverses_id, resolution_id=resolution_id,
                      by_name=actor.name,
                      approved_by=approved_by, at=clock.now())
    db.session.add(entry)
    db.session.flush()
    return entry


def houses_in_scope(community_id: int, scope: str, building_id=None, unit_id=None) -> list[House]:
    stmt = select(House).where(House.community_id == community_id)
    if scope == "building":
        stmt = stmt.where(House.building_id == building_id)
    elif scope == "unit":
        stmt = stmt.where(House.unit_id == unit_id)
    return list(db.session.scalars(stmt.order_by(House.house_no)))


def _check_scope(errors: dict, values: dict) -> tuple[int | None, str, int | None, int | None]:
    """(community, scope, building, unit) from a form; a building or unit of another community is refused."""
    cid = as_id(values.get("community"))
    community = db.session.get(Community, cid) if cid and cid > 0 else None
    if community is None:
        errors["community"] = gettext("Please choose the community.")
    scope = values.get("scope") or "community"
    if scope not in FUND_SCOPES:
        errors["scope"] = gettext("Please choose which houses bear it.")
        return cid, scope, None, None
    building_id = unit_id = None
    if scope == "building":
        building_id = as_id(values.get("building"))
        building = db.session.get(Building, building_id) if building_id and building_id > 0 else None
        if building is None or (community is not None and building.community_id != community.id):
            errors["building"] = gettext("Please choose a building of this community.")
    elif scope == "unit":
        unit_id = as_id(values.get("unit"))
        unit = db.session.get(Unit, unit_id) if unit_id and unit_id > 0 else None
        if unit is None or (community is not None and unit.building.community_id != community.id):
            errors["unit"] = gettext("Please choose a unit of this community.")
        else:
            building_id = unit.building_id
    return cid, scope, building_id, unit_id


def _day(errors: dict, raw, field: str = "on_date", today: date | None = None) -> date:
    today = today or clock.today()
    if isinstance(raw, date):
        day = raw
    else:
        day, problem = parse_day(raw, today)
        if problem:
            errors[field] = gettext("Please enter a date like 2026-11-20.")
            return today
    if day > today:
        errors[field] = gettext("The date cannot be in the future.")
    return day


@dataclass
class Posting:
    """A batch of deposits or top-ups checked and planned: each house with its amount and basis."""

    kind: str
    on_date: date
    voucher_no: str | None
    note: str | None
    rows: list  # [(house, amount, basis)]
    skipped: list  # [(house, why)]
    vote: dict | None = None  # a 续筹's vote (check_vote's figures), recorded as a FundResolution
    where: tuple = ()  # (community, scope, building, unit)

    @property
    def total(self) -> Decimal:
        return sum((amount for _house, amount, _basis in self.rows), ZERO)


def plan_deposits(values: dict, today: date | None = None) -> Posting:
    """A first deposit (once per house) or a top-up for the houses of a scope, at 元/㎡ of the gross area or a
    fixed amount each. Houses with no area are left out of a per-㎡ posting, houses that have made their first
    deposit out of another first deposit; both listed with the reason."""
    errors: dict = {}
    cid, scope, building_id, unit_id = _check_scope(errors, values)
    kind = values.get("kind")
    if kind not in ("deposit", "top_up"):
        errors["kind"] = gettext("Please choose a first deposit or a top-up.")
    method = values.get("method")
    rate = amount = None
    if method == "rate":
        rate = check_money(errors, values.get("rate"), "rate", _label("rate"), Decimal("0.01"), MAX_RATE, True)
    elif method == "amount":
        amount = check_money(errors, values.get("amount"), "amount", _label("amount"), Decimal("0.01"), MAX_AMOUNT,
                             True)
    else:
        errors["method"] = gettext("Please choose by area or a fixed amount.")
    on = _day(errors, values.get("on_date"), today=today)
    check_text(errors, values, "voucher_no", _label("voucher_no"), 40, required=False)
    check_text(errors, values, "note", _label("note"), 200, required=False)
    raise_if(errors)
    houses = houses_in_scope(cid, scope, building_id, unit_id)
    deposited = set()
    if kind == "deposit" and houses:
        reversed_ids = select(FundEntry.reverses_id).where(FundEntry.reverses_id.is_not(None))
        deposited = set(db.session.scalars(select(FundEntry.house_id).where(
            FundEntry.house_id.in_([h.id for h in houses]), FundEntry.kind == "deposit",
            FundEntry.id.not_in(reversed_ids))))
    rows, skipped = [], []
    for house in houses:
        if house.id in deposited:
            skipped.append((house, gettext("the first deposit has been made")))
        elif rate is not None:
            if not house.building_area:
                skipped.append((house, gettext("no gross area on file")))
                continue
            rows.append((house, to_money(house.building_area * rate), f"{house.building_area}㎡ × {rate}"))
        else:
            rows.append((house, amount, gettext("fixed amount per house")))
    if not rows:
        if not skipped:
            raise RuleViolation({"scope": gettext("There is no house in this choice.")})
        reasons: dict = {}
        for _house, why in skipped:
            reasons[why] = reasons.get(why, 0) + 1
        said = [gettext("%(n)d houses: %(why)s", n=n, why=why) for why, n in reasons.items()]
        raise RuleViolation({"scope": gettext("No house of this choice gets a posting: %(reasons)s.",
                                              reasons="；".join(said))})
    vote = None
    if kind == "top_up":  # 续筹 needs the owners' vote at three quarters (民法典 §278 第一款第六项)
        vote = check_vote(values, sum((h.building_area or ZERO for h in houses), ZERO), len(houses), today,
                          VOTE_RAISE)
        if vote["voted_on"] > on:
            raise RuleViolation({"voted_on": gettext("The vote must come before the top-up it decides.")})
    text = (values.get("voucher_no") or "").strip() or None
    return Posting(kind, on, text, (values.get("note") or "").strip() or None, rows, skipped, vote,
                   (cid, scope, building_id, unit_id))


def post_deposits(values: dict, actor: Actor, today: date | None = None) -> Posting:
    """Post the deposits or top-ups as plan_deposits shows them; a top-up's vote is recorded first (numbered
    XC2026-001) and each of its entries names it."""
    _require(actor, RECORDERS, gettext("Your role may not record fund deposits."))
    plan = plan_deposits(values, today)
    resolution_id = record_resolution(plan, actor).id if plan.vote else None
    for house, amount, basis in plan.rows:
        _post(house, plan.kind, amount, plan.on_date, actor, basis=basis, voucher_no=plan.voucher_no, note=plan.note,
              resolution_id=resolution_id)
    return plan


def record_resolution(plan: Posting, actor: Actor) -> FundResolution:
    cid, scope, building_id, unit_id = plan.where
    prefix = f"XC{plan.vote['voted_on'].year}-"
    last = db.session.scalar(select(func.max(FundResolution.number)).where(
        FundResolution.community_id == cid, FundResolution.number.like(prefix + "%")))
    resolution = FundResolution(community_id=cid, number=f"{prefix}{int(last[len(prefix):]) + 1 if last else 1:03d}",
                                scope=scope, building_id=building_id, unit_id=unit_id, recorded_by=actor.name,
                                recorded_at=clock.now(), **plan.vote)
    db.session.add(resolution)
    db.session.flush()
    return resolution


def plan_interest(values: dict, today: date | None = None) -> Posting:
    """The interest the bank credited to a community's fund, split over its houses by their balances (largest
    remainder: the shares add up to the 分): what posting it would write, for the preview."""
    errors: dict = {}
    cid = as_id(values.get("community"))
    if not cid or cid < 0 or db.session.get(Community, cid) is None:
        errors["community"] = gettext("Please choose the community.")
    total = check_money(errors, values.get("amount"), "amount", _label("amount"), Decimal("0.01"), MAX_AMOUNT, True)
    on = _day(errors, values.get("on_date"), today=today)
    check_text(errors, values, "voucher_no", _label("voucher_no"), 40, required=False)
    raise_if(errors)
    balances = db.session.execute(select(FundAccount.house_id, FundAccount.balance).where(
        FundAccount.community_id == cid, FundAccount.balance > 0).order_by(FundAccount.house_id)).all()
    if not balances:
        raise RuleViolation({"amount": gettext("No house of this community has money in the fund yet.")})
    shares = apportion(total, [(house_id, balance) for house_id, balance in balances])
    whole = sum((balance for _h, balance in balances), ZERO)
    houses = {h.id: h for h in db.session.scalars(select(House).where(House.id.in_(list(shares))))}
    rows = [(houses[house_id], shares[house_id], f"{total:,.2f} × {balance:,.2f}/{whole:,.2f}")
            for house_id, balance in balances if shares[house_id] > 0]
    return Posting("interest", on, (values.get("voucher_no") or "").strip() or None, None, rows, [])


def post_interest(values: dict, actor: Actor, today: date | None = None) -> list[FundEntry]:
    """Post the interest as its preview showed it."""
    _require(actor, RECORDERS, gettext("Your role may not record fund deposits."))
    plan = plan_interest(values, today)
    return [_post(house, "interest", amount, plan.on_date, actor, basis=basis, voucher_no=plan.voucher_no)
            for house, amount, basis in plan.rows]


def reversal_problem(entry: FundEntry, actor: Actor) -> str | None:
    if not actor.roles & MANAGERS:
        return gettext("Only the project manager reverses a fund entry.")
    if entry.kind in ("reversal", "use"):
        return gettext("A payout or a reversal is not reversed here.")
    if db.session.scalar(select(FundEntry.id).where(FundEntry.reverses_id == entry.id)) is not None:
        return gettext("This entry has already been reversed.")
    return None


def reverse_entry(entry_id, actor: Actor, reason: str, today: date | None = None) -> FundEntry:
    """红冲 a deposit, a top-up or interest: the opposite amount, naming it and the reason; refused when the money
    has been used (the balance would go below zero)."""
    entry = db.session.get(FundEntry, as_id(entry_id) or 0)
    if entry is None:
        raise RuleViolation({"": gettext("There is no such fund entry.")})
    errors: dict = {}
    check_text(errors, {"reason": reason}, "reason", gettext("Reason"), 200)
    raise_if(errors)
    problem = reversal_problem(entry, actor)
    if problem:
        raise RuleViolation({"": problem})
    try:
        with db.session.begin_nested():
            return _post(entry.house, "reversal", -entry.amount, today or clock.today(), actor, basis=entry.basis,
                         voucher_no=entry.voucher_no, reverses_id=entry.id, approved_by=actor.name,
                         note=gettext("Reversal of entry %(id)d: %(reason)s", id=entry.id, reason=reason.strip()))
    except IntegrityError:
        raise RuleViolation({"": gettext("This entry has already been reversed.")}) from None


# ---------------------------------------------------------------------------- use applications

ACTION_LABELS = {
    "vote": _l("Record the owners' vote"),
    "approve": _l("Approve the use"),
    "pay": _l("Pay out"),
    "reject": _l("Reject"),
    "withdraw": _l("Withdraw"),
}
FUND_MACHINE = Machine("fund_application", FUND_STATES, [
    Step("applied", "vote", "voted", RECORDERS),
    Step("voted", "approve", "approved", MANAGERS),
    Step("approved", "pay", "paid", PAYERS),
    Step("applied", "reject", "rejected", MANAGERS, note=True),
    Step("voted", "reject", "rejected", MANAGERS, note=True),
    Step("applied", "withdraw", "withdrawn", RECORDERS, note=True),
], ACTION_LABELS)
# Separation of duties: no one pays out an application he applied for, whose vote he recorded or that he
# approved, and no one approves his own application. Compared by the name the history keeps (two people of one
# name are kept apart too: the safe side).
SEPARATE = {"approve": ("apply",), "pay": ("apply", "vote", "approve")}
SEPARATE_MESSAGES = {
    "apply": _l("you applied for it"),
    "vote": _l("you recorded its vote"),
    "approve": _l("you approved it"),
}


def actions(application: FundApplication, actor: Actor) -> list[str]:
    return FUND_MACHINE.actions(application.state, actor,
                                lambda action: separation_problem(application, action, actor) is None)


def held_back(application: FundApplication, actor: Actor) -> list[str]:
    """The steps the actor's role could take now but separation of duties leaves to someone else, said why."""
    return [problem for action in FUND_MACHINE.actions(application.state, actor)
            for problem in [separation_problem(application, action, actor)] if problem]


def check_application(values: dict, pk=None) -> dict:
    errors: dict = {}
    _check_scope(errors, values)
    check_text(errors, values, "project", _label("project"), 100)
    check_text(errors, values, "description", _label("description"), 1000, required=False)
    check_text(errors, values, "contractor", _label("contractor"), 100, required=False)
    check_money(errors, values.get("amount"), "amount", _label("amount"), Decimal("0.01"), MAX_AMOUNT, True)
    return errors


def _event(application: FundApplication, actor: Actor, action: str, from_state, to_state,
           note=None) -> FundApplicationEvent:
    """One row of the application's history (the caller adds it: workflow.take does)."""
    return FundApplicationEvent(application_id=application.id, at=clock.now(), user_name=actor.name, action=action,
                                from_state=from_state, to_state=to_state, note=note)


def next_number(community_id: int, year: int) -> str:
    prefix = f"WX{year}-"
    last = db.session.scalar(select(func.max(FundApplication.number)).where(
        FundApplication.community_id == community_id, FundApplication.number.like(prefix + "%")))
    return f"{prefix}{int(last[len(prefix):]) + 1 if last else 1:03d}"


def prepare_application(application: FundApplication, actor: Actor) -> None:
    """A new application (from the page or apply()): numbered WX2026-001 per community and year, applied now
    by the actor; only the building or unit its scope names is kept (a unit brings its building)."""
    _require(actor, RECORDERS, gettext("Your role may not apply for the fund."))
    if application.scope != "unit":
        application.unit_id, application.unit = None, None
    if application.scope == "community":
        application.building_id, application.building = None, None
    if application.scope == "unit":
        unit = application.unit or db.session.get(Unit, application.unit_id)
        application.building_id, application.building = unit.building_id, unit.building
    community_id = application.community_id or application.community.id
    application.number = next_number(community_id, clock.today().year)
    application.state = "applied"
    application.applied_by, application.applied_at = actor.name, clock.now()
    for name in ("project", "description", "contractor"):
        value = getattr(application, name)
        setattr(application, name, value.strip() if isinstance(value, str) and value.strip() else
                ("" if name == "project" else None))


def applied(application: FundApplication, actor: Actor) -> None:
    """The first step in the history of a new application."""
    db.session.add(_event(application, actor, "apply", None, "applied"))
    db.session.flush()


def apply(values: dict, actor: Actor) -> FundApplication:
    """A new use application, checked, numbered and in the history (flushed, not committed)."""
    raise_if(check_application(values))
    errors: dict = {}
    cid, scope, building_id, unit_id = _check_scope(errors, values)
    application = FundApplication(community_id=cid, project=values["project"], description=values.get("description"),
                                  contractor=values.get("contractor"),
                                  amount=Decimal(str(values["amount"]).replace(",", "")), scope=scope,
                                  building_id=building_id, unit_id=unit_id)
    prepare_application(application, actor)
    db.session.add(application)
    db.session.flush()
    applied(application, actor)
    return application


def shares(application: FundApplication) -> list[dict]:
    """Each house's share of the application's amount by gross area, its balance, and how much it is short."""
    houses = houses_in_scope(application.community_id, application.scope, application.building_id,
                             application.unit_id)
    weighted = [(h.id, h.building_area or ZERO) for h in houses]
    if not houses or sum((w for _i, w in weighted), ZERO) == 0:
        return []
    split = apportion(application.amount, weighted)
    balances = dict(db.session.execute(select(FundAccount.house_id, FundAccount.balance).where(
        FundAccount.house_id.in_([h.id for h in houses]))).all())
    rows = []
    for house in houses:
        balance = balances.get(house.id, ZERO)
        share = split[house.id]
        rows.append({"house": house, "area": house.building_area, "share": share, "balance": balance,
                     "short": max(ZERO, share - balance)})
    return rows


def scope_totals(application: FundApplication) -> tuple[Decimal, int]:
    """(gross area, households) of the houses that bear the application: the vote's base."""
    houses = houses_in_scope(application.community_id, application.scope, application.building_id,
                             application.unit_id)
    return sum((h.building_area or ZERO for h in houses), ZERO), len(houses)


# 民法典 §278: every matter the owners decide together needs two thirds of the area and of the owners to take
# part (以上 includes the figure itself, §1259). Using the fund (第一款第五项) then needs more than half (过半数) of
# the area and of the owners taking part; raising it (第六项), like 改建重建 and 改变共有部分用途 (第七、八项),
# three quarters (四分之三以上).
VOTE_USE, VOTE_RAISE = "use", "raise"


def vote_problem(area_total, owners_total, area_voting, owners_voting, area_for, owners_for,
                 matter: str = VOTE_USE) -> str | None:
    """Why a vote does not pass (民法典 §278), or None. Compared exactly, in whole fractions, without rounding."""
    if area_voting * 3 < area_total * 2 or owners_voting * 3 < owners_total * 2:
        return gettext("Fewer than two thirds of the area or of the owners took part in the vote.")
    if matter == VOTE_RAISE:
        if area_for * 4 < area_voting * 3 or owners_for * 4 < owners_voting * 3:
            return gettext("Fewer than three quarters of the area or of the owners taking part agreed.")
        return None
    if area_for * 2 <= area_voting or owners_for * 2 <= owners_voting:
        return gettext("Not more than half of the area or of the owners taking part agreed.")
    return None


def _get(application_id) -> FundApplication:
    application = db.session.get(FundApplication, as_id(application_id) or 0)
    if application is None:
        raise RuleViolation({"": gettext("There is no such use application.")})
    return application


def transition(application_id, action: str, actor: Actor, *, note: str | None = None, values: dict | None = None,
               expected_version: int | None = None, today: date | None = None,
               uploads: dict | None = None) -> FundApplication:
    """Take one step of a use application on FUND_MACHINE; the history keeps it. A payout needs its papers:
    values payout_voucher_no and invoice_no, uploads {voucher_file, invoice_file: fund_papers.Upload}; their
    files are written (fund_papers.store) and their stored names are in application.papers."""
    application = _get(application_id)

    def work(_step) -> None:
        _check_separation(application, action, actor)
        if action == "vote":
            _record_vote(application, values or {}, today)
        elif action == "pay":
            from app.billing import fund_papers

            papers = fund_papers.check_papers(values or {}, uploads or {})
            _pay_out(application, actor, today or clock.today())
            fund_papers.store(application, papers, actor)
        elif action == "approve":
            short = [row for row in shares(application) if row["short"] > 0]
            if short:
                raise RuleViolation({"": _short_message(short)})
            application.approved_by, application.approved_at = actor.name, clock.now()

    take(FUND_MACHINE, application, action, actor, note=note, expected_version=expected_version, handler=work,
         history=lambda from_state, to_state, step, text: _event(application, actor, step, from_state, to_state,
                                                                   text))
    return application


def separation_problem(application: FundApplication, action: str, actor: Actor) -> str | None:
    """Why this actor may not take this step of this application (separation of duties), or None."""
    done = {event.action for event in application.events if event.user_name == actor.name}
    clash = [step for step in SEPARATE.get(action, ()) if step in done]
    if not clash:
        return None
    return gettext("%(step)s must be done by someone else: %(why)s.", step=ACTION_LABELS[action],
                   why="、".join(str(SEPARATE_MESSAGES[step]) for step in clash))


def _check_separation(application: FundApplication, action: str, actor: Actor) -> None:
    problem = separation_problem(application, action, actor)
    if problem:
        raise RuleViolation({"": problem})


def check_vote(values: dict, area_total: Decimal, owners_total: int, today: date | None,
               matter: str = VOTE_USE) -> dict:
    """The figures of an owners' vote typed on a form, checked and passed by 民法典 §278 for the matter (a use
    or a 续筹): {area_total, owners_total, area_voting, owners_voting, area_for, owners_for, voted_on}.
    RuleViolation says what is wrong, or why the vote does not pass."""
    errors: dict = {}
    area_voting = check_money(errors, values.get("area_voting"), "area_voting", _label("area_voting"), ZERO,
                              area_total, True)
    area_for = check_money(errors, values.get("area_for"), "area_for", _label("area_for"), ZERO,
                           area_voting if area_voting is not None else area_total, True)
    counts = {name: _whole(values.get(name)) for name in ("owners_voting", "owners_for")}
    check_int(errors, counts, "owners_voting", _label("owners_voting"), 0, owners_total)
    check_int(errors, counts, "owners_for", _label("owners_for"), 0, owners_total)
    voted_on = _day(errors, values.get("voted_on"), "voted_on", today)
    raise_if(errors)
    owners_voting, owners_for = counts["owners_voting"], counts["owners_for"]
    if owners_for > owners_voting:
        raise RuleViolation({"owners_for": gettext("More owners in favour than owners taking part.")})
    problem = vote_problem(area_total, owners_total, area_voting, owners_voting, area_for, owners_for, matter)
    if problem:
        if matter == VOTE_RAISE:
            raise RuleViolation({"": gettext("The vote does not pass: %(why)s Nothing was posted.", why=problem)})
        raise RuleViolation({"": gettext("The vote does not pass: %(why)s The application can be rejected.",
                                         why=problem)})
    return {"area_total": area_total, "owners_total": owners_total, "area_voting": area_voting,
            "owners_voting": owners_voting, "area_for": area_for, "owners_for": owners_for, "voted_on": voted_on}


def _record_vote(application: FundApplication, values: dict, today: date | None) -> None:
    area_total, owners_total = scope_totals(application)
    for name, value in check_vote(values, area_total, owners_total, today).items():
        setattr(application, name, value)


def _whole(value):
    """A count typed on a form: "12" → 12; anything else is left for check_int to refuse."""
    text = value.strip() if isinstance(value, str) else value
    return int(text) if isinstance(text, str) and text.isascii() and text.isdigit() and len(text) < 10 else text


def _short_message(short: list[dict]) -> str:
    shown = "；".join(gettext("%(house)s holds %(balance)s, its share is %(share)s", house=row["house"].house_no,
                              balance=f"{row['balance']:,.2f}", share=f"{row['share']:,.2f}") for row in short[:5])
    return gettext("The fund of %(n)d houses is too small for their share: %(houses)s.", n=len(short), houses=shown)


def _pay_out(application: FundApplication, actor: Actor, on: date) -> None:
    """Take each house's share from its fund (all or nothing: one short house refuses the payout)."""
    rows = shares(application)
    if not rows:
        raise RuleViolation({"": gettext("No house bears this application.")})
    short = [row for row in rows if row["short"] > 0]
    if short:
        raise RuleViolation({"": _short_message(short)})
    total_area = sum((row["area"] for row in rows), ZERO)
    for row in rows:
        _post(row["house"], "use", -row["share"], on, actor, application_id=application.id,
              approved_by=application.approved_by,
              basis=gettext("%(project)s %(amount)s × %(area)s/%(total)s㎡", project=application.number,
                            amount=f"{application.amount:,.2f}", area=row["area"], total=f"{total_area:,.2f}"))
    application.paid_by, application.paid_on = actor.name, on


# ---------------------------------------------------------------------------- statements


def building_statement(community_id, building_id=None) -> dict:
    """Per house of a building (or the community): deposits and top-ups, interest, uses, reversals, balance."""
    cid = as_id(community_id)
    community = db.session.get(Community, cid) if cid and cid > 0 else None
    if community is None:
        raise RuleViolation({"community": gettext("Please choose the community.")})
    building = None
    if building_id:
        building = db.session.get(Building, as_id(building_id) or 0)
        if building is None or building.community_id != community.id:
            raise RuleViolation({"building": gettext("Please choose a building of this community.")})
    houses = houses_in_scope(community.id, "building" if building else "community",
                             building.id if building else None)
    sums: dict = {}
    stmt = select(FundEntry.house_id, FundEntry.kind, func.sum(FundEntry.amount)).where(
        FundEntry.community_id == community.id).group_by(FundEntry.house_id, FundEntry.kind)
    if building is not None:
        stmt = stmt.where(FundEntry.house_id.in_(select(House.id).where(House.building_id == building.id)))
    for house_id, kind, total in db.session.execute(stmt):
        sums.setdefault(house_id, {})[kind] = to_money(Decimal(str(total)))
    balances = dict(db.session.execute(select(FundAccount.house_id, FundAccount.balance).where(
        FundAccount.community_id == community.id)).all())
    rows = []
    for house in houses:
        s = sums.get(house.id, {})
        rows.append({"house": house, "deposits": s.get("deposit", ZERO) + s.get("top_up", ZERO),
                     "interest": s.get("interest", ZERO), "uses": -s.get("use", ZERO),
                     "reversals": s.get("reversal", ZERO), "balance": balances.get(house.id, ZERO)})
    totals = {key: sum((row[key] for row in rows), ZERO) for key in ("deposits", "interest", "uses", "reversals",
                                                                      "balance")}
    return {"community": community, "building": building, "rows": rows, "totals": totals}


def house_entries(house_id: int) -> list[FundEntry]:
    return list(db.session.scalars(select(FundEntry).where(FundEntry.house_id == house_id)
                                   .order_by(FundEntry.on_date, FundEntry.id)))
