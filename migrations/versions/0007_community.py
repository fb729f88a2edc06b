"""community: 通知公告 (notices, their buildings, history and 催缴 lines) and 社区文化活动 with photos

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:22:25.428764

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=40), nullable=False),
    sa.Column('plan', sa.String(length=2000), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('place', sa.String(length=100), nullable=False),
    sa.Column('budget', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('organiser', sa.String(length=100), nullable=False),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['estate_community.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_activity', schema=None) as batch_op:
        batch_op.create_index('ix_community_activity_when', ['community_id', 'starts_at'], unique=False)

    op.create_table('community_activity_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['community_activity.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('stored_name')
    )
    with op.batch_alter_table('community_activity_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_activity_photo_activity_id'), ['activity_id'], unique=False)

    op.create_table('community_announcement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('notice_type', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=60), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('fields', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('copied_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.Column('published_by_name', sa.String(length=100), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdraw_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['community_activity.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['estate_community.id'], ),
    sa.ForeignKeyConstraint(['copied_from_id'], ['community_announcement.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_announcement', schema=None) as batch_op:
        batch_op.create_index('ix_community_announcement_state', ['community_id', 'state'], unique=False)

    op.create_table('community_announcement_building',
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['community_announcement.id'], ),
    sa.ForeignKeyConstraint(['building_id'], ['estate_building.id'], ),
    sa.PrimaryKeyConstraint('announcement_id', 'building_id')
    )
    op.create_table('community_announcement_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_name', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['announcement_id'], ['community_announcement.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_announcement_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_announcement_event_announcement_id'), ['announcement_id'], unique=False)

    op.create_table('community_announcement_arrears',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('announcement_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.Column('house_no', sa.String(length=60), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('oldest_due', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['announcement_id'], ['community_announcement.id'], ),
    sa.ForeignKeyConstraint(['house_id'], ['estate_house.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('announcement_id', 'house_id', name='uq_community_announcement_arrears')
    )
    with op.batch_alter_table('community_announcement_arrears', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_announcement_arrears_announcement_id'), ['announcement_id'], unique=False)



def downgrade():
    with op.batch_alter_table('community_announcement_arrears', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_announcement_arrears_announcement_id'))

    op.drop_table('community_announcement_arrears')
    with op.batch_alter_table('community_announcement_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_announcement_event_announcement_id'))

    op.drop_table('community_announcement_event')
    op.drop_table('community_announcement_building')
    with op.batch_alter_table('community_announcement', schema=None) as batch_op:
        batch_op.drop_index('ix_community_announcement_state')

    op.drop_table('community_announcement')
    with op.batch_alter_table('community_activity_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_activity_photo_activity_id'))

    op.drop_table('community_activity_photo')
    with op.batch_alter_table('community_activity', schema=None) as batch_op:
        batch_op.drop_index('ix_community_activity_when')

    op.drop_table('community_activity')
