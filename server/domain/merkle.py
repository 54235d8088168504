"""The Merkle tree of the custody log: RFC 6962 §2.1 / RFC 9162 §2.1, nothing home-made.

Leaf hash = SHA-256(0x00 ‖ entry), node hash = SHA-256(0x01 ‖ left ‖ right), a tree of n
leaves split at k, the largest power of two below n. The hash of the empty tree is SHA-256
of nothing. Inclusion and consistency proofs are the RFC's PATH and PROOF; their
verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step.

Proofs are built over any store of *complete* subtree hashes (`SubtreeHashes`: the hash of
the aligned range of 2**height leaves starting at index·2**height), so the server builds
them from its stored tiles and the tests from a plain list, with the same code. Pure: no
Flask, no database. Why it exists: TT17/2017/TT-BTTTT Art.14 has the post keep the records of
every handover so they can be proven later, and a log anyone can check proves them without
trusting whoever runs the server.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
#: MTH({}) = SHA-256() (RFC 6962 §2.1).
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: (height, index) → hash of the complete subtree of 2**height leaves starting at index·2**height.
SubtreeHashes = Callable[[int, int], bytes]


class ProofError(ValueError):
    """A proof that does not verify, or a request for a proof that cannot exist."""


def leaf_hash(entry: bytes) -> bytes:
    """SHA-256(0x00 ‖ entry)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 ‖ left ‖ right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(size: int) -> int:
    """The largest power of two strictly below `size` (size ≥ 2)."""
    return 1 << ((size - 1).bit_length() - 1)


def leaf_hashes(entries: Sequence[bytes]) -> list[bytes]:
    """`leaf_hash` of many entries at once (no call per entry: integrating a million events
    spends its hashing time here)."""
    sha256 = hashlib.sha256
    return [sha256(LEAF_PREFIX + entry).digest() for entry in entries]


def complete_root_of_bytes(level: bytes) -> bytes:
    """The root over a power-of-two count of hashes given concatenated (a tile's bytes):
    each node hashes a 64-byte slice of the level below, with no list of pairs built."""
    sha256 = hashlib.sha256
    pair = 2 * HASH_SIZE
    while len(level) > HASH_SIZE:
        level = b"".join([sha256(NODE_PREFIX + level[i:i + pair]).digest()
                          for i in range(0, len(level), pair)])
    return level


def complete_root(hashes: Sequence[bytes]) -> bytes:
    """The root over a power-of-two count of hashes (one level of a tile, or leaves)."""
    return complete_root_of_bytes(b"".join(hashes))


def root_of_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes of any length (iterative: the right spine last)."""
    if not hashes:
        return EMPTY_ROOT
    # Fold complete subtrees left to right, then merge the ragged right edge (RFC 6962's
    # recursion unrolled: the largest power of two first).
    stack: list[tuple[int, bytes]] = []  # (size, hash), sizes strictly decreasing
    for value in hashes:
        size, current = 1, value
        while stack and stack[-1][0] == size:
            _, left = stack.pop()
            current, size = node_hash(left, current), size * 2
        stack.append((size, current))
    root = stack[-1][1]
    for _, left in reversed(stack[:-1]):
        root = node_hash(left, root)
    return root


def root_of_entries(entries: Sequence[bytes]) -> bytes:
    """MTH of raw entries."""
    return root_of_leaf_hashes([leaf_hash(entry) for entry in entries])


def range_hash(subtree: SubtreeHashes, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range that is a node of the tree of size ≥ end.

    The range is either an aligned power of two (one stored hash) or a left-aligned
    prefix split at its largest power of two, as RFC 6962 recurses.
    """
    size = end - start
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0 and start % size == 0:
        height = size.bit_length() - 1
        return subtree(height, start >> height)
    k = split_point(size)
    return node_hash(range_hash(subtree, start, start + k), range_hash(subtree, start + k, end))


def tree_root(subtree: SubtreeHashes, size: int) -> bytes:
    """MTH(D[0:size])."""
    return range_hash(subtree, 0, size)


