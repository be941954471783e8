"""callbacks: dropped and silent calls are called back; each attempt is stored with its outcome
(callback_attempts), and a call leaves the queue once done (calls.callback_done_at, with a partial
index of the calls still waiting)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

WAITING = "disposition IN ('dropped', 'silent') AND callback_done_at IS NULL"


def upgrade():
    op.create_table(
        'callback_attempts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('outcome', sa.Enum('no_answer', 'reached_no_emergency', 'reached_emergency', 'wrong_number',
                                     name='callback_outcome', native_enum=False, create_constraint=True),
                  nullable=False),
        sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempted_by_id', sa.Integer(), nullable=True),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_callback_attempts_call_id_calls')),
        sa.ForeignKeyConstraint(['attempted_by_id'], ['users.id'],
                                name=op.f('fk_callback_attempts_attempted_by_id_users')),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                                name=op.f('fk_callback_attempts_incident_id_incidents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_attempts')),
    )
    op.create_index(op.f('ix_callback_attempts_call_id'), 'callback_attempts', ['call_id'], unique=False)
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('callback_done_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_calls_callback_waiting', 'calls', ['received_at'], unique=False,
                    postgresql_where=sa.text(WAITING), sqlite_where=sa.text(WAITING))


def downgrade():
    op.drop_index('ix_calls_callback_waiting', table_name='calls')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('callback_done_at')
    op.drop_index(op.f('ix_callback_attempts_call_id'), table_name='callback_attempts')
    op.drop_table('callback_attempts')
