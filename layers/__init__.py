"""The one registry of datasets. The UI and the tests iterate over it.

Adding a layer is one new module plus one line in REGISTRY (order = load order: a layer
comes after the layers it `requires`).
"""

from __future__ import annotations

from .base import Layer, LayerData, Metric, Provenance  # noqa: F401
from .boundaries import Boundaries
from .care import Care
from .cem_cases import CemCases
from .centros_poblados import CentrosPoblados
from .child_population import ChildPopulation
from .demuna import Demuna
from .fistrap_pnp import Fistrap, PnpTrata
from .migration import Migration
from .mimp_directorio import Cem, Sar
from .population import Population
from .poverty2018 import Poverty2018
from .poverty_enaho import PovertyEnaho
from .trata_importada import TrataImportada
from .trata_reportada import TrataReportada
from .upe import Upe

REGISTRY: tuple[Layer, ...] = (
    Boundaries(),
    Population(),
    Poverty2018(),
    PovertyEnaho(),
    Migration(),
    CemCases(),
    ChildPopulation(),
    TrataReportada(),
    TrataImportada(),
    Upe(),
    Fistrap(),
    PnpTrata(),
    Cem(),
    Sar(),
    Demuna(),
    Care(),
    CentrosPoblados(),
)

LAYERS = {layer.id: layer for layer in REGISTRY}