def inclusion_proof(subtree: SubtreeHashes, index: int, size: int) -> list[bytes]:
    """PATH(index, D[0:size]) (RFC 6962 §2.1.1), leaf-side first."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} is not in a tree of size {size}")
    path: list[bytes] = []
    start, end = 0, size
    # Walk down from the root, collecting the sibling at each split; the RFC lists them
    # from the leaf up, hence the reversal.
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            path.append(range_hash(subtree, start + k, end))
            end = start + k
        else:
            path.append(range_hash(subtree, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(subtree: SubtreeHashes, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[0:new_size]) (RFC 6962 §2.1.2); empty when old_size is 0 or equal."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size == 0 or old_size == new_size:
        return []
    path: list[bytes] = []
    start, end, m, complete = 0, new_size, old_size, True
    # SUBPROOF(m, D[start:end], complete), iteratively; nodes collected root-side first.
    while True:
        n = end - start
        if m == n:
            if not complete:
                path.append(range_hash(subtree, start, end))
            break
        k = split_point(n)
        if m <= k:
            path.append(range_hash(subtree, start + k, end))
            end = start + k
        else:
            path.append(range_hash(subtree, start, start + k))
            start, m, complete = start + k, m - k, False
    path.reverse()
    return path


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) -----------------------------------------

def _check_hash(value: bytes, name: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ProofError(f"{name} is not a 32-byte hash")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes,
                              proof: Sequence[bytes]) -> bytes:
    """The root that `proof` gives for `leaf` (a leaf hash) at `index` of a tree of `size`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    _check_hash(leaf, "leaf hash")
    fn, sn = index, size - 1
    result = bytes(leaf)
    for element in proof:
        _check_hash(element, "proof hash")
        if sn == 0:
            raise ProofError("inclusion proof is too long")
        if fn & 1 or fn == sn:
            result = node_hash(element, result)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, element)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("inclusion proof is too short")
    return result


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes],
                     root: bytes) -> None:
    """Raise ProofError unless `proof` shows `leaf` at `index` of the tree with `root`."""
    if root_from_inclusion_proof(index, size, leaf, proof) != root:
        raise ProofError("inclusion proof does not lead to the root")


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes,
                       proof: Sequence[bytes]) -> None:
    """Raise ProofError unless `proof` shows the tree (old_size, old_root) is a prefix of
    (new_size, new_root)."""
    if not 0 <= old_size <= new_size:
        raise ProofError(f"old size {old_size} is above new size {new_size}")
    _check_hash(old_root, "old root")
    _check_hash(new_root, "new root")
    if old_size == new_size:
        if proof:
            raise ProofError("equal sizes need an empty proof")
        if old_root != new_root:
            raise ProofError("equal sizes with different roots")
        return
    if old_size == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    for element in proof:
        _check_hash(element, "proof hash")
    nodes = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        nodes.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = nodes[0]
    for element in nodes[1:]:
        if sn == 0:
            raise ProofError("consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(element, fr)
            sr = node_hash(element, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, element)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("consistency proof is too short")
    if fr != old_root:
        raise ProofError("consistency proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("consistency proof does not lead to the new root")


# --- an in-memory tree (tests, the verifier's auditor, small logs) ------------------------

class MemoryTree:
    """Every level of a tree of leaf hashes kept in lists: complete subtrees on demand."""

    def __init__(self, leaf_hashes: Sequence[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for value in leaf_hashes:
            self.append_leaf_hash(value)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append_leaf_hash(self, value: bytes) -> None:
        """Add a leaf hash and every complete node it closes."""
        self.levels[0].append(value)
        height, index = 0, len(self.levels[0]) - 1
        while index & 1:
            if len(self.levels) == height + 1:
                self.levels.append([])
            level = self.levels[height]
            self.levels[height + 1].append(node_hash(level[index - 1], level[index]))
            height, index = height + 1, index >> 1

    def append_entry(self, entry: bytes) -> None:
        self.append_leaf_hash(leaf_hash(entry))

    def subtree(self, height: int, index: int) -> bytes:
        """A `SubtreeHashes` over this tree."""
        return self.levels[height][index]

    def root(self, size: int | None = None) -> bytes:
        return tree_root(self.subtree, self.size if size is None else size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(self.subtree, index, self.size if size is None else size)

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        return consistency_proof(self.subtree, old_size, self.size if new_size is None else new_size)
