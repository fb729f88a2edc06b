"""billing: meters (house and common), their monthly readings, meter and 公摊 fee items, a bill line's basis

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 18:40:31.327578

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('billing_meter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('number', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=True),
    sa.Column('house_id', sa.Integer(), nullable=True),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('start_reading', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('remark', sa.String(length=200), nullable=True),
    sa.CheckConstraint("scope <> 'house' OR house_id IS NOT NULL", name='ck_billing_meter_house'),
    sa.ForeignKeyConstraint(['building_id'], ['estate_building.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['estate_community.id'], ),
    sa.ForeignKeyConstraint(['house_id'], ['estate_house.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'number', name='uq_billing_meter_number')
    )
    with op.batch_alter_table('billing_meter', schema=None) as batch_op:
        batch_op.create_index('ix_billing_meter_house', ['house_id'], unique=False)

    op.create_table('billing_meter_house',
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['house_id'], ['estate_house.id'], ),
    sa.ForeignKeyConstraint(['meter_id'], ['billing_meter.id'], ),
    sa.PrimaryKeyConstraint('meter_id', 'house_id')
    )
    op.create_table('billing_meter_reading',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('previous', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('current', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('replaced', sa.Boolean(), nullable=False),
    sa.Column('old_final', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('new_start', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('usage', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('average', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('read_by', sa.String(length=100), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.Column('confirmed_by', sa.String(length=100), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('usage >= 0', name='ck_billing_meter_reading_usage'),
    sa.ForeignKeyConstraint(['meter_id'], ['billing_meter.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('meter_id', 'period', name='uq_billing_meter_reading_period')
    )
    with op.batch_alter_table('billing_meter_reading', schema=None) as batch_op:
        batch_op.create_index('ix_billing_meter_reading_state', ['state'], unique=False)

    with op.batch_alter_table('billing_fee_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('meter_kind', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('tiers', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('common_meter_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('share_basis', sa.String(length=12), nullable=True))
        batch_op.create_foreign_key('fk_billing_fee_item_common_meter', 'billing_meter', ['common_meter_id'], ['id'])

    with op.batch_alter_table('billing_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.String(length=200), nullable=True))



def downgrade():
    with op.batch_alter_table('billing_line', schema=None) as batch_op:
        batch_op.drop_column('basis')

    with op.batch_alter_table('billing_fee_item', schema=None) as batch_op:
        batch_op.drop_constraint('fk_billing_fee_item_common_meter', type_='foreignkey')
        batch_op.drop_column('share_basis')
        batch_op.drop_column('common_meter_id')
        batch_op.drop_column('tiers')
        batch_op.drop_column('meter_kind')

    with op.batch_alter_table('billing_meter_reading', schema=None) as batch_op:
        batch_op.drop_index('ix_billing_meter_reading_state')

    op.drop_table('billing_meter_reading')
    op.drop_table('billing_meter_house')
    with op.batch_alter_table('billing_meter', schema=None) as batch_op:
        batch_op.drop_index('ix_billing_meter_house')

    op.drop_table('billing_meter')
