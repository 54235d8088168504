"""The tree of units — a province, its post offices and agencies — addressed by paths.

A unit's path is "/<province id>/…/<own id>/", ancestors first (server/models/unit.py), so
the province at the top of a unit's tree is the first step of its path, and a unit lies in
another's subtree when its path begins with the other's. The province is the boundary a
citizen's data keeps to (Law 91/2025/QH15 on personal data: the data reaches only the units
that need it): an agency's results go to a post office of its own province, a handover
stays with the post of the item's province (QĐ45 Art.7), and a clerk picks receivers and
sees units within his own province. The SQL form of `within` is
`server.core.scope.path_under`.

Pure rules: no Flask, no database.
"""
from __future__ import annotations


def province_root(path: str) -> str:
    """The path of the province at the top of the tree a unit's path lies in:
    "/3/17/42/" → "/3/"."""
    return "/" + path.strip("/").split("/")[0] + "/"


def within(path: str, root_path: str) -> bool:
    """True when the unit at `path` is the unit at `root_path` or lies below it."""
    return path.startswith(root_path)


def same_province(path: str, other_path: str) -> bool:
    """True when two units lie in the same province's tree."""
    return province_root(path) == province_root(other_path)
