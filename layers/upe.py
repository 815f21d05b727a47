"""MIMP Unidades de Protección Especial (UPE): all 26, with address-level coordinates,
from the national MIMP directory (`layers.mimp_directorio`)."""

from __future__ import annotations

from .base import Layer, LayerData, LoadContext, text
from .datadir import DataFileError
from .mimp_directorio import PATH, directory_points, directory_provenance

EXPECTED = 26


class Upe(Layer):
    id = "upe"
    kind = "points"
    title = text("UPE: Unidades de Protección Especial (MIMP)", "UPE: Special Protection Units (MIMP)")
    short = text("UPE", "UPE")
    color = "#1f4e9c"
    size = 8
    provenance = directory_provenance(
        "dirección (coordenadas)",
        "address (coordinates)",
        "26 UPE; ninguna en Pasco; Lima tiene 3 y Callao 1. La UPE de Huánuco tiene "
        "coordenadas que caen en otro distrito (control de calidad de la fuente).",
        "26 UPEs; none in Pasco; Lima has 3, Callao 1. The Huánuco UPE's coordinates fall "
        "in another district (the source's own quality check).",
    )

    def load(self, ctx: LoadContext) -> LayerData:
        data = directory_points(ctx, self.id, "UPE")
        if len(data.frame) != EXPECTED:
            raise DataFileError(PATH, f"expected {EXPECTED} UPEs, found {len(data.frame)}")
        return data
