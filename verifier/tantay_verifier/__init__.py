"""Offline verifier of TậnTay custody exports (depends only on `cryptography`)."""
from tantay_verifier.verify import Failure, verify_bundle

__all__ = ["Failure", "verify_bundle"]
