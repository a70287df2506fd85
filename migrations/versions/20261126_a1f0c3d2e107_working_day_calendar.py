"""working day calendar

Revision ID: a1f0c3d2e107
Revises: 23e93e27a011
Create Date: 2026-11-26 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = 'a1f0c3d2e107'
down_revision = '23e93e27a011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f('ck_calendar_days_kind')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_days_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )


def downgrade():
    op.drop_table('calendar_days')
