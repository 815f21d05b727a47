"""The travel model's numbers, read from `data/parametros_viaje.csv` (one row per parameter).

Each row has a `low`, `central` and `high` value: the values used by the pessimistic
("low speeds"), central and optimistic ("high speeds") variants of the model. For a factor
that lengthens a trip (detour, road length, waiting at a port) the `low` column is therefore
the larger number. Every row cites a page or states its reason; nothing here is fitted to
the validation trips (`data/tiempos_viaje_citados.csv`).
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

from layers.datadir import AUTHORED_DIR

PARAMS_FILE = "parametros_viaje.csv"
LINKS_FILE = "enlaces_viales_citados.csv"
VARIANTS = ("low", "central", "high")
BOATS = ("lancha", "rapido")
REGIONS = ("Costa", "Sierra", "Selva")
REQUIRED = (
    "road_kmh_costa", "road_kmh_sierra", "road_kmh_selva", "road_length_factor",
    "lancha_down_kmh", "lancha_up_kmh", "rapido_down_kmh", "rapido_up_kmh",
    "walk_kmh_costa", "walk_kmh_sierra", "walk_kmh_selva", "walk_detour", "max_walk_km",
    "port_snap_km", "port_transfer_h", "line_snap_km", "river_join_km", "navigable_class_max", "cutoff_h",
)


@dataclass(frozen=True)
class Params:
    """One variant's values (name -> number) and the file's sha256 (for cache keys)."""

    values: dict[str, float]
    variant: str
    boat: str
    sha256: str

    def __getitem__(self, name: str) -> float:
        return self.values[name]

    def road_kmh(self, region: str) -> float:
        return self.values[f"road_kmh_{region.lower()}"]

    def walk_kmh(self, region: str) -> float:
        return self.values[f"walk_kmh_{region.lower()}"]

    def boat_kmh(self, downstream: bool) -> float:
        return self.values[f"{self.boat}_{'down' if downstream else 'up'}_kmh"]


def read_rows(path: Path | None = None) -> list[dict[str, str]]:
    path = path or AUTHORED_DIR / PARAMS_FILE
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def load_params(variant: str = "central", boat: str = "lancha", path: Path | None = None) -> Params:
    """The values of one variant; raises ValueError naming the file and the bad row."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {', '.join(VARIANTS)} (got {variant!r})")
    if boat not in BOATS:
        raise ValueError(f"boat must be one of {', '.join(BOATS)} (got {boat!r})")
    path = path or AUTHORED_DIR / PARAMS_FILE
    rows = read_rows(path)
    values: dict[str, float] = {}
    for row in rows:
        name = (row.get("param") or "").strip()
        try:
            number = float(row[variant])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"{path.name}: {name or '(unnamed row)'} has no numeric {variant} value") from None
        if not math.isfinite(number) or number < 0:
            raise ValueError(f"{path.name}: {name} must be a finite number >= 0 (got {row[variant]})")
        if not (row.get("source_url") or "").startswith("http") or not (row.get("reason") or "").strip():
            raise ValueError(f"{path.name}: {name} needs a source_url and a reason")
        values[name] = number
    missing = [p for p in REQUIRED if p not in values]
    if missing:
        raise ValueError(f"{path.name}: missing parameters {', '.join(missing)}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Params(values, variant, boat, digest)
