"""Ed25519 signing keys from configuration, or generated once into instance/ for a laptop:
the custody export's (EXPORT_SIGNING_KEY), the custody log's (LOG_SIGNING_KEY) and the
witness's (WITNESS_SIGNING_KEY). Never stored in the database."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

#: Where a generated export key is kept when EXPORT_SIGNING_KEY is not set.
KEY_FILE_NAME = "export_signing_key.pem"


def _private_key_from_pem(pem: bytes) -> Ed25519PrivateKey:
    """Load a PEM private key, which must be Ed25519."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("a signing key must be an Ed25519 private key (PEM, PKCS#8)")
    return key


def _generate_key_file(path: Path) -> None:
    """Write a new key to `path` unless one is there; safe when several workers race."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-key-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pem)
        os.chmod(temporary, 0o600)
        # A hard link never replaces an existing file: the first worker's key wins.
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        Path(temporary).unlink(missing_ok=True)


def signing_key(configured_pem: str, instance_dir: str,
                file_name: str = KEY_FILE_NAME) -> Ed25519PrivateKey:
    """A signing key: the configured PEM, else one generated once into instance/<file_name>.

    The custody log's key (LOG_SIGNING_KEY) is kept the same way under another file name.
    """
    if configured_pem.strip():
        # Environment files often carry a PEM on one line with literal "\n".
        return _private_key_from_pem(configured_pem.strip().replace("\\n", "\n").encode())
    path = Path(instance_dir) / file_name
    if not path.exists():
        _generate_key_file(path)
    return _private_key_from_pem(path.read_bytes())
