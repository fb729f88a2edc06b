"""billing: cash tendered and change, and the payment reference (交易单号/流水号) of electronic payments

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('billing_payment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tendered', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('change_given', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('reference', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_billing_payment_reference', ['reference'], unique=False)


def downgrade():
    with op.batch_alter_table('billing_payment', schema=None) as batch_op:
        batch_op.drop_index('ix_billing_payment_reference')
        batch_op.drop_column('reference')
        batch_op.drop_column('change_given')
        batch_op.drop_column('tendered')
