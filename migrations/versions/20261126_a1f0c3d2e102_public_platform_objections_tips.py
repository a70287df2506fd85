"""public platform objections tips

Revision ID: a1f0c3d2e102
Revises: a1f0c3d2e101
Create Date: 2026-11-26 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = 'a1f0c3d2e102'
down_revision = 'a1f0c3d2e101'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_tips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=True),
    sa.Column('submitted_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip_hash', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reviewer_note', sa.Text(), nullable=True),
    sa.Column('published_text', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status != 'accepted' OR published_text IS NOT NULL", name=op.f('ck_public_tips_published')),
    sa.CheckConstraint('published_text IS NULL OR length(published_text) <= 2000', name=op.f('ck_public_tips_published_length')),
    sa.CheckConstraint("status IN ('new', 'accepted', 'dismissed')", name=op.f('ck_public_tips_status')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_public_tips_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_public_tips_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_tips'))
    )
    with op.batch_alter_table('public_tips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_tips_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_tips_status'), ['status'], unique=False)

    op.create_table('funding_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('submitted_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ip_hash', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status = 'received' OR (resolution IS NOT NULL AND resolved_at IS NOT NULL)", name=op.f('ck_funding_objections_resolved')),
    sa.CheckConstraint('resolution IS NULL OR length(resolution) <= 2000', name=op.f('ck_funding_objections_resolution_length')),
    sa.CheckConstraint("status IN ('received', 'upheld', 'dismissed')", name=op.f('ck_funding_objections_status')),
    sa.ForeignKeyConstraint(['application_id'], ['funding_applications.id'], name=op.f('fk_funding_objections_application_id_funding_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_funding_objections_resolved_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_objections'))
    )
    with op.batch_alter_table('funding_objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_objections_application_id'), ['application_id'], unique=False)


def downgrade():
    with op.batch_alter_table('funding_objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_objections_application_id'))

    op.drop_table('funding_objections')
    with op.batch_alter_table('public_tips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_tips_status'))
        batch_op.drop_index(batch_op.f('ix_public_tips_organisation_id'))

    op.drop_table('public_tips')
