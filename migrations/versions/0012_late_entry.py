"""late entry: calls taken on paper entered afterwards with their original times (calls, incidents and
assignments entered_late_at, calls and incidents entered_late_by_id), and the time an event records
when it happened before it was recorded (events.occurred_at)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 21:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('calls', 'incidents'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('entered_late_at', sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('entered_late_by_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_entered_late_by_id_users'), 'users',
                                        ['entered_late_by_id'], ['id'])
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('entered_late_at', sa.DateTime(timezone=True), nullable=True))
    # A plain column: SQLite adds it in place, so the table and its append-only triggers stay.
    op.add_column('events', sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # In place on SQLite too (3.35+): a batch copy would lose the append-only triggers.
    op.execute('ALTER TABLE events DROP COLUMN occurred_at')
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('entered_late_at')
    for table in ('incidents', 'calls'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_entered_late_by_id_users'), type_='foreignkey')
            batch_op.drop_column('entered_late_by_id')
            batch_op.drop_column('entered_late_at')
