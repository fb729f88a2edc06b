"""billing: 公共收益 ledger (income from common parts and its expenses)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_public_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('on_date', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('counterparty', sa.String(length=100), nullable=True),
    sa.Column('voucher_no', sa.String(length=40), nullable=True),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('by_name', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reverses_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['estate_community.id'], ),
    sa.ForeignKeyConstraint(['reverses_id'], ['billing_public_entry.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('reverses_id', name='uq_billing_public_entry_reverses')
    )
    with op.batch_alter_table('billing_public_entry', schema=None) as batch_op:
        batch_op.create_index('ix_billing_public_entry_month', ['community_id', 'on_date'], unique=False)


def downgrade():
    with op.batch_alter_table('billing_public_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_billing_public_entry_month')
    op.drop_table('billing_public_entry')
