"""assignment acknowledgement: when operators were told a crew had not accepted in time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:51:27.720749

"""
from alembic import op
import sqlalchemy as sa
import dispatch.database


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unacknowledged_at', dispatch.database.UTCDateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_column('unacknowledged_at')

