"""Cell suppression for tables of units in a hierarchy (statistical disclosure control).

A unit with fewer than the minimum number of students is withheld (*primary suppression*). That
is not enough: its parent's row minus its visible siblings gives it back exactly (a school's
mean times its n is its peer group's n·mean minus the other schools' n·mean). *Secondary*
(complementary) *suppression* withholds further cells so that no withheld cell can be derived
by arithmetic from the shown ones (Hundepool et al., *Statistical Disclosure Control*, Wiley
2012, §4.2 "primary and secondary cell suppression" and §4.4.3 on hierarchical tables; Cox,
"Suppression methodology and statistical disclosure control", JASA 75, 1980).

The tables here are hierarchies of additive cells: each group ``(parent, children)`` says that
the parent's total (n, n·mean, the number above a line, points earned …) is the sum of its
children's. :func:`suppress` applies two rules until nothing changes:

(a) a shown parent never has exactly one withheld child: if it has, the smallest shown sibling
    is withheld too (or, when there is none, the parent itself);
(b) a withheld parent never has all its children shown (it would be their sum): if it has,
    its smallest child is withheld.

Only children that contribute (a value > 0 in that layer: a class with no valid score in a
subject adds nothing to the subject's sums) count, layer by layer (one layer per subject, per
count). Why this suffices when the groups form a tree (each unit has at most one parent): the
unknowns are the withheld leaves; each shown parent ``v`` constrains the sum over the set
``S(v)`` of withheld leaves reached from ``v`` through withheld units only. These sets are
disjoint for different ``v``, and by (a) and (b) ``S(v)`` splits into at least two non-empty
parts (one per withheld child), so the sum over any withheld unit's leaves — a strict subset
of one ``S(v)`` — is never a combination of the constraints. Only sums of two or more withheld
units can be derived. Rule (a) also holds for groups that are not a tree, but the guarantee is
then the one of the tested property, not a proof.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

__all__ = ["primary", "suppress"]

U = TypeVar("U", bound=Hashable)


def primary(sizes: Iterable[Mapping[U, float]], min_n: int) -> set[U]:
    """Units with ``0 < n < min_n`` in any of the ``sizes`` (one mapping unit → n per subject):
    the cells to withhold for their own sake. A unit without valid scores (n = 0) has nothing
    to withhold."""
    out: set[U] = set()
    for layer in sizes:
        out |= {u for u, n in layer.items() if 0 < n < min_n}
    return out


def suppress(withheld: Iterable[U], layers: Sequence[Mapping[U, float]],
             groups: Sequence[tuple[U, Collection[U]]]) -> frozenset[U]:
    """The units to withhold: ``withheld`` (the primary cells) and the complementary ones.

    ``layers``: additive counts per unit, one mapping per kind (n per subject, registered
    counts …); a unit missing from a layer counts 0 there. ``groups``: ``(parent, children)``
    with the parent's value the sum of the children's in every layer. Rules (a) and (b) of the
    module docstring, applied until nothing changes; the complementary cell chosen is always
    the smallest (fewest students in that layer, then the smallest key as text), so the result
    does not depend on the order of ``groups``.

    >>> layers = [{"D": 45, "A": 33, "B": 12, "S1": 15, "S2": 18, "S3": 12}]
    >>> groups = [("D", ["A", "B"]), ("A", ["S1", "S2"]), ("B", ["S3"])]
    >>> sorted(suppress({"S3"}, layers, groups))  # S3 = B = D - A = D - S1 - S2
    ['A', 'B', 'S1', 'S3']
    """
    hidden = set(withheld)
    changed = True
    while changed:
        changed = False
        for parent, children in groups:
            for layer in layers:
                live = [c for c in children if layer.get(c, 0) > 0]
                shown = [c for c in live if c not in hidden]
                n_hidden = len(live) - len(shown)
                add: U | None = None
                if parent not in hidden and n_hidden == 1:
                    add = _smallest(shown, layer) if shown else parent
                elif parent in hidden and layer.get(parent, 0) > 0 and live and not n_hidden:
                    add = _smallest(shown, layer)
                if add is not None:
                    hidden.add(add)
                    changed = True
    return frozenset(hidden)


def _smallest(units: Sequence[U], layer: Mapping[U, float]) -> U:
    return min(units, key=lambda u: (layer.get(u, 0), str(u)))
