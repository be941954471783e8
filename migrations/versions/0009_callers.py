"""callers: numbers normalised (libphonenumber, dispatch/phones.py) with the number as typed beside
it, the caller's flags on each call, an index for a number's history, the 'dropped' disposition,
and the supervisors' soft blocks (caller_blocks)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 07:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from dispatch.phones import key


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
OLD = ('emergency', 'prank', 'silent', 'info', 'duplicate')
NEW = OLD + ('dropped',)


def _in(values):
    return "disposition IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caller_phone_as_given', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('caller_flags', JSON, nullable=True))
        batch_op.drop_constraint(op.f('ck_calls_call_disposition'), type_='check')
        batch_op.create_check_constraint(op.f('ck_calls_call_disposition'), _in(NEW))
        batch_op.create_index('ix_calls_caller_phone_received_at', ['caller_phone', 'received_at'], unique=False)
    # Every stored number normalised, the typed one kept beside it (one that cannot be a number
    # stays as it was: it was taken before numbers were checked).
    conn = op.get_bind()
    calls = sa.table('calls', sa.column('id', sa.Integer), sa.column('caller_phone', sa.String),
                     sa.column('caller_phone_as_given', sa.String), sa.column('caller_flags', JSON))
    rows = conn.execute(sa.select(calls.c.id, calls.c.caller_phone)).all()
    for row in rows:
        conn.execute(calls.update().where(calls.c.id == row.id).values(
            caller_phone=key(row.caller_phone) or row.caller_phone, caller_phone_as_given=row.caller_phone,
            caller_flags=[]))
    op.create_table(
        'caller_blocks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('until', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('lifted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lifted_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_caller_blocks_created_by_id_users')),
        sa.ForeignKeyConstraint(['lifted_by_id'], ['users.id'], name=op.f('fk_caller_blocks_lifted_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_caller_blocks')),
    )
    op.create_index('ix_caller_blocks_phone_until', 'caller_blocks', ['phone', 'until'], unique=False)


def downgrade():
    op.drop_index('ix_caller_blocks_phone_until', table_name='caller_blocks')
    op.drop_table('caller_blocks')
    conn = op.get_bind()
    calls = sa.table('calls', sa.column('caller_phone', sa.String), sa.column('caller_phone_as_given', sa.String),
                     sa.column('disposition', sa.String))
    conn.execute(calls.update().where(calls.c.caller_phone_as_given.isnot(None))
                 .values(caller_phone=sa.func.substr(calls.c.caller_phone_as_given, 1, 32)))
    # A dropped call was, before this revision, a silent one.
    conn.execute(calls.update().where(calls.c.disposition == 'dropped').values(disposition='silent'))
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_caller_phone_received_at')
        batch_op.drop_constraint(op.f('ck_calls_call_disposition'), type_='check')
        batch_op.create_check_constraint(op.f('ck_calls_call_disposition'), _in(OLD))
        batch_op.drop_column('caller_flags')
        batch_op.drop_column('caller_phone_as_given')
