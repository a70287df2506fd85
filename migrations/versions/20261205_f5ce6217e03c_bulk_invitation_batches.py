"""bulk invitation batches

Revision ID: f5ce6217e03c
Revises: a1f0c3d2e106
Create Date: 2026-12-05 23:52:24.061015

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f5ce6217e03c'
down_revision = 'a1f0c3d2e106'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('chain_invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_batch', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('sent_row', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_chain_invitations_sent_batch'), ['sent_batch'], unique=False)


def downgrade():
    with op.batch_alter_table('chain_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chain_invitations_sent_batch'))
        batch_op.drop_column('sent_row')
        batch_op.drop_column('sent_batch')
