"""client_requests: one store for every client_ref. A call's ref (the user's) moves there from
the calls table, beside the units' status reports; the row keeps the call it made (result_id)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('client_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('result_id', sa.Integer(), nullable=True))
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=True)
        batch_op.drop_constraint('uq_client_requests_unit_id', type_='unique')
    op.execute("UPDATE client_requests SET kind = 'unit_status'")
    op.execute("""
        INSERT INTO client_requests (kind, user_id, client_ref, request_hash, result_id, created_at)
        SELECT 'call', taken_by_id, client_ref, request_hash, id, received_at FROM calls
        WHERE client_ref IS NOT NULL AND taken_by_id IS NOT NULL
    """)
    with op.batch_alter_table('client_requests', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_foreign_key(op.f('fk_client_requests_user_id_users'), 'users', ['user_id'], ['id'])
        batch_op.create_unique_constraint('uq_client_requests_kind_user_id_client_ref',
                                          ['kind', 'user_id', 'client_ref'])
        batch_op.create_unique_constraint('uq_client_requests_kind_unit_id_client_ref',
                                          ['kind', 'unit_id', 'client_ref'])
        batch_op.create_check_constraint(op.f('ck_client_requests_one_owner'),
                                         '(user_id IS NULL) <> (unit_id IS NULL)')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_constraint('uq_calls_taken_by_client_ref', type_='unique')
        batch_op.drop_column('request_hash')
        batch_op.drop_column('client_ref')


def downgrade():
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))
    op.execute("""
        UPDATE calls SET
            client_ref = (SELECT r.client_ref FROM client_requests r WHERE r.kind = 'call' AND r.result_id = calls.id),
            request_hash = (SELECT r.request_hash FROM client_requests r
                            WHERE r.kind = 'call' AND r.result_id = calls.id)
    """)
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_calls_taken_by_client_ref', ['taken_by_id', 'client_ref'])
    op.execute("DELETE FROM client_requests WHERE kind <> 'unit_status'")
    with op.batch_alter_table('client_requests', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_client_requests_one_owner'), type_='check')
        batch_op.drop_constraint('uq_client_requests_kind_unit_id_client_ref', type_='unique')
        batch_op.drop_constraint('uq_client_requests_kind_user_id_client_ref', type_='unique')
        batch_op.drop_constraint(op.f('fk_client_requests_user_id_users'), type_='foreignkey')
        batch_op.create_unique_constraint(op.f('uq_client_requests_unit_id'), ['unit_id', 'client_ref'])
        batch_op.alter_column('unit_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('result_id')
        batch_op.drop_column('user_id')
        batch_op.drop_column('kind')
