"""Accounts and tokens: failed sign-ins counted in the database (shared by every worker),
and an expiry on every API token.

Tokens issued before this revision expire 90 days (API_TOKEN_DAYS's default) after they
were made; `flask create-token` issues new ones.

Revision ID: 0010_accounts_tokens
Revises: 0009_custody_integrity
"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa

#: The lifetime given to the tokens that existed before expiry did.
EXISTING_TOKEN_DAYS = 90

revision = '0010_accounts_tokens'
down_revision = '0009_custody_integrity'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer()),
                      sa.column('created_at', sa.DateTime(timezone=True)),
                      sa.column('expires_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    for token_id, created_at in connection.execute(sa.select(tokens.c.id, tokens.c.created_at)):
        connection.execute(tokens.update().where(tokens.c.id == token_id).values(
            expires_at=created_at + timedelta(days=EXISTING_TOKEN_DAYS)))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True),
                              nullable=False)
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_digest', sa.String(length=64), nullable=False),
        sa.Column('address_digest', sa.String(length=64), nullable=False),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index('ix_login_failures_account_failed_at',
                              ['account_digest', 'failed_at'], unique=False)
        batch_op.create_index('ix_login_failures_address_failed_at',
                              ['address_digest', 'failed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_failed_at'), ['failed_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_failed_at'))
        batch_op.drop_index('ix_login_failures_address_failed_at')
        batch_op.drop_index('ix_login_failures_account_failed_at')
    op.drop_table('login_failures')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
