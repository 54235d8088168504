"""The custody log's Merkle tree against RFC 6962's published vectors and an independent
implementation (pymerkle, installed for the tests only).

The vectors are those of transparency-dev/merkle (`testonly/constants.go`,
`cmd/proofgen`): the eight standard leaves, the roots of the trees of sizes 0 to 8, and the
inclusion and consistency proofs listed there (leaf indices there are 1-based).
"""
from __future__ import annotations

import pymerkle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.domain.merkle import (
    EMPTY_ROOT,
    MemoryTree,
    ProofError,
    leaf_hash,
    root_from_inclusion_proof,
    root_of_entries,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [bytes.fromhex(h) for h in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
    "606162636465666768696a6b6c6d6e6f")]

ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]

LEAF_HASHES = [bytes.fromhex(h) for h in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
)]


def _hashes(*values: str) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


#: (1-based leaf index, tree size, proof)
INCLUSION = [
    (1, 1, []),
    (1, 8, _hashes("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (6, 8, _hashes("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (3, 3, _hashes("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (2, 5, _hashes("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
]

#: (old size, new size, proof)
CONSISTENCY = [
    (1, 1, []),
    (1, 8, _hashes("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                   "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                   "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")),
    (6, 8, _hashes("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                   "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
    (2, 5, _hashes("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                   "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")),
    (6, 7, _hashes("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                   "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                   "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")),
]

TREE = MemoryTree([leaf_hash(entry) for entry in LEAVES])


def test_leaf_hashes_are_the_published_ones():
    assert [leaf_hash(entry) for entry in LEAVES] == LEAF_HASHES


@pytest.mark.parametrize("size", range(9))
def test_roots_of_the_first_eight_trees_are_the_published_ones(size):
    assert TREE.root(size) == ROOTS[size]
    assert root_of_entries(LEAVES[:size]) == ROOTS[size]


def test_empty_tree_root_is_sha256_of_nothing():
    assert EMPTY_ROOT == ROOTS[0] == root_of_entries([])


@pytest.mark.parametrize(("index", "size", "proof"), INCLUSION)
def test_inclusion_proofs_are_the_published_ones_and_verify(index, size, proof):
    assert TREE.inclusion_proof(index - 1, size) == proof
    verify_inclusion(index - 1, size, LEAF_HASHES[index - 1], proof, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY)
def test_consistency_proofs_are_the_published_ones_and_verify(old, new, proof):
    assert TREE.consistency_proof(old, new) == proof
    verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


@pytest.mark.parametrize(("index", "size", "proof"), [v for v in INCLUSION if v[2]])
def test_a_flipped_bit_anywhere_in_an_inclusion_proof_fails(index, size, proof):
    for position in range(len(proof)):
        for bit in (0, 100, 255):
            bad = [bytearray(h) for h in proof]
            bad[position][bit // 8] ^= 1 << (bit % 8)
            with pytest.raises(ProofError):
                verify_inclusion(index - 1, size, LEAF_HASHES[index - 1],
                                 [bytes(h) for h in bad], ROOTS[size])


@pytest.mark.parametrize(("index", "size", "proof"), [v for v in INCLUSION if v[2]])
def test_a_truncated_or_extended_inclusion_proof_fails(index, size, proof):
    with pytest.raises(ProofError):
        verify_inclusion(index - 1, size, LEAF_HASHES[index - 1], proof[:-1], ROOTS[size])
    with pytest.raises(ProofError):
        verify_inclusion(index - 1, size, LEAF_HASHES[index - 1], [*proof, proof[0]], ROOTS[size])
    with pytest.raises(ProofError):  # the proof of one leaf does not prove another
        verify_inclusion(index % size, size, LEAF_HASHES[index % size], proof, ROOTS[size])


@pytest.mark.parametrize(("old", "new", "proof"), [v for v in CONSISTENCY if v[2]])
def test_a_tampered_consistency_proof_fails(old, new, proof):
    for position in range(len(proof)):
        bad = list(proof)
        bad[position] = bytes([proof[position][0] ^ 1]) + proof[position][1:]
        with pytest.raises(ProofError):
            verify_consistency(old, new, ROOTS[old], ROOTS[new], bad)
    with pytest.raises(ProofError):
        verify_consistency(old, new, ROOTS[old], ROOTS[new], proof[:-1])
    with pytest.raises(ProofError):
        verify_consistency(old, new, ROOTS[old], ROOTS[new], [*proof, proof[0]])
    with pytest.raises(ProofError):  # a different old tree is not a prefix
        verify_consistency(old, new, ROOTS[old - 1], ROOTS[new], proof)
    with pytest.raises(ProofError):
        verify_consistency(old, new, ROOTS[old], ROOTS[new - 1], proof)


def test_consistency_edge_cases_of_the_rfc():
    verify_consistency(0, 5, ROOTS[0], ROOTS[5], [])  # the empty tree is a prefix of any
    with pytest.raises(ProofError):
        verify_consistency(0, 5, ROOTS[0], ROOTS[5], [ROOTS[1]])
    with pytest.raises(ProofError):
        verify_consistency(3, 3, ROOTS[3], ROOTS[4], [])  # equal sizes, different roots
    with pytest.raises(ProofError):
        verify_consistency(3, 3, ROOTS[3], ROOTS[3], [ROOTS[1]])
    with pytest.raises(ProofError):
        verify_consistency(5, 3, ROOTS[5], ROOTS[3], [])
    with pytest.raises(ProofError):
        verify_consistency(2, 5, ROOTS[2], ROOTS[5], [])
    with pytest.raises(ProofError):
        root_from_inclusion_proof(8, 8, LEAF_HASHES[0], [])


# --- against pymerkle, an independent implementation -------------------------------------

def _reference(entries: list[bytes]) -> pymerkle.InmemoryTree:
    reference = pymerkle.InmemoryTree()  # RFC 9162 hashing (security on) by default
    for entry in entries:
        reference.append_entry(entry)
    return reference


entry_lists = st.lists(st.binary(max_size=40), min_size=1, max_size=140)


@settings(max_examples=60, deadline=None)
@given(entries=entry_lists, data=st.data())
def test_roots_and_inclusion_proofs_agree_with_pymerkle(entries, data):
    reference = _reference(entries)
    tree = MemoryTree([leaf_hash(entry) for entry in entries])
    size = data.draw(st.integers(1, len(entries)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    assert tree.root(size) == reference.get_root(size)
    proof = tree.inclusion_proof(index, size)
    # pymerkle's path starts with the leaf itself (1-based indices); then RFC 6962's PATH.
    theirs = reference.prove_inclusion(index + 1, size)
    assert [h.hex() for h in proof] == theirs.serialize()["path"][1:]
    pymerkle.verify_inclusion(reference.get_leaf(index + 1), reference.get_root(size), theirs)
    verify_inclusion(index, size, reference.get_leaf(index + 1), proof, reference.get_root(size))


@settings(max_examples=60, deadline=None)
@given(entries=entry_lists, data=st.data())
def test_consistency_proofs_verify_between_pymerkle_roots(entries, data):
    reference = _reference(entries)
    tree = MemoryTree([leaf_hash(entry) for entry in entries])
    new = data.draw(st.integers(1, len(entries)), label="new")
    old = data.draw(st.integers(1, new), label="old")
    proof = tree.consistency_proof(old, new)
    verify_consistency(old, new, reference.get_root(old), reference.get_root(new), proof)
    if old < new:
        forged = _reference([b"forged", *entries[1:]])
        with pytest.raises(ProofError):  # a log that rewrote the old tree is caught
            verify_consistency(old, new, forged.get_root(old), reference.get_root(new), proof)
