"""Administrative boundaries: the four map levels, area names, reference points, geometry.

Source: mapsPERU v2.0.0 (GPL-3), cleaned and simplified for the project (see the data
README). Display geometry is the coverage-simplified GeoJSON, further quantised to 3
decimals (about 110 m) so that the department map weighs under 90 KB gzipped; shared
borders stay identical because both sides round the same way.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .base import CODE_LENGTH, LEVELS, Layer, LayerData, LoadContext, Provenance, require_codes, require_columns, text
from .datadir import DataFileError
from .ubigeo import LIMA_METRO_REGION, LIMA_PROVINCIAS_REGION, normalize_code, region_of

FILES = {
    "district": "boundaries/peru_distritos_s0025.geojson",
    "province": "boundaries/peru_provincias_s005.geojson",
    "department": "boundaries/peru_departamentos_s005.geojson",
    "region": "boundaries/peru_regiones_s005.geojson",
}
CODE_FIELD = {
    "district": "ubigeo",
    "province": "ubigeo_prov",
    "department": "ubigeo_dep",
    "region": "cod_region",
}
NAME_FIELD = {
    "district": "distrito",
    "province": "provincia",
    "department": "departamento",
    "region": "region",
}
EXPECTED_COUNT = {"district": 1891, "province": 196, "department": 25, "region": 26}
CAPITALS_FILE = "population/inei_distritos_2025.csv"
PERU_BBOX = (-81.4, -18.4, -68.6, 0.1)  # lon/lat, generous
DISPLAY_DECIMALS = 3


@dataclass
class Geography:
    """Everything about places that the rest of the app asks for."""

    districts: pd.DataFrame  # hierarchy + capital coordinates, one row per district
    areas: dict[str, pd.DataFrame]  # level -> code, name, ubigeo_dep, lat, lon, bbox
    shapes: dict[str, gpd.GeoDataFrame]  # level -> code, geometry (display resolution)
    _geojson: dict[tuple, bytes] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __getstate__(self) -> dict:  # picklable for the start-up cache (atlas/warm.py): no lock
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def area(self, level: str, code: str) -> pd.Series | None:
        table = self.areas[level]
        if code not in table.index:
            return None
        return table.loc[code]

    # A focus is a department code ("16") or one of the two halves of Lima as a region
    # ("150100" Lima Metropolitana, "159900" Lima Provincias); "" or None is all Peru.

    def focus_mask(self, level: str, focus: str | None) -> np.ndarray:
        """Which areas of `level` belong to the focus (a Lima region focus keeps the whole
        Lima department at department level, the department that holds it)."""
        table = self.areas[level]
        if not focus:
            return np.ones(len(table), dtype=bool)
        if len(focus) == 2:
            return (table["ubigeo_dep"] == focus).to_numpy()
        if level == "department":
            return (table.index == focus[:2])
        if level == "region":
            return (table.index == focus)
        return (region_of(table.index.to_series()) == focus).to_numpy()

    def is_focus(self, focus: object) -> bool:
        """A department code, or a region that is not a whole department (Lima's halves)."""
        if not isinstance(focus, str):
            return False
        if len(focus) == 2:
            return focus in self.areas["department"].index
        return focus in self.areas["region"].index and not focus.endswith("0000")

    def focus_name(self, focus: str | None) -> str:
        if not focus:
            return ""
        return self.name("department" if len(focus) == 2 else "region", focus)

    def focus_bbox(self, focus: str | None) -> tuple[float, ...]:
        """Lon/lat box of the focus (all Peru when empty)."""
        return self.bbox("department" if not focus or len(focus) == 2 else "region", focus)

    def codes(self, level: str, focus: str | None = None) -> pd.Index:
        table = self.areas[level]
        return table.index[self.focus_mask(level, focus)]

    def name(self, level: str, code: str) -> str:
        row = self.area(level, code)
        return "" if row is None else str(row["name"])

    def bbox(self, level: str = "department", focus: str | None = None) -> tuple[float, ...]:
        table = self.areas[level][self.focus_mask(level, focus)]
        return (
            float(table["minx"].min()),
            float(table["miny"].min()),
            float(table["maxx"].max()),
            float(table["maxy"].max()),
        )

    def geojson_bytes(
        self, level: str, focus: str | None = None, codes: tuple[str, ...] | None = None
    ) -> bytes:
        """Display GeoJSON (feature id = area code, no properties) for a level and focus,
        or for an explicit set of area codes."""
        key = (level, focus, codes)
        cached = self._geojson.get(key)
        if cached is not None:
            return cached
        shapes = self.shapes[level]
        if focus:
            shapes = shapes[self.focus_mask(level, focus)]
        if codes is not None:
            shapes = shapes[shapes.index.isin(codes)]
        body = feature_collection(shapes.index, shapes.geometry.to_numpy())
        with self._lock:
            self._geojson[key] = body
        return body


def _quantized_ring(coords, decimals: int) -> np.ndarray | None:
    ring = np.round(np.asarray(coords)[:, :2], decimals)
    keep = np.ones(len(ring), dtype=bool)
    keep[1:] = np.any(ring[1:] != ring[:-1], axis=1)
    ring = ring[keep]
    return ring if len(ring) >= 4 else None  # a ring collapsed by rounding is dropped


def quantize(geometries: np.ndarray, decimals: int = DISPLAY_DECIMALS) -> np.ndarray:
    """Round coordinates, drop the repeated points and the tiny rings rounding creates."""
    out = []
    for geom in geometries:
        polygons = []
        for poly in getattr(geom, "geoms", [geom]):
            shell = _quantized_ring(poly.exterior.coords, decimals)
            if shell is None:
                continue
            holes = [h for h in (_quantized_ring(r.coords, decimals) for r in poly.interiors) if h is not None]
            polygons.append(shapely.Polygon(shell, holes))
        if not polygons:  # an area smaller than the grid: keep it as is
            polygons = list(getattr(geom, "geoms", [geom]))
        out.append(polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons))
    return np.asarray(out, dtype=object)


