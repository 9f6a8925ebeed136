"""ipywidgets panels that only wire state: Explorer, ComparePanel and Storefront.

All logic lives in the client (requests, errors), analysis (comparison) and plots (figures); the panels
turn controls into requests and results into tables and ``go.FigureWidget``s. ``lab.explorer()``,
``lab.compare_panel()`` and ``lab.storefront()`` build them from a :class:`~personalize_lab.client.Lab`.
"""

from personalize_lab.widgets._request import RequestSpec
from personalize_lab.widgets.compare import ComparePanel
from personalize_lab.widgets.explorer import Explorer
from personalize_lab.widgets.storefront import Storefront

__all__ = ["ComparePanel", "Explorer", "RequestSpec", "Storefront"]
