"""timers, alerts and offers: the centre's settings (settings), the alerts the timers raise
(alerts), the offer of a unit that came free to a waiting incident (incidents.offer_unit_id,
offered_at, offer_eta_s; units.offer_version) and the rule that sent a unit by itself
(assignments.auto_rule)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 00:20:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

KINDS = ('incident_waiting', 'assignment_unaccepted', 'unit_not_moving', 'on_scene_long', 'at_hospital_long',
         'position_missing', 'callback_overdue', 'hospital_beds_stale')
JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    op.create_table(
        'settings',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('value', JSON, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_settings_updated_by_id_users')),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_settings')),
    )
    op.create_table(
        'alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum(*KINDS, name='alert_kind', native_enum=False, create_constraint=True, length=30),
                  nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('state', sa.Enum('open', 'acknowledged', 'resolved', name='alert_state', native_enum=False,
                                   create_constraint=True), nullable=False),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('incident_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('assignment_id', sa.Integer(), nullable=True),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('hospital_id', sa.Integer(), nullable=True),
        sa.Column('since', sa.DateTime(timezone=True), nullable=False),
        sa.Column('limit_s', sa.Integer(), nullable=False),
        sa.Column('raised_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_alerts_incident_id_incidents')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_alerts_unit_id_units')),
        sa.ForeignKeyConstraint(['assignment_id'], ['assignments.id'],
                                name=op.f('fk_alerts_assignment_id_assignments')),
        sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_alerts_call_id_calls')),
        sa.ForeignKeyConstraint(['hospital_id'], ['hospitals.id'], name=op.f('fk_alerts_hospital_id_hospitals')),
        sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'],
                                name=op.f('fk_alerts_acknowledged_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
        sa.UniqueConstraint('key', name=op.f('uq_alerts_key')),
    )
    op.create_index(op.f('ix_alerts_state'), 'alerts', ['state'], unique=False)
    op.create_index(op.f('ix_alerts_incident_id'), 'alerts', ['incident_id'], unique=False)
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('offer_eta_s', sa.Float(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_incidents_offer_unit_id_units'), 'units', ['offer_unit_id'], ['id'])
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offer_version', sa.Integer(), nullable=True))
    # The units free now came free before offers existed: nothing to offer for them.
    op.execute("UPDATE units SET offer_version = version")
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_rule', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('auto_rule')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_column('offer_version')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_incidents_offer_unit_id_units'), type_='foreignkey')
        batch_op.drop_column('offer_eta_s')
        batch_op.drop_column('offered_at')
        batch_op.drop_column('offer_unit_id')
    op.drop_index(op.f('ix_alerts_incident_id'), table_name='alerts')
    op.drop_index(op.f('ix_alerts_state'), table_name='alerts')
    op.drop_table('alerts')
    op.drop_table('settings')