def feature_collection(codes: pd.Index, geometries: np.ndarray) -> bytes:
    parts = [
        '{"type":"Feature","id":"%s","properties":{},"geometry":%s}' % (code, geom)
        for code, geom in zip(codes, shapely.to_geojson(geometries))
    ]
    return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()


def _read_level(ctx: LoadContext, level: str) -> gpd.GeoDataFrame:
    path = FILES[level]
    try:
        gdf = gpd.read_file(ctx.data.path(path))
    except DataFileError:
        raise
    except Exception as err:  # pyogrio raises many kinds for a corrupt file
        raise DataFileError(path, f"cannot be read as GeoJSON ({err})") from err
    require_columns(gdf, [CODE_FIELD[level], NAME_FIELD[level]], path)
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise DataFileError(path, f"CRS must be EPSG:4326, found {gdf.crs}")
    gdf[CODE_FIELD[level]] = gdf[CODE_FIELD[level]].astype("string")
    require_codes(gdf[CODE_FIELD[level]], CODE_LENGTH[level], path, CODE_FIELD[level])
    if len(gdf) != EXPECTED_COUNT[level]:
        raise DataFileError(path, f"expected {EXPECTED_COUNT[level]} areas, found {len(gdf)}")
    if gdf[CODE_FIELD[level]].duplicated().any():
        raise DataFileError(path, "duplicate area codes")
    invalid = ~gdf.geometry.is_valid | gdf.geometry.is_empty
    if invalid.any():
        raise DataFileError(path, f"{int(invalid.sum())} invalid or empty geometries")
    minx, miny, maxx, maxy = gdf.total_bounds
    if minx < PERU_BBOX[0] or miny < PERU_BBOX[1] or maxx > PERU_BBOX[2] or maxy > PERU_BBOX[3]:
        raise DataFileError(path, f"geometry outside Peru's bounding box ({gdf.total_bounds})")
    return gdf


def _capitals(ctx: LoadContext) -> pd.DataFrame:
    path = CAPITALS_FILE
    df = pd.read_csv(ctx.data.path(path), sep=";", dtype=str, encoding="utf-8-sig")
    require_columns(df, ["ubigeo", "capital_legal", "latitud", "longitud"], path)
    df["ubigeo"] = normalize_code(df["ubigeo"])
    require_codes(df["ubigeo"], 6, path, "ubigeo")
    out = pd.DataFrame(
        {
            "ubigeo": df["ubigeo"],
            "capital_name": df["capital_legal"],
            "capital_lat": pd.to_numeric(df["latitud"], errors="coerce"),
            "capital_lon": pd.to_numeric(df["longitud"], errors="coerce"),
        }
    )
    bad = out["capital_lat"].isna() | out["capital_lon"].isna()
    if bad.any():
        raise DataFileError(path, f"{int(bad.sum())} districts without capital coordinates")
    return out.drop_duplicates("ubigeo").set_index("ubigeo")


def capital_district(level: str, code: str) -> str:
    """District holding the capital of an area (INEI numbering: capital district is 01)."""
    if level == "district":
        return code
    if level == "province":
        return code + "01"
    if level == "department":
        return code + "0101"
    # regions
    if code == LIMA_METRO_REGION:
        return "150101"
    if code == LIMA_PROVINCIAS_REGION:
        return "150801"  # Huacho, seat of the Lima regional government
    return code[:2] + "0101"


