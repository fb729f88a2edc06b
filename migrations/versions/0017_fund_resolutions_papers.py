"""billing: 续筹 votes (the owners' resolution a top-up names) and a payout's papers (the bank voucher and the
contractor's invoice with their files)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'billing_fund_resolution',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('community_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('building_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('area_total', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('owners_total', sa.Integer(), nullable=False),
        sa.Column('area_voting', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('owners_voting', sa.Integer(), nullable=False),
        sa.Column('area_for', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('owners_for', sa.Integer(), nullable=False),
        sa.Column('voted_on', sa.Date(), nullable=False),
        sa.Column('recorded_by', sa.String(length=100), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['community_id'], ['estate_community.id']),
        sa.ForeignKeyConstraint(['building_id'], ['estate_building.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['estate_unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('community_id', 'number', name='uq_billing_fund_resolution_number'),
    )
    op.create_table(
        'billing_fund_paper',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('number', sa.String(length=40), nullable=False),
        sa.Column('stored_name', sa.String(length=64), nullable=False),
        sa.Column('original_name', sa.String(length=200), nullable=False),
        sa.Column('content_type', sa.String(length=50), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.String(length=100), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['billing_fund_application.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('application_id', 'kind', name='uq_billing_fund_paper_kind'),
    )
    with op.batch_alter_table('billing_fund_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolution_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_billing_fund_entry_resolution', 'billing_fund_resolution',
                                    ['resolution_id'], ['id'])


def downgrade():
    with op.batch_alter_table('billing_fund_entry', schema=None) as batch_op:
        batch_op.drop_constraint('fk_billing_fund_entry_resolution', type_='foreignkey')
        batch_op.drop_column('resolution_id')
    op.drop_table('billing_fund_paper')
    op.drop_table('billing_fund_resolution')
