"""billing: a reversing entry records the balance it gives back (negative balance_used on reversals only)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:35:00

"""
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('billing_payment', schema=None) as batch_op:
        batch_op.drop_constraint('ck_billing_payment_balance_used', type_='check')
        batch_op.create_check_constraint('ck_billing_payment_balance_used', "balance_used >= 0 OR kind = 'reversal'")


def downgrade():
    # the version before recorded 0 on reversing entries
    op.execute("UPDATE billing_payment SET balance_used = 0 WHERE balance_used < 0")
    with op.batch_alter_table('billing_payment', schema=None) as batch_op:
        batch_op.drop_constraint('ck_billing_payment_balance_used', type_='check')
        batch_op.create_check_constraint('ck_billing_payment_balance_used', 'balance_used >= 0')