class Boundaries(Layer):
    id = "boundaries"
    kind = "base"
    requires = ()
    title = text("Límites administrativos", "Administrative boundaries")
    provenance = Provenance(
        source=text(
            "INEI, límites vía mapsPERU v2.0.0 (J. L. C. Musaja); limpiados y simplificados",
            "INEI limits via mapsPERU v2.0.0 (J. L. C. Musaja); cleaned and simplified",
        ),
        year="2023",
        licence="GPL-3.0",
        url="https://github.com/musajajorge/mapsPERU",
        level=text("departamento, región, provincia, distrito", "department, region, province, district"),
        files=tuple(FILES.values()) + (CAPITALS_FILE,),
        caveats=text(
            "Geometría simplificada para pantalla (≈ 250–500 m). Falta Santa Rosa de Loreto "
            "(160405, creado en 2025). Capitales: directorio de distritos INEI 2025.",
            "Geometry simplified for display (≈ 250–500 m). Santa Rosa de Loreto (160405, "
            "created 2025) is missing. Capitals: INEI 2025 district directory.",
        ),
    )

    def load(self, ctx: LoadContext) -> LayerData:
        frames = {level: _read_level(ctx, level) for level in LEVELS}
        districts = pd.DataFrame(frames["district"].drop(columns="geometry"))
        for col in ("ubigeo_prov", "ubigeo_dep", "cod_region"):
            districts[col] = districts[col].astype("string")
        self._check_nesting(districts)
        capitals = _capitals(ctx)
        missing_capital = districts.index[~districts["ubigeo"].isin(capitals.index)]
        if len(missing_capital):
            raise DataFileError(
                CAPITALS_FILE, f"{len(missing_capital)} boundary districts have no capital row"
            )
        districts = districts.join(capitals, on="ubigeo")
        districts = districts.set_index("ubigeo", drop=False)
        districts.index.name = "code"

        dep_names = frames["department"].set_index("ubigeo_dep")["departamento"]
        areas: dict[str, pd.DataFrame] = {}
        shapes: dict[str, gpd.GeoDataFrame] = {}
        for level in LEVELS:
            gdf = frames[level]
            codes = gdf[CODE_FIELD[level]].astype(str)
            bounds = gdf.geometry.bounds
            table = pd.DataFrame(
                {
                    "name": gdf[NAME_FIELD[level]].astype(str).to_numpy(),
                    "ubigeo_dep": codes.str[:2].to_numpy(),
                    "minx": bounds["minx"].to_numpy(),
                    "miny": bounds["miny"].to_numpy(),
                    "maxx": bounds["maxx"].to_numpy(),
                    "maxy": bounds["maxy"].to_numpy(),
                },
                index=pd.Index(codes.to_numpy(), name="code"),
            )
            table["department"] = table["ubigeo_dep"].map(dep_names).astype(str)
            capital = [capitals.loc[capital_district(level, c)] for c in table.index]
            table["capital_name"] = [c["capital_name"] for c in capital]
            table["lat"] = [float(c["capital_lat"]) for c in capital]
            table["lon"] = [float(c["capital_lon"]) for c in capital]
            if level == "district":
                table["province"] = districts.loc[table.index, "provincia"].to_numpy()
            elif level == "province":
                table["province"] = table["name"]
            else:
                table["province"] = ""
            areas[level] = table.sort_index()
            shape = gpd.GeoDataFrame(
                {"geometry": quantize(gdf.geometry.to_numpy())},
                index=pd.Index(codes.to_numpy(), name="code"),
                crs="EPSG:4326",
            )
            shapes[level] = shape.sort_index()
        # full-resolution-ish district polygons for point-in-polygon checks
        shapes["district_exact"] = gpd.GeoDataFrame(
            {"geometry": frames["district"].geometry.to_numpy()},
            index=pd.Index(frames["district"]["ubigeo"].astype(str).to_numpy(), name="code"),
            crs="EPSG:4326",
        ).sort_index()
        geo = Geography(districts=districts.sort_index(), areas=areas, shapes=shapes)
        return LayerData(frame=geo, source=geo.districts)

    @staticmethod
    def _check_nesting(districts: pd.DataFrame) -> None:
        path = FILES["district"]
        code = districts["ubigeo"].astype(str)
        if not (districts["ubigeo_prov"].astype(str) == code.str[:4]).all():
            raise DataFileError(path, "ubigeo_prov does not match the first 4 digits of ubigeo")
        if not (districts["ubigeo_dep"].astype(str) == code.str[:2]).all():
            raise DataFileError(path, "ubigeo_dep does not match the first 2 digits of ubigeo")
