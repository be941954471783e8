"""geolocation: location source and confidence on incidents, ETAs on assignments, imported zones

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:26:06.173753

"""
from alembic import op
import sqlalchemy as sa
import dispatch.database
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('zones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=True),
    sa.Column('kecamatan', sa.String(length=100), nullable=True),
    sa.Column('geometry', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('imported_at', dispatch.database.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zones'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eta_s', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('recommended_eta_s', sa.Float(), nullable=True))

    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_source', sa.String(length=20), server_default='unknown', nullable=False))
        batch_op.add_column(sa.Column('location_confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('location_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('location_kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('outside_service_area', sa.Boolean(), server_default=sa.false(), nullable=False))

    # Incidents stored before this revision had their coordinates given with the call.
    op.execute("UPDATE incidents SET location_source = 'given' WHERE lat IS NOT NULL")


def downgrade():
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('outside_service_area')
        batch_op.drop_column('location_kind')
        batch_op.drop_column('location_name')
        batch_op.drop_column('location_confidence')
        batch_op.drop_column('location_source')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('recommended_eta_s')
        batch_op.drop_column('eta_s')

    op.drop_table('zones')
