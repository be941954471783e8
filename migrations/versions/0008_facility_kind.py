"""hospitals: the kind of facility (hospital or puskesmas) and whether its position is estimated
(the puskesmas are placed from their addresses by the project's geocoder); units: the facility
a unit is stationed at, if any

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hospitals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), nullable=False, server_default='hospital'))
        batch_op.add_column(sa.Column('position_estimated', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_check_constraint(op.f('ck_hospitals_kind'), "kind IN ('hospital', 'puskesmas')")
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('station_facility_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f('fk_units_station_facility_id_hospitals'), 'hospitals',
                                    ['station_facility_id'], ['id'])


def downgrade():
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_units_station_facility_id_hospitals'), type_='foreignkey')
        batch_op.drop_column('station_facility_id')
    with op.batch_alter_table('hospitals', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_hospitals_kind'), type_='check')
        batch_op.drop_column('position_estimated')
        batch_op.drop_column('kind')
