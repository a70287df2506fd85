"""funding agreement disbursement acceptance

Revision ID: a1f0c3d2e103
Revises: a1f0c3d2e102
Create Date: 2026-11-26 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = 'a1f0c3d2e103'
down_revision = 'a1f0c3d2e102'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('funding_acceptance_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['funding_applications.id'], name=op.f('fk_funding_acceptance_files_application_id_funding_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_funding_acceptance_files_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_funding_acceptance_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_acceptance_files'))
    )
    with op.batch_alter_table('funding_acceptance_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_acceptance_files_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_acceptance_files_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_acceptance_files_sha256'), ['sha256'], unique=False)

    op.create_table('funding_acceptances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('reductions', sa.JSON(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('verdict', sa.String(length=8), nullable=True),
    sa.Column('verdict_comment', sa.Text(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("verdict IS NULL OR verdict IN ('passed', 'failed')", name=op.f('ck_funding_acceptances_verdict')),
    sa.ForeignKeyConstraint(['application_id'], ['funding_applications.id'], name=op.f('fk_funding_acceptances_application_id_funding_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_funding_acceptances_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_funding_acceptances_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_acceptances')),
    sa.UniqueConstraint('application_id', name=op.f('uq_funding_acceptances_application_id'))
    )
    op.create_table('funding_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['funding_applications.id'], name=op.f('fk_funding_agreements_application_id_funding_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_funding_agreements_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_funding_agreements_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_agreements')),
    sa.UniqueConstraint('application_id', name=op.f('uq_funding_agreements_application_id'))
    )
    with op.batch_alter_table('funding_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_agreements_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_funding_agreements_sha256'), ['sha256'], unique=False)

    op.create_table('funding_disbursements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('batch', sa.String(length=60), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_funding_disbursements_amount')),
    sa.ForeignKeyConstraint(['application_id'], ['funding_applications.id'], name=op.f('fk_funding_disbursements_application_id_funding_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_funding_disbursements_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_disbursements')),
    sa.UniqueConstraint('batch', name='uq_funding_disbursements_batch')
    )
    with op.batch_alter_table('funding_disbursements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_disbursements_application_id'), ['application_id'], unique=False)

    with op.batch_alter_table('funding_applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_cap', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('submitted_breakdown', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('final_amount', sa.Numeric(precision=14, scale=2), nullable=True))


def downgrade():
    with op.batch_alter_table('funding_applications', schema=None) as batch_op:
        batch_op.drop_column('final_amount')
        batch_op.drop_column('submitted_breakdown')
        batch_op.drop_column('submitted_cap')

    with op.batch_alter_table('funding_disbursements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_disbursements_application_id'))

    op.drop_table('funding_disbursements')
    with op.batch_alter_table('funding_agreements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_agreements_sha256'))
        batch_op.drop_index(batch_op.f('ix_funding_agreements_organisation_id'))

    op.drop_table('funding_agreements')
    op.drop_table('funding_acceptances')
    with op.batch_alter_table('funding_acceptance_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_funding_acceptance_files_sha256'))
        batch_op.drop_index(batch_op.f('ix_funding_acceptance_files_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_funding_acceptance_files_application_id'))

    op.drop_table('funding_acceptance_files')

