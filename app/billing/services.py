"""The rules of 费用收缴, under one name: fee items, 账期 runs, the counter, receipts, 作废 and 红冲, the pre-paid
balance, late fees, arrears and reminders, the ledger's checks and its guard.

The rules live in their own modules; this one re-exports their public names, so `from app.billing.services
import X` and `services.X` keep working. Code inside app.billing imports the module that holds a name.

- app.billing.common: the field labels, MAX_AMOUNT
- app.billing.fee_items: 收费项目 fee items
- app.billing.periods: 账期 periods
- app.billing.run_plan: what a run would create (RunPlan), shared with app.billing.meters
- app.billing.runs: plan, commit and cancel a run
- app.billing.late_fees: 滞纳金
- app.billing.balance: the pre-paid balance
- app.billing.counter: 收款, receipts, 作废 and 红冲
- app.billing.arrears: 欠费
- app.billing.reminders: 催缴 records
- app.billing.ledger_check: the invariants of the money
- app.billing.ledger_guard: money is never deleted (a before_flush guard, registered by importing it here)
"""
from __future__ import annotations

from app.billing import ledger_guard  # noqa: F401  (registers the before_flush guard)
from app.billing.arrears import AGE_BUCKETS, ARREARS_GROUPS, arrears, arrears_of, arrears_workbook, unpaid_lines
from app.billing.balance import balance_of, settle_from_balance
from app.billing.common import LABELS, MAX_AMOUNT
from app.billing.counter import (CASHIERS, REVERSERS, may_reverse, pay, receipt, record_print, reverse_payment,
                                 void_payment, void_problem)
from app.billing.fee_items import MAX_PRICE, check_fee_item, prepare_fee_item
from app.billing.late_fees import LATE_FEE_SOURCE, WAIVERS, late_fee, pending_late_fees
from app.billing.ledger_check import ledger_problems
from app.billing.periods import ONE_OFF_KEY, PERIOD_PATTERN, parse_period, period_text
from app.billing.reminders import check_reminder, due_promises_clause, prepare_reminder
from app.billing.run_plan import RunPlan, add_plan_row
from app.billing.runs import CHUNK, cancel_run, commit_run, plan_run

__all__ = [
    "AGE_BUCKETS", "ARREARS_GROUPS", "CASHIERS", "CHUNK", "LABELS", "LATE_FEE_SOURCE", "MAX_AMOUNT", "MAX_PRICE",
    "ONE_OFF_KEY", "PERIOD_PATTERN", "REVERSERS", "WAIVERS", "RunPlan", "add_plan_row", "arrears", "arrears_of",
    "arrears_workbook", "balance_of", "cancel_run", "check_fee_item", "check_reminder", "commit_run",
    "due_promises_clause", "late_fee", "ledger_problems", "may_reverse", "parse_period", "pay", "pending_late_fees",
    "period_text", "plan_run", "prepare_fee_item", "prepare_reminder", "receipt", "record_print", "reverse_payment",
    "settle_from_balance", "unpaid_lines", "void_payment", "void_problem",
]
