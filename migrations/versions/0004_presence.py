"""presence: which crews' phones are connected (device sessions) and whose last fix is stale

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 18:03:45.858279

"""
from alembic import op
import sqlalchemy as sa
import dispatch.database


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('device_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sid', sa.String(length=64), nullable=False),
    sa.Column('server', sa.String(length=120), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('connected_at', dispatch.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seen_at', dispatch.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_device_sessions_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_device_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_sessions')),
    sa.UniqueConstraint('sid', name=op.f('uq_device_sessions_sid'))
    )
    with op.batch_alter_table('device_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_sessions_seen_at'), ['seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_sessions_server'), ['server'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_sessions_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_connected', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('device_changed_at', dispatch.database.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('position_stale', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('position_stale')
        batch_op.drop_column('device_changed_at')
        batch_op.drop_column('device_connected')

    with op.batch_alter_table('device_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_sessions_unit_id'))
        batch_op.drop_index(batch_op.f('ix_device_sessions_server'))
        batch_op.drop_index(batch_op.f('ix_device_sessions_seen_at'))

    op.drop_table('device_sessions')
