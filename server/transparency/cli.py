"""`flask custody checkpoint` and `flask custody log-key`."""
from __future__ import annotations

import base64
import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from server.extensions import db
from server.transparency.log import LogInconsistent, integrate, log_signer
from server.transparency.witness import push_to_witnesses


@click.command("checkpoint")
@with_appcontext
def checkpoint_command() -> None:
    """Log every committed custody event not yet logged and sign a checkpoint now."""
    try:
        outcome = integrate()
    except LogInconsistent as refusal:
        db.session.rollback()
        current_app.logger.error("custody log refused to sign: %s", refusal)
        click.echo(json.dumps({"ok": False, "reason": "log_inconsistent", "message": str(refusal)}))
        sys.exit(1)
    db.session.commit()
    if outcome.signed:
        push_to_witnesses(outcome.checkpoint.id)
    checkpoint = outcome.checkpoint
    click.echo(json.dumps({"ok": True, "tree_size": checkpoint.tree_size,
                           "root": base64.b64encode(checkpoint.root).decode(),
                           "added": outcome.added, "signed": outcome.signed,
                           "cosignatures": len(checkpoint.cosignatures)}))


@click.command("log-key")
@with_appcontext
def log_key_command() -> None:
    """Print the note verifier key of the log's checkpoints (what /log/vkey serves)."""
    click.echo(log_signer().verifier.vkey)


def add_log_commands(group: click.Group) -> None:
    """Attach the log's commands to the `custody` group."""
    group.add_command(checkpoint_command)
    group.add_command(log_key_command)
