"""Modelled travel time (hours by road, river and foot) to the nearest service.

See METHOD.md in this folder for the model in plain words (Spanish, then English).
"""

from .engine import NO_ACCESS, NoRoute, Points, Route, TravelModel  # noqa: F401
from .index import TravelIndex, from_catalog, travel_index  # noqa: F401
