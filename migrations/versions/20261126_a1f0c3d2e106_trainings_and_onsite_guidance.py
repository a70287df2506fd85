"""trainings and onsite guidance

Revision ID: a1f0c3d2e106
Revises: a1f0c3d2e105
Create Date: 2026-11-26 00:00:00

"""
from alembic import op
import sqlalchemy as sa

import portal.database


# revision identifiers, used by Alembic.
revision = 'a1f0c3d2e106'
down_revision = 'a1f0c3d2e105'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('guidance_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('preferred_dates', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('visit_at', portal.database.UTCDateTime(timezone=True), nullable=True),
    sa.Column('schedule_note', sa.Text(), nullable=True),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'scheduled', 'visited', 'closed', 'cancelled', 'declined')", name=op.f('ck_guidance_requests_status')),
    sa.CheckConstraint("topic IN ('wastewater', 'vocs', 'hazardous_waste', 'energy', 'noise', 'cleaner_production', 'permits', 'other')", name=op.f('ck_guidance_requests_topic')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_guidance_requests_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_guidance_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_guidance_requests_site_id_sites'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_requests'))
    )
    with op.batch_alter_table('guidance_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guidance_requests_site_id'), ['site_id'], unique=False)

    op.create_table('trainings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organiser_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('starts_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=True),
    sa.Column('online_link', sa.String(length=500), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('registration_deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("mode IN ('in_person', 'online')", name=op.f('ck_trainings_mode')),
    sa.CheckConstraint("status IN ('draft', 'published', 'cancelled')", name=op.f('ck_trainings_status')),
    sa.CheckConstraint('capacity > 0', name=op.f('ck_trainings_capacity')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_trainings_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_trainings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organiser_id'], ['organisations.id'], name=op.f('fk_trainings_organiser_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainings'))
    )
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainings_organiser_id'), ['organiser_id'], unique=False)

    op.create_table('guidance_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('from_status', sa.String(length=10), nullable=True),
    sa.Column('to_status', sa.String(length=10), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_guidance_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['guidance_requests.id'], name=op.f('fk_guidance_events_request_id_guidance_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_events'))
    )
    with op.batch_alter_table('guidance_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_events_request_id'), ['request_id'], unique=False)

    op.create_table('guidance_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('recommendation', sa.Text(), nullable=True),
    sa.CheckConstraint("severity IN ('high', 'medium', 'low')", name=op.f('ck_guidance_findings_severity')),
    sa.CheckConstraint("topic IN ('wastewater', 'vocs', 'hazardous_waste', 'energy', 'noise', 'cleaner_production', 'permits', 'other')", name=op.f('ck_guidance_findings_topic')),
    sa.ForeignKeyConstraint(['request_id'], ['guidance_requests.id'], name=op.f('fk_guidance_findings_request_id_guidance_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guidance_findings'))
    )
    with op.batch_alter_table('guidance_findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_findings_request_id'), ['request_id'], unique=False)

    op.create_table('guidance_request_experts',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['guidance_requests.id'], name=op.f('fk_guidance_request_experts_request_id_guidance_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_guidance_request_experts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'user_id', name=op.f('pk_guidance_request_experts'))
    )
    with op.batch_alter_table('guidance_request_experts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guidance_request_experts_user_id'), ['user_id'], unique=False)

    op.create_table('training_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_materials_training_id_trainings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_training_materials_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_materials'))
    )
    with op.batch_alter_table('training_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_materials_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_materials_training_id'), ['training_id'], unique=False)

    op.create_table('training_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('training_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('attended', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', portal.database.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('registered', 'cancelled')", name=op.f('ck_training_registrations_status')),
    sa.CheckConstraint('seats > 0', name=op.f('ck_training_registrations_seats')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_training_registrations_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_training_registrations_registered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_registrations_training_id_trainings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_registrations')),
    sa.UniqueConstraint('training_id', 'organisation_id', name='uq_training_registrations_training_organisation')
    )
    with op.batch_alter_table('training_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_registrations_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_registrations_training_id'), ['training_id'], unique=False)

    with op.batch_alter_table('upgrade_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guidance_request_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_upgrade_plans_guidance_request_id_guidance_requests'), 'guidance_requests', ['guidance_request_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_upgrade_plans_guidance_request_id'), ['guidance_request_id'], unique=True)



def downgrade():
    with op.batch_alter_table('upgrade_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upgrade_plans_guidance_request_id'))
        batch_op.drop_constraint(batch_op.f('fk_upgrade_plans_guidance_request_id_guidance_requests'), type_='foreignkey')
        batch_op.drop_column('guidance_request_id')

    with op.batch_alter_table('training_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_registrations_training_id'))
        batch_op.drop_index(batch_op.f('ix_training_registrations_organisation_id'))

    op.drop_table('training_registrations')
    with op.batch_alter_table('training_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_materials_training_id'))
        batch_op.drop_index(batch_op.f('ix_training_materials_sha256'))

    op.drop_table('training_materials')
    with op.batch_alter_table('guidance_request_experts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_request_experts_user_id'))

    op.drop_table('guidance_request_experts')
    with op.batch_alter_table('guidance_findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_findings_request_id'))

    op.drop_table('guidance_findings')
    with op.batch_alter_table('guidance_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_events_request_id'))

    op.drop_table('guidance_events')
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainings_organiser_id'))

    op.drop_table('trainings')
    with op.batch_alter_table('guidance_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guidance_requests_site_id'))
        batch_op.drop_index(batch_op.f('ix_guidance_requests_organisation_id'))

    op.drop_table('guidance_requests')
