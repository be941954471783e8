"""incidents: the location text as said (address_text renamed location_text), the relation word
in it and how precise the point is

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 07:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# The relation words and their one spelling as dispatch/geo/text.py had them at this revision
# (a migration keeps its own copy: it must do the same thing whatever the code becomes).
_RELATION_WORDS = {
    "depan": "depan", "dpn": "depan", "dekat": "dekat", "dkt": "dekat", "deket": "dekat",
    "samping": "samping", "sebelah": "sebelah", "sblh": "sebelah", "belakang": "belakang",
    "blkg": "belakang", "blk": "belakang", "seberang": "seberang", "sebrang": "seberang",
    "sberang": "seberang", "sekitar": "sekitar", "area": "sekitar", "kawasan": "sekitar",
    "arah": "arah", "menuju": "arah", "simpang": "simpang", "ujung": "ujung",
}


def _relation(text):
    import re
    for word in re.split(r"[^0-9a-z]+", (text or "").casefold()):
        if word in _RELATION_WORDS:
            return _RELATION_WORDS[word]
    return None


def upgrade():
    # RENAME COLUMN in place on both databases (SQLite >= 3.25): no copy of the table.
    op.execute("ALTER TABLE incidents RENAME COLUMN address_text TO location_text")
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location_relation', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('location_precision', sa.String(length=20), server_default='unknown',
                                      nullable=False))
    op.execute("""
        UPDATE incidents SET location_precision = CASE
            WHEN lat IS NULL THEN 'unknown'
            WHEN location_source IN ('given', 'text_coordinates', 'operator') THEN 'exact'
            WHEN location_kind IN ('coordinates', 'reverse') THEN 'exact'
            WHEN location_kind IN ('road', 'kelurahan', 'kecamatan') THEN location_kind
            ELSE 'place' END
    """)
    conn = op.get_bind()
    incidents = sa.table('incidents', sa.column('id', sa.Integer), sa.column('location_text', sa.String),
                         sa.column('location_relation', sa.String))
    rows = conn.execute(sa.select(incidents.c.id, incidents.c.location_text)
                        .where(incidents.c.location_text.is_not(None))).all()
    for ident, text in rows:
        word = _relation(text)
        if word is not None:
            conn.execute(incidents.update().where(incidents.c.id == ident).values(location_relation=word))


def downgrade():
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_column('location_precision')
        batch_op.drop_column('location_relation')
    op.execute("ALTER TABLE incidents RENAME COLUMN location_text TO address_text")
