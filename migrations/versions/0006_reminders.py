"""billing: 催缴 reminders

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 14:57:20.236066

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('billing_reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('contact_person', sa.String(length=100), nullable=True),
    sa.Column('arrears', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('outcome', sa.String(length=500), nullable=False),
    sa.Column('promised_on', sa.Date(), nullable=True),
    sa.Column('promised_amount', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['estate_community.id'], ),
    sa.ForeignKeyConstraint(['house_id'], ['estate_house.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('billing_reminder', schema=None) as batch_op:
        batch_op.create_index('ix_billing_reminder_house', ['house_id', 'at'], unique=False)
        batch_op.create_index('ix_billing_reminder_promise', ['promised_on'], unique=False)




def downgrade():

    with op.batch_alter_table('billing_reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_billing_reminder_promise')
        batch_op.drop_index('ix_billing_reminder_house')

    op.drop_table('billing_reminder')

