"""Complementary cell suppression: no withheld cell can be derived from the shown ones."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eduquality.measures import disclosure
from eduquality.measures.disclosure import primary, suppress


def test_doctests():
    assert doctest.testmod(disclosure).failed == 0


def test_hand_example_peer_group_minus_the_other_school():
    # the case: peer group A = S1 + S2, S1 too small; A minus S2 gave S1 back
    layers = [{"D": 60, "A": 35, "B": 25, "S1": 5, "S2": 30, "S3": 12, "S4": 13}]
    groups = [("D", ["A", "B"]), ("A", ["S1", "S2"]), ("B", ["S3", "S4"])]
    assert primary(layers, 10) == {"S1"}
    assert suppress({"S1"}, layers, groups) == {"S1", "S2"}


def test_a_child_without_takers_does_not_protect():
    # S2 has no valid score in this subject: A − S3 = S1 + 0 would give S1 back
    layers = [{"D": 40, "A": 40, "S1": 5, "S2": 0, "S3": 35}]
    groups = [("D", ["A"]), ("A", ["S1", "S2", "S3"])]
    assert suppress({"S1", "S2"}, layers, groups) == {"S1", "S2", "S3"}


def test_no_primary_cells_nothing_withheld():
    layers = [{"D": 40, "S1": 20, "S2": 20}]
    assert suppress(set(), layers, [("D", ["S1", "S2"])]) == frozenset()


# -- the property: an attacker with every shown cell and every sum relation derives nothing ----
@st.composite
def hierarchies(draw):
    """district → peer groups → schools → classes (some schools outside any peer group), two
    subjects of random counts (some zero, some small) and values at the classes."""
    groups: list[tuple[str, list[str]]] = []
    leaves: list[str] = []
    top: list[str] = []
    for g in range(draw(st.integers(0, 3))):
        schools = [f"G{g}S{s}" for s in range(draw(st.integers(1, 3)))]
        groups.append((f"G{g}", schools))
        top.append(f"G{g}")
        for school in schools:
            classes = [f"{school}C{c}" for c in range(draw(st.integers(1, 3)))]
            groups.append((school, classes))
            leaves += classes
    for s in range(draw(st.integers(0 if top else 1, 2))):
        school = f"S{s}"
        classes = [f"{school}C{c}" for c in range(draw(st.integers(1, 3)))]
        groups.append((school, classes))
        top.append(school)
        leaves += classes
    groups.insert(0, ("D", top))
    layers = []
    for _ in range(2):
        n = {c: draw(st.sampled_from([0, 1, 2, 3, 5, 8, 12, 20, 30])) for c in leaves}
        layers.append(_sums(n, groups))
    return groups, layers


def _sums(leaf: dict[str, float], groups: list[tuple[str, list[str]]]) -> dict[str, float]:
    out = dict(leaf)
    for parent, children in reversed(groups):  # children are listed after their parents
        out[parent] = sum(out[c] for c in children)
    return out


def derivable(hidden: frozenset[str], layer: dict[str, float],
              groups: list[tuple[str, list[str]]], zeros_known: bool = True) -> set[str]:
    """The withheld cells that a linear combination of the sum relations and the shown cells
    gives exactly: e_x lies in the row space of the relations over the unknowns. With
    ``zeros_known`` the attacker is also told which withheld cells are 0 (a class without
    valid scores in a subject: the strictest attacker)."""
    unknown = sorted(u for u in hidden if layer.get(u, 0) > 0 or not zeros_known)
    index = {u: i for i, u in enumerate(unknown)}
    rows = []
    for parent, children in groups:
        row = np.zeros(len(unknown))
        for unit, sign in [(parent, 1.0)] + [(c, -1.0) for c in children]:
            if unit in index:
                row[index[unit]] += sign
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    a = np.array(rows)
    rank = np.linalg.matrix_rank(a)
    found = set()
    for u, i in index.items():
        e = np.zeros(len(unknown))
        e[i] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            found.add(u)
    return found


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(h=hierarchies(), min_n=st.sampled_from([3, 6, 10, 15]))
def test_no_withheld_cell_can_be_derived(h, min_n):
    groups, layers = h
    first = primary(layers, min_n) - {"D"}
    hidden = suppress(first, layers, groups)
    assert first <= hidden
    for layer in layers:
        assert not derivable(hidden, layer, groups), (hidden, layer)
        # the plain attack of the issue: a shown parent minus its shown children
        for parent, children in groups:
            if parent in hidden:
                continue
            secret = [c for c in children if c in hidden and layer[c] > 0]
            rest = layer[parent] - sum(layer[c] for c in children if c not in hidden)
            assert len(secret) != 1, (parent, secret, rest)


def test_derivable_finds_what_one_suppression_leaves_open():
    """The attacker of the property test is not blind: primary suppression alone leaks."""
    layers = [{"D": 60, "A": 35, "B": 25, "S1": 5, "S2": 30, "S3": 12, "S4": 13}]
    groups = [("D", ["A", "B"]), ("A", ["S1", "S2"]), ("B", ["S3", "S4"])]
    assert derivable(frozenset({"S1"}), layers[0], groups) == {"S1"}
    # a two-level chain: hiding a school and a class only within it is undone through the top
    layers = [_sums({"S1C0": 5, "S1C1": 20, "S2C0": 20}, [("D", ["S1", "S2"]),
                                                          ("S1", ["S1C0", "S1C1"]),
                                                          ("S2", ["S2C0"])])]
    groups = [("D", ["S1", "S2"]), ("S1", ["S1C0", "S1C1"]), ("S2", ["S2C0"])]
    assert "S1C0" in derivable(frozenset({"S1C0", "S1", "S2"}), layers[0], groups)
