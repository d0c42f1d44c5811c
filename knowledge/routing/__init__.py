"""The request router: resident text -> category, level-2 category, department, calibrated confidence.

Importing this package is cheap (no model, no jieba); ``Router.load`` reads the trained artefact, which
``python -m knowledge route-build`` writes (docs/routing.md).
"""

from knowledge.routing.data import RoutingDataError
from knowledge.routing.router import Alternative, Router, RouterUnavailable, Routing, load_router

__all__ = ["Alternative", "Router", "RouterUnavailable", "Routing", "RoutingDataError", "load_router"]
