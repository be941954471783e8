"""clock epoch: a clock run faster for a simulation (PSC_CLOCK_SPEED) counts from one epoch stored
here, so every server process and command shares one time

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 22:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'clock_epochs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('speed', sa.Float(), nullable=False),
        sa.Column('real_epoch', sa.DateTime(timezone=True), nullable=False),
        sa.Column('epoch', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clock_epochs')),
    )


def downgrade():
    op.drop_table('clock_epochs')
