"""duplicates: an incident can be merged into another one found to be the same event (status
'merged', merged_into_id, merged_at), and a call keeps the incident it opened (opened_incident_id)
so that unlinking it brings that incident back; an index of the incidents a number called about

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

OLD = ('pending', 'dispatched', 'on_scene', 'transporting', 'closed', 'cancelled')
NEW = OLD + ('merged',)


def _in(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('merged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(op.f('fk_incidents_merged_into_id_incidents'), 'incidents',
                                    ['merged_into_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_incidents_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.drop_constraint(op.f('ck_incidents_incident_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_incidents_incident_status'), _in(NEW))
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_incident_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_calls_opened_incident_id_incidents'), 'incidents',
                                    ['opened_incident_id'], ['id'])
    # The incidents a number called about (core/duplicates.py), read without its prank calls.
    op.create_index('ix_calls_caller_phone_incident_id', 'calls', ['caller_phone', 'incident_id'], unique=False,
                    postgresql_where=sa.text('incident_id IS NOT NULL'), sqlite_where=sa.text('incident_id IS NOT NULL'))
    # The emergency calls stored so far opened the incident they are about.
    calls = sa.table('calls', sa.column('incident_id', sa.Integer), sa.column('opened_incident_id', sa.Integer),
                     sa.column('disposition', sa.String))
    op.get_bind().execute(calls.update().where(calls.c.disposition == 'emergency')
                          .values(opened_incident_id=calls.c.incident_id))


def downgrade():
    # A merged incident was, before this revision, a cancelled one.
    incidents = sa.table('incidents', sa.column('status', sa.String), sa.column('cancel_reason', sa.String))
    op.get_bind().execute(incidents.update().where(incidents.c.status == 'merged')
                          .values(status='cancelled', cancel_reason='merged into another incident'))
    op.drop_index('ix_calls_caller_phone_incident_id', table_name='calls')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_calls_opened_incident_id_incidents'), type_='foreignkey')
        batch_op.drop_column('opened_incident_id')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_incidents_incident_status'), type_='check')
        batch_op.create_check_constraint(op.f('ck_incidents_incident_status'), _in(OLD))
        batch_op.drop_index(batch_op.f('ix_incidents_merged_into_id'))
        batch_op.drop_constraint(op.f('fk_incidents_merged_into_id_incidents'), type_='foreignkey')
        batch_op.drop_column('merged_at')
        batch_op.drop_column('merged_into_id')
