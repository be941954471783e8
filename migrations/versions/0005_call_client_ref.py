"""calls: the console's own id for a call (client_ref) and what was sent with it, so that a
call sent again after a lost answer is stored once

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 21:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_calls_taken_by_client_ref', ['taken_by_id', 'client_ref'])


def downgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint('uq_calls_taken_by_client_ref', type_='unique')
        batch_op.drop_column('request_hash')
        batch_op.drop_column('client_ref')
