"""surveys: questionnaires, campaigns, responses and answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 18:38:47.506705

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('community_survey_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('intro', sa.String(length=500), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('copied_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_name', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['copied_from_id'], ['community_survey_template.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('community_survey_campaign',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('half', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_name', sa.String(length=100), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('closed_by_name', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['estate_community.id'], ),
    sa.ForeignKeyConstraint(['template_id'], ['community_survey_template.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('community_id', 'year', 'half', name='uq_community_survey_campaign_half')
    )
    op.create_table('community_survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('department', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['community_survey_template.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('template_id', 'position', name='uq_community_survey_question_position')
    )
    with op.batch_alter_table('community_survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_survey_question_template_id'), ['template_id'], unique=False)

    op.create_table('community_survey_template_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_name', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_state', sa.String(length=20), nullable=True),
    sa.Column('to_state', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['template_id'], ['community_survey_template.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('community_survey_template_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_survey_template_event_template_id'), ['template_id'], unique=False)

    op.create_table('community_survey_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=50), nullable=False),
    sa.Column('satisfied', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['community_survey_question.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id', 'position', name='uq_community_survey_option_position')
    )
    with op.batch_alter_table('community_survey_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_survey_option_question_id'), ['question_id'], unique=False)

    op.create_table('community_survey_response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('remark', sa.String(length=500), nullable=True),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('entered_by_name', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['community_survey_campaign.id'], ),
    sa.ForeignKeyConstraint(['house_id'], ['estate_house.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'house_id', name='uq_community_survey_response_house')
    )
    with op.batch_alter_table('community_survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_survey_response_house_id'), ['house_id'], unique=False)

    op.create_table('community_survey_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['option_id'], ['community_survey_option.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['community_survey_question.id'], ),
    sa.ForeignKeyConstraint(['response_id'], ['community_survey_response.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('response_id', 'question_id', name='uq_community_survey_answer_question')
    )
    with op.batch_alter_table('community_survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_community_survey_answer_question_id'), ['question_id'], unique=False)



def downgrade():
    with op.batch_alter_table('community_survey_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_survey_answer_question_id'))

    op.drop_table('community_survey_answer')
    with op.batch_alter_table('community_survey_response', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_survey_response_house_id'))

    op.drop_table('community_survey_response')
    with op.batch_alter_table('community_survey_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_survey_option_question_id'))

    op.drop_table('community_survey_option')
    with op.batch_alter_table('community_survey_template_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_survey_template_event_template_id'))

    op.drop_table('community_survey_template_event')
    with op.batch_alter_table('community_survey_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_community_survey_question_template_id'))

    op.drop_table('community_survey_question')
    op.drop_table('community_survey_campaign')
    op.drop_table('community_survey_template')
