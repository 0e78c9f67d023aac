"""The family registry: what each ``family=`` value means to the Python layer.

A family is one module here defining ``FAMILY`` (a :class:`~glmlx.families.base.Family`) plus one line in
``_MODULES``; the C++ side is described in docs/CONTRIBUTING.md ("Add a family").
"""
from __future__ import annotations

from . import binomial, gaussian, mgaussian, multinomial, poisson
from .base import Family

_MODULES = (gaussian, binomial, poisson, multinomial, mgaussian)

#: family name -> Family, in glmnet's documented order
FAMILIES: dict = {m.FAMILY.name: m.FAMILY for m in _MODULES}


def get_family(name) -> Family:
    """The registered family called ``name``; ValueError naming ``family`` otherwise."""
    if not isinstance(name, str) or name not in FAMILIES:
        raise ValueError(f"family must be one of {', '.join(map(repr, FAMILIES))}, got {name!r}")
    return FAMILIES[name]


__all__ = ["FAMILIES", "Family", "get_family"]
