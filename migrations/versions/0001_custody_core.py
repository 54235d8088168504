"""The custody core: units, users, tokens, procedures, items, custody events, flags,
handover records, media and S10 serial counters.

Revises: 
Create Date: 2026-11-24 01:47:53.772127

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_custody_core'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('tracking_serials',
    sa.Column('prefix', sa.String(length=2), nullable=False),
    sa.Column('last_serial', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('prefix', name=op.f('pk_tracking_serials'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('path', sa.String(length=400), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=False),
    sa.Column('commune', sa.String(length=100), nullable=False),
    sa.Column('address_line', sa.String(length=300), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.CheckConstraint("kind IN ('province', 'post_office', 'agency')", name=op.f('ck_units_kind_known')),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('code', name=op.f('uq_units_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_path'), ['path'], unique=False)

    op.create_table('procedures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('agency_unit_id', sa.Integer(), nullable=False),
    sa.Column('postal_eligible', sa.Boolean(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('official_fee_vnd', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_unit_id'], ['units.id'], name=op.f('fk_procedures_agency_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('code', name=op.f('uq_procedures_code'))
    )
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedures_agency_unit_id'), ['agency_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_procedures_field'), ['field'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('admin', 'supervisor', 'clerk', 'agency', 'postman')", name=op.f('ck_users_role_known')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_users_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_unit_id'), ['unit_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_api_tokens_token_sha256'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_number', sa.String(length=13), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('dossier_code', sa.String(length=60), nullable=True),
    sa.Column('agency_unit_id', sa.Integer(), nullable=False),
    sa.Column('post_office_unit_id', sa.Integer(), nullable=True),
    sa.Column('linked_dossier_id', sa.Integer(), nullable=True),
    sa.Column('citizen_name', sa.String(length=200), nullable=False),
    sa.Column('citizen_phone', sa.String(length=10), nullable=False),
    sa.Column('id_type', sa.String(length=10), nullable=True),
    sa.Column('id_last4', sa.String(length=4), nullable=True),
    sa.Column('id_keyed_hash', sa.String(length=64), nullable=True),
    sa.Column('address_province', sa.String(length=100), nullable=False),
    sa.Column('address_commune', sa.String(length=100), nullable=False),
    sa.Column('address_district', sa.String(length=100), nullable=True),
    sa.Column('address_line', sa.String(length=300), nullable=False),
    sa.Column('address_lat', sa.Float(), nullable=True),
    sa.Column('address_lon', sa.Float(), nullable=True),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('postage_vnd', sa.Integer(), nullable=False),
    sa.Column('official_fee_vnd', sa.Integer(), nullable=False),
    sa.Column('route_class', sa.String(length=20), nullable=False),
    sa.Column('with_appointment_slip', sa.Boolean(), nullable=False),
    sa.Column('consigned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('holder_user_id', sa.Integer(), nullable=True),
    sa.Column('holder_unit_id', sa.Integer(), nullable=True),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('dossier', 'result')", name=op.f('ck_items_kind_known')),
    sa.CheckConstraint('event_count >= 0', name=op.f('ck_items_event_count_not_negative')),
    sa.CheckConstraint('postage_vnd >= 0 AND official_fee_vnd >= 0', name=op.f('ck_items_fees_not_negative')),
    sa.ForeignKeyConstraint(['agency_unit_id'], ['units.id'], name=op.f('fk_items_agency_unit_id_units')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['holder_unit_id'], ['units.id'], name=op.f('fk_items_holder_unit_id_units')),
    sa.ForeignKeyConstraint(['holder_user_id'], ['users.id'], name=op.f('fk_items_holder_user_id_users')),
    sa.ForeignKeyConstraint(['linked_dossier_id'], ['items.id'], name=op.f('fk_items_linked_dossier_id_items')),
    sa.ForeignKeyConstraint(['post_office_unit_id'], ['units.id'], name=op.f('fk_items_post_office_unit_id_units')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_items_procedure_id_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('tracking_number', name=op.f('uq_items_tracking_number'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index('ix_items_agency_status', ['agency_unit_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_dossier_code'), ['dossier_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_holder_unit_id'), ['holder_unit_id'], unique=False)
        batch_op.create_index('ix_items_holder_user_status', ['holder_user_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_id_keyed_hash'), ['id_keyed_hash'], unique=False)
        batch_op.create_index('ix_items_post_office_status', ['post_office_unit_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_procedure_id'), ['procedure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_status'), ['status'], unique=False)

    op.create_table('media',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_media_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_media'))
    )
    op.create_table('custody_events',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=30), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=False),
    sa.Column('actor_unit_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('accuracy_m', sa.Float(), nullable=True),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status_after', sa.String(length=20), nullable=False),
    sa.Column('previous_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.CheckConstraint('seq >= 1', name=op.f('ck_custody_events_seq_positive')),
    sa.ForeignKeyConstraint(['actor_unit_id'], ['units.id'], name=op.f('fk_custody_events_actor_unit_id_units')),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_custody_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_custody_events_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_events')),
    sa.UniqueConstraint('item_id', 'seq', name=op.f('uq_custody_events_item_id_seq'))
    )
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.create_index('ix_custody_events_actor_occurred', ['actor_user_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_events_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_events_received_at'), ['received_at'], unique=False)

    op.create_table('handover_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=True),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=True),
    sa.Column('to_unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('receiver_signature_sha256', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'cancelled')", name=op.f('ck_handover_records_status_known')),
    sa.ForeignKeyConstraint(['accepted_by_id'], ['users.id'], name=op.f('fk_handover_records_accepted_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_handover_records_created_by_id_users')),
    sa.ForeignKeyConstraint(['from_unit_id'], ['units.id'], name=op.f('fk_handover_records_from_unit_id_units')),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_handover_records_from_user_id_users')),
    sa.ForeignKeyConstraint(['receiver_signature_sha256'], ['media.sha256'], name=op.f('fk_handover_records_receiver_signature_sha256_media')),
    sa.ForeignKeyConstraint(['to_unit_id'], ['units.id'], name=op.f('fk_handover_records_to_unit_id_units')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_handover_records_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_records'))
    )
    with op.batch_alter_table('handover_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_records_from_unit_id'), ['from_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_records_to_unit_id'), ['to_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_records_to_user_id'), ['to_user_id'], unique=False)

    op.create_table('audit_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolution_note', sa.String(length=1000), nullable=True),
    sa.CheckConstraint("status IN ('open', 'resolved')", name=op.f('ck_audit_flags_status_known')),
    sa.ForeignKeyConstraint(['event_id'], ['custody_events.id'], name=op.f('fk_audit_flags_event_id_custody_events')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_audit_flags_item_id_items')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_audit_flags_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_flags'))
    )
    with op.batch_alter_table('audit_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_flags_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_flags_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_audit_flags_status_created', ['status', 'created_at'], unique=False)

    op.create_table('handover_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handover_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('tracking_number', sa.String(length=13), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.CheckConstraint("outcome IN ('listed', 'received', 'missing', 'unexpected')", name=op.f('ck_handover_lines_outcome_known')),
    sa.ForeignKeyConstraint(['handover_id'], ['handover_records.id'], name=op.f('fk_handover_lines_handover_id_handover_records')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_handover_lines_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handover_lines'))
    )
    with op.batch_alter_table('handover_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handover_lines_handover_id'), ['handover_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handover_lines_item_id'), ['item_id'], unique=False)




def downgrade():
    
    with op.batch_alter_table('handover_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_lines_item_id'))
        batch_op.drop_index(batch_op.f('ix_handover_lines_handover_id'))

    op.drop_table('handover_lines')
    with op.batch_alter_table('audit_flags', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_flags_status_created')
        batch_op.drop_index(batch_op.f('ix_audit_flags_item_id'))
        batch_op.drop_index(batch_op.f('ix_audit_flags_code'))

    op.drop_table('audit_flags')
    with op.batch_alter_table('handover_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handover_records_to_user_id'))
        batch_op.drop_index(batch_op.f('ix_handover_records_to_unit_id'))
        batch_op.drop_index(batch_op.f('ix_handover_records_from_unit_id'))

    op.drop_table('handover_records')
    with op.batch_alter_table('custody_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_events_received_at'))
        batch_op.drop_index(batch_op.f('ix_custody_events_item_id'))
        batch_op.drop_index('ix_custody_events_actor_occurred')

    op.drop_table('custody_events')
    op.drop_table('media')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_status'))
        batch_op.drop_index(batch_op.f('ix_items_procedure_id'))
        batch_op.drop_index('ix_items_post_office_status')
        batch_op.drop_index(batch_op.f('ix_items_id_keyed_hash'))
        batch_op.drop_index('ix_items_holder_user_status')
        batch_op.drop_index(batch_op.f('ix_items_holder_unit_id'))
        batch_op.drop_index(batch_op.f('ix_items_due_at'))
        batch_op.drop_index(batch_op.f('ix_items_dossier_code'))
        batch_op.drop_index('ix_items_agency_status')

    op.drop_table('items')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_unit_id'))

    op.drop_table('users')
    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedures_field'))
        batch_op.drop_index(batch_op.f('ix_procedures_agency_unit_id'))

    op.drop_table('procedures')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_path'))
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))

    op.drop_table('units')
    op.drop_table('tracking_serials')

