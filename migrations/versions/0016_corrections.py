"""core: the record of corrections made to rows of history (ownerships, residents, cards, moves); estate: a
vehicle registration's end and a 过户's handover note

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pm_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('table_name', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('changes', sa.Text(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('pm_correction', schema=None) as batch_op:
        batch_op.create_index('ix_pm_correction_target', ['table_name', 'record_id'], unique=False)
    with op.batch_alter_table('estate_vehicle', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_on', sa.Date(), nullable=True))
    with op.batch_alter_table('estate_ownership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handover_note', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('estate_ownership', schema=None) as batch_op:
        batch_op.drop_column('handover_note')
    with op.batch_alter_table('estate_vehicle', schema=None) as batch_op:
        batch_op.drop_column('ended_on')
    with op.batch_alter_table('pm_correction', schema=None) as batch_op:
        batch_op.drop_index('ix_pm_correction_target')
    op.drop_table('pm_correction')
