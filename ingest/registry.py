"""A user's own services registry (CSV or XLSX): read, validate, neutralise.

Pure code, no Dash. The browser sends the file; the server validates it here and returns
the valid rows as point records (POINT_COLUMNS plus ``source``) and a list of problems,
each with row, column and a message in Spanish and English. Nothing is kept on the
server: the caller keeps the records in the user's own browser session.

What is checked, in order:

1. size (5 MB), before decoding anything;
2. format (XLSX by its zip signature, else text) and encoding (UTF-8 with or without BOM,
   UTF-16 with BOM, Windows-1252 / Latin-1);
3. header: required columns (type, name, source, and ubigeo or lat + lon), es/en names;
4. each row: known service type (never a shelter: CARE locations are confidential and
   cannot be mapped as points), UBIGEO exists, coordinates are numbers inside Peru and
   within `TOLERANCE_KM` of the stated district, status is known, cells are not huge,
   no duplicates (in the file or among the units already loaded).

Every text cell that is kept or echoed is neutralised against spreadsheet formula
injection (`safe_cell`): a cell starting with = + - @ tab or CR gets a leading quote.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import csv
import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import (
    Decimal,  # a number written with its six decimals, never quoted as text
)
from typing import Iterable, Protocol, Sequence

from ingest.text import LANGS, Text, decode, safe_text, text
from ingest.text import fold as fold_text
from ingest.text import sniff_delimiter as sniff

PERU_BBOX = (-81.4, -18.4, -68.6, 0.1)  # lon/lat, generous


class DistrictIndex(Protocol):
    """What the checks need of the districts (built by `analysis.districts.DistrictIndex`)."""

    names: dict[str, str]
    capital: dict[str, tuple[float, float]]

    def known(self, code: str) -> bool: ...

    def km_outside(self, code: str, lat: float, lon: float) -> float: ...

    def district_of(self, lat: float, lon: float) -> tuple[str | None, float]: ...

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000  # data rows in one file, and units kept in one session
MAX_ERRORS = 500  # problems listed (the count says how many there were)
MAX_CELL = {"name": 200, "source": 300}
MAX_OTHER_CELL = 60
MAX_XLSX_UNPACKED = 60 * 1024 * 1024  # a 5 MB xlsx that unpacks beyond this is refused
MAX_COLUMNS = 60
TOLERANCE_KM = 2.0
ECHO_CHARS = 40
USER_SERVICE = "user"  # the map's service id for units uploaded by the user

POINT_TYPES: dict[str, Text] = {
    "upe": text("UPE: Unidad de Protección Especial", "UPE: Special Protection Unit"),
    "fistrap": text("FISTRAP: fiscalía especializada en trata", "FISTRAP: specialized trafficking prosecutor"),
    "pnp_trata": text("PNP: unidad especializada contra la trata", "PNP: specialized anti-trafficking police unit"),
    "cem": text("CEM: Centro Emergencia Mujer", "CEM: Women's Emergency Centre"),
    "sar": text("SAR: Servicio de Atención Rural", "SAR: Rural Care Service"),
    "demuna": text("DEMUNA: defensoría municipal del niño", "DEMUNA: municipal children's ombudsman"),
}
TYPE_ALIASES = {
    "PNP": "pnp_trata",
    "PNP TRATA": "pnp_trata",
    "PNP_TRATA": "pnp_trata",
    "FISCALIA": "fistrap",
}
SHELTER_TYPES = re.compile(
    r"^(CARES?|CARS?|HRT|HOGAR(ES)?|ALBERGUES?|REFUGIOS?|SHELTERS?|CASA REFUGIO|CENTROS? DE ACOGIDA)( |$)"
)
STATUS_ALIASES = {
    "VERIFIED": "verified", "VERIFICADA": "verified", "VERIFICADO": "verified",
    "WEAK": "weak", "EVIDENCIA DEBIL": "weak", "DEBIL": "weak",
    "CLAIM": "claim", "CLAIMED": "claim", "DECLARADA": "claim", "DECLARADO": "claim",
}
COLUMN_ALIASES = {
    "type": ("TIPO", "TYPE", "SERVICIO", "SERVICE", "TIPO DE SERVICIO"),
    "name": ("NOMBRE", "NAME"),
    "ubigeo": ("UBIGEO", "CODIGO UBIGEO", "UBIGEO DISTRITO"),
    "lat": ("LAT", "LATITUD", "LATITUDE"),
    "lon": ("LON", "LNG", "LONG", "LONGITUD", "LONGITUDE"),
    "status": ("ESTADO", "STATUS"),
    "source": ("FUENTE", "SOURCE"),
}
TEMPLATE_COLUMNS = ("tipo", "nombre", "ubigeo", "lat", "lon", "estado", "fuente")
COLUMN_HELP: dict[str, Text] = {
    "type": text(
        "obligatorio: upe, fistrap, pnp_trata, cem, sar o demuna. Nunca albergues (CAR/CARE): su "
        "ubicación es confidencial y no se mapea como punto",
        "required: upe, fistrap, pnp_trata, cem, sar or demuna. Never shelters (CAR/CARE): their "
        "location is confidential and is not mapped as a point",
    ),
    "name": text("obligatorio: nombre del servicio (máx. 200 caracteres)", "required: name of the service (max. 200 characters)"),
    "ubigeo": text(
        "código INEI de 6 dígitos del distrito; obligatorio si no hay lat/lon (el punto se ubica en la capital del distrito)",
        "6-digit INEI district code; required without lat/lon (the point is placed at the district capital)",
    ),
    "lat": text("latitud en grados decimales (WGS84), p. ej. -12.0464", "latitude in decimal degrees (WGS84), e.g. -12.0464"),
    "lon": text(
        f"longitud en grados decimales; con ubigeo, el punto debe caer en ese distrito (tolerancia {TOLERANCE_KM:g} km)",
        f"longitude in decimal degrees; with a ubigeo the point must fall in that district ({TOLERANCE_KM:g} km tolerance)",
    ),
    "status": text(
        "opcional: verificada, evidencia_debil o declarada (vacío = sin dato)",
        "optional: verified, weak or claim (blank = no data)",
    ),
    "source": text(
        "obligatorio: de dónde sale el dato (documento, página, fecha)",
        "required: where the fact comes from (document, page, date)",
    ),
}
EXAMPLE_PREFIXES = ("EJEMPLO", "EXAMPLE")

# ------------------------------------------------------------------------- cells


def echo(value: object) -> str:
    """A cell as quoted back in a message: neutralised and cut short."""
    out = safe_text(value).replace("\r", " ").replace("\n", " ").strip()
    return out if len(out) <= ECHO_CHARS else out[: ECHO_CHARS - 1] + "…"


def fold(value: str) -> str:
    """Column names, types and statuses as compared: the toolkit's fold, keeping '_'."""
    return fold_text(value, keep="_")


def rows_to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (UTF-8 with BOM added by the caller if wanted) with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow([safe_text(v) for v in row])
    return out.getvalue()


# ---------------------------------------------------------------------- results


@dataclass(frozen=True)
class RowError:
    """One problem: spreadsheet row (1 = first line; None = the whole file), column, message."""

    row: int | None
    column: str
    problem: Text

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, **{lang: self.problem[lang] for lang in LANGS}}


@dataclass
class UploadResult:
    records: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    n_errors: int = 0  # may exceed len(errors) (capped at MAX_ERRORS)
    n_rows: int = 0  # data rows read (blank and comment rows excluded)
    encoding: str = ""
    file_format: str = ""
    refused: bool = False  # the file as a whole could not be read: no row is usable
    ignored_columns: tuple[str, ...] = ()

    def add(self, row: int | None, column: str, es: str, en: str) -> None:
        self.n_errors += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, text(es, en)))

    def refuse(self, es: str, en: str, column: str = "") -> "UploadResult":
        self.refused = True
        self.records = []
        self.add(None, column, es, en)
        return self

    @property
    def rows_with_errors(self) -> int:
        return len({e.row for e in self.errors if e.row is not None})

    def summary(self) -> dict:
        return {
            "n_rows": self.n_rows,
            "n_valid": len(self.records),
            "n_errors": self.n_errors,
            "encoding": self.encoding,
            "format": self.file_format,
            "refused": self.refused,
            "ignored_columns": list(self.ignored_columns),
            "errors": [e.as_dict() for e in self.errors],
        }


# ------------------------------------------------------------------- places index


# ----------------------------------------------------------------------- reading


def bytes_from_data_url(contents: object, max_bytes: int = MAX_BYTES) -> tuple[bytes | None, Text | None]:
    """The file inside a browser data URL (``data:...;base64,...``), size checked first.

    Returns (bytes, None) or (None, problem). The size is judged from the base64 length,
    before anything is decoded.
    """
    if not isinstance(contents, str) or "," not in contents[:300]:
        return None, text("No se recibió un archivo legible.", "No readable file was received.")
    head, _, body = contents.partition(",")
    if ";base64" not in head:
        return None, text("No se recibió un archivo legible.", "No readable file was received.")
    approx = len(body) * 3 // 4
    if approx > max_bytes + 3:
        return None, too_large_text(approx, max_bytes)
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return None, text("El archivo llegó dañado (base64 inválido).", "The file arrived damaged (invalid base64).")
    if len(data) > max_bytes:
        return None, too_large_text(len(data), max_bytes)
    return data, None


def too_large_text(size: int, max_bytes: int = MAX_BYTES) -> Text:
    mb = size / (1024 * 1024)
    limit = max_bytes / (1024 * 1024)
    return text(
        f"El archivo pesa {mb:.1f} MB; el límite es {limit:g} MB. Divídalo en partes más pequeñas.".replace(".", ",", 1),
        f"The file is {mb:.1f} MB; the limit is {limit:g} MB. Split it into smaller files.",
    )


def decode_text(data: bytes) -> tuple[str | None, str, Text | None]:
    """(text, encoding name, problem)."""
    if data.startswith(codecs.BOM_UTF8):
        decoded = decode(data)
        if decoded.bad_byte is None:
            return decoded.text, decoded.encoding, None
        return None, "UTF-8 (BOM)", text(
            f"El archivo dice ser UTF-8 pero tiene bytes inválidos (posición {decoded.bad_byte}). Guárdelo de nuevo como «CSV UTF-8».",
            f"The file says it is UTF-8 but has invalid bytes (position {decoded.bad_byte}). Save it again as 'CSV UTF-8'.",
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16", None
        except UnicodeDecodeError:
            return None, "UTF-16", text("Texto UTF-16 dañado.", "Damaged UTF-16 text.")
    if b"\x00" in data:
        return None, "", text(
            "No es un archivo de texto CSV ni un XLSX (contiene bytes nulos).",
            "This is neither a CSV text file nor an XLSX (it holds null bytes).",
        )
    decoded, encoding, _ = decode(data)
    if encoding == "UTF-8":
        return decoded, encoding, None
    if implausible_share(decoded) > MAX_IMPLAUSIBLE:
        return None, encoding, text(
            "La codificación del archivo no es UTF-8 ni Windows-1252/Latin-1 (¿Shift-JIS, GBK…?): los nombres "
            "saldrían ilegibles. Guárdelo de nuevo como «CSV UTF-8».",
            "The file's encoding is neither UTF-8 nor Windows-1252/Latin-1 (Shift-JIS, GBK…?): names would come "
            "out garbled. Save it again as 'CSV UTF-8'.",
        )
    return decoded, encoding, None


# Characters a Spanish (or English) registry may hold beyond ASCII; in a file read with the
# wrong single-byte code page most non-ASCII characters are something else.
PLAUSIBLE = set("áéíóúüñÁÉÍÓÚÜÑàèìòùÀÈÌÒÙâêîôûçÇ¿¡°ºª«»·–—‘’“”€ \u00a0")
MAX_IMPLAUSIBLE = 0.3


def implausible_share(decoded: str) -> float:
    """Share of the non-ASCII characters that no Spanish text would hold (control
    characters, box drawing, rare symbols): high when a file was read in the wrong code page."""
    odd = [c for c in decoded if ord(c) > 127]
    if len(odd) < 3:
        return 0.0
    return sum(c not in PLAUSIBLE for c in odd) / len(odd)


KNOWN_HEADERS = {alias for aliases in COLUMN_ALIASES.values() for alias in aliases}


def sniff_delimiter(text_: str) -> str:
    """The delimiter under which some early line reads as the most known column names
    (Spanish Excel writes ';')."""
    return sniff(text_, lambda cell: fold(cell) in KNOWN_HEADERS, MAX_COLUMNS)


BLANK: list[str] = []  # every blank row, shared (a file of blank lines costs no memory)


def csv_rows(text_: str, result: UploadResult) -> list[list[str]] | None:
    delimiter = sniff_delimiter(text_)
    reader = csv.reader(io.StringIO(text_, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    filled = 0  # blank lines do not count toward the row cap (they cost one shared list)
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                rows.append(BLANK)
                continue
            rows.append(row[: MAX_COLUMNS + 1])
            filled += 1
            if filled > MAX_ROWS + 200:
                break
    except csv.Error as err:
        result.refuse(
            f"No se puede leer el CSV cerca de la fila {len(rows) + 1}: {echo(err)}.",
            f"The CSV cannot be read near row {len(rows) + 1}: {echo(err)}.",
        )
        return None
    return rows


def xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def xlsx_rows(data: bytes, result: UploadResult) -> list[list[str]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > 2000 or sum(i.file_size for i in infos) > MAX_XLSX_UNPACKED:
                result.refuse(
                    "El XLSX se descomprime a un tamaño excesivo; guárdelo como CSV.",
                    "The XLSX unpacks to an excessive size; save it as CSV.",
                )
                return None
    except zipfile.BadZipFile:
        result.refuse("El XLSX está dañado (no es un zip válido).", "The XLSX is damaged (not a valid zip).")
        return None
    try:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            rows = []
            filled = 0
            for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
                cells = [xlsx_cell(v) for v in row]
                if not any(cell.strip() for cell in cells):
                    rows.append(BLANK)
                    continue
                rows.append(cells)
                filled += 1
                if filled > MAX_ROWS + 200:
                    break
        finally:
            book.close()
    except Exception as err:  # openpyxl raises many kinds for a damaged workbook
        result.refuse(
            f"No se puede leer el XLSX ({type(err).__name__}). Guárdelo de nuevo o expórtelo como CSV.",
            f"The XLSX cannot be read ({type(err).__name__}). Save it again or export it as CSV.",
        )
        return None
    return rows


def read_rows(data: bytes, result: UploadResult) -> list[list[str]] | None:
    """Raw rows (lists of text cells) of a CSV or XLSX file, or None when refused."""
    if data.startswith(b"PK\x03\x04"):
        result.file_format, result.encoding = "XLSX", "—"
        return xlsx_rows(data, result)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        result.refuse(
            "Es un archivo de Excel antiguo (.xls) o protegido con contraseña: guárdelo como .xlsx o CSV.",
            "This is an old Excel file (.xls) or a password-protected one: save it as .xlsx or CSV.",
        )
        return None
    result.file_format = "CSV"
    decoded, encoding, problem = decode_text(data)
    result.encoding = encoding
    if problem:
        result.refuse(problem["es"], problem["en"])
        return None
    return csv_rows(decoded, result)


# ---------------------------------------------------------------------- validation


def map_header(header: list[str], result: UploadResult) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    ignored = []
    for i, name in enumerate(header):
        folded = fold(name.replace("\ufeff", ""))
        canonical = next((key for key, aliases in COLUMN_ALIASES.items() if folded in aliases), None)
        if canonical is None:
            if folded:
                ignored.append(echo(name))
            continue
        if canonical in columns:
            result.refuse(
                f"La columna «{echo(name)}» aparece dos veces.",
                f"Column '{echo(name)}' appears twice.",
                column=echo(name),
            )
            return None
        columns[canonical] = i
    result.ignored_columns = tuple(ignored[:20])
    missing = [c for c in ("type", "name", "source") if c not in columns]
    has_coords = "lat" in columns and "lon" in columns
    if "ubigeo" not in columns and not has_coords:
        missing.append("ubigeo | lat + lon")
    if ("lat" in columns) != ("lon" in columns):
        missing.append("lon" if "lat" in columns else "lat")
    if missing:
        names_es = {"type": "tipo", "name": "nombre", "source": "fuente"}
        result.refuse(
            "Faltan columnas obligatorias: " + ", ".join(names_es.get(m, m) for m in missing)
            + ". Use la plantilla (encabezados: " + ", ".join(TEMPLATE_COLUMNS) + ").",
            "Required columns are missing: " + ", ".join(missing)
            + ". Use the template (headers: " + ", ".join(TEMPLATE_COLUMNS) + ").",
            column=", ".join(missing),
        )
        return None
    return columns


def parse_coordinate(raw: str) -> float | None:
    value = raw.strip().replace("\u2212", "-")
    if "," in value and "." not in value:
        value = value.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", value):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def normalize_ubigeo(raw: str) -> str | None:
    value = raw.strip()
    value = re.sub(r"\.0+$", "", value)
    if not value.isdigit() or not value.isascii():
        return None
    if len(value) == 5:  # a spreadsheet dropped the leading zero
        value = "0" + value
    return value if len(value) == 6 else None


def in_peru_box(lat: float, lon: float) -> bool:
    minx, miny, maxx, maxy = PERU_BBOX
    return miny <= lat <= maxy and minx <= lon <= maxx


def unit_id(service: str, name: str, ubigeo: str) -> str:
    digest = hashlib.sha1(f"{service}|{fold(name)}|{ubigeo}".encode()).hexdigest()[:12]
    return f"{USER_SERVICE}:{digest}"


def unit_record(service: str, name: str, code: str, lat: float, lon: float, precision: str, status: str, source: str) -> dict:
    """One of the user's units as it is kept in the browser's session store."""
    return {
        "id": unit_id(service, name, code),
        "service": service,
        "name": name,
        "ubigeo": code,
        "ubigeo_dep": code[:2],
        "lat": lat,
        "lon": lon,
        "precision": precision,
        "status": status,
        "note": "",
        "source": source,
    }


def validate_row(
    cells: list[str],
    row: int,
    columns: dict[str, int],
    header: list[str],
    places: DistrictIndex,
    result: UploadResult,
) -> dict | None:
    def cell(key: str) -> str:
        i = columns.get(key)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    def col(key: str) -> str:
        i = columns.get(key)
        return echo(header[i]) if i is not None else key

    ok = True

    def bad(key: str, es: str, en: str) -> None:
        nonlocal ok
        ok = False
        result.add(row, col(key), es, en)

    if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
        bad(
            "name",
            f"La fila tiene {len(cells)} celdas y el encabezado {len(header)}: ¿una coma dentro de un nombre? Póngalo entre comillas.",
            f"The row has {len(cells)} cells and the header {len(header)}: a comma inside a name? Put it in quotes.",
        )
    for key, limit in {**MAX_CELL, "type": MAX_OTHER_CELL, "ubigeo": MAX_OTHER_CELL, "lat": MAX_OTHER_CELL,
                       "lon": MAX_OTHER_CELL, "status": MAX_OTHER_CELL}.items():
        if len(cell(key)) > limit:
            bad(key, f"Celda demasiado larga ({len(cell(key))} caracteres; máximo {limit}).",
                f"Cell too long ({len(cell(key))} characters; at most {limit}).")
    if not ok:
        return None

    # type
    raw_type = cell("type")
    folded = fold(raw_type)
    service = folded.lower() if folded.lower() in POINT_TYPES else TYPE_ALIASES.get(folded)
    if not raw_type:
        bad("type", "Falta el tipo de servicio.", "The service type is missing.")
    elif SHELTER_TYPES.match(folded.replace("_", " ")):
        bad(
            "type",
            f"«{echo(raw_type)}»: los albergues (CAR, CARE, hogares de refugio) no se pueden mapear como puntos: "
            "su ubicación es confidencial. Cobertura solo los cuenta por provincia.",
            f"'{echo(raw_type)}': shelters (CAR, CARE, temporary shelters) cannot be mapped as points: their "
            "location is confidential. Cobertura only counts them per province.",
        )
    elif service is None:
        bad(
            "type",
            f"Tipo desconocido «{echo(raw_type)}». Use uno de: {', '.join(POINT_TYPES)}.",
            f"Unknown type '{echo(raw_type)}'. Use one of: {', '.join(POINT_TYPES)}.",
        )

    # name and source
    name = safe_text(cell("name"))
    if not name:
        bad("name", "Falta el nombre.", "The name is missing.")
    elif fold(name).startswith(EXAMPLE_PREFIXES):
        bad("name", "Es una fila de ejemplo de la plantilla: bórrela.", "This is an example row from the template: delete it.")
    source = safe_text(cell("source"))
    if not source:
        bad("source", "Falta la fuente: sin fuente, un dato no se muestra como hecho.",
            "The source is missing: without a source a figure is not shown as fact.")

    # status
    raw_status = cell("status")
    status = "unknown"
    if raw_status:
        status = STATUS_ALIASES.get(fold(raw_status).replace("_", " "), STATUS_ALIASES.get(fold(raw_status)))
        if status is None:
            bad("status", f"Estado desconocido «{echo(raw_status)}». Use verificada, evidencia_debil o declarada (o déjelo vacío).",
                f"Unknown status '{echo(raw_status)}'. Use verified, weak or claim (or leave it blank).")

    # place
    raw_code = cell("ubigeo")
    code = None
    if raw_code:
        code = normalize_ubigeo(raw_code)
        if code is None:
            bad("ubigeo", f"«{echo(raw_code)}» no es un UBIGEO de 6 dígitos.", f"'{echo(raw_code)}' is not a 6-digit UBIGEO.")
        elif not places.known(code):
            bad("ubigeo", f"El UBIGEO {code} no existe entre los 1891 distritos del mapa.",
                f"UBIGEO {code} does not exist among the map's 1,891 districts.")
            code = None
    raw_lat, raw_lon = cell("lat"), cell("lon")
    lat = lon = None
    precision = "district_capital"
    if raw_lat or raw_lon:
        lat, lon = parse_coordinate(raw_lat), parse_coordinate(raw_lon)
        readable = True
        for key, raw, value, limit in (("lat", raw_lat, lat, 90), ("lon", raw_lon, lon, 180)):
            if not raw:
                readable = False
                bad(key, "Falta esta coordenada (lat y lon van juntas).", "This coordinate is missing (lat and lon go together).")
            elif value is None:
                readable = False
                bad(key, f"«{echo(raw)}» no es un número (use grados decimales, p. ej. -12.0464).",
                    f"'{echo(raw)}' is not a number (use decimal degrees, e.g. -12.0464).")
            elif abs(value) > limit:
                readable = False
                bad(key, f"{echo(raw)} no es una coordenada válida (máximo ±{limit}°).",
                    f"{echo(raw)} is not a valid coordinate (at most ±{limit}°).")
        if readable:
            precision = "user_coordinates"
            if not in_peru_box(lat, lon):
                swapped = in_peru_box(lon, lat)
                bad(
                    "lat",
                    f"Las coordenadas ({lat:g}, {lon:g}) están fuera del Perú"
                    + (": ¿latitud y longitud invertidas?" if swapped else "."),
                    f"The coordinates ({lat:g}, {lon:g}) are outside Peru"
                    + (": latitude and longitude swapped?" if swapped else "."),
                )
            elif code is not None:
                km = places.km_outside(code, lat, lon)
                if km > TOLERANCE_KM:
                    far = "" if math.isinf(km) else f" a {km:.1f} km".replace(".", ",")
                    far_en = "" if math.isinf(km) else f" {km:.1f} km"
                    bad(
                        "lat",
                        f"El punto cae{far} fuera del distrito {places.names[code]} (UBIGEO {code}); tolerancia {TOLERANCE_KM:g} km.",
                        f"The point falls{far_en} outside district {places.names[code]} (UBIGEO {code}); tolerance {TOLERANCE_KM:g} km.",
                    )
            elif not raw_code:
                found, km = places.district_of(lat, lon)
                if found is None or km > TOLERANCE_KM:
                    bad("lat", f"Las coordenadas ({lat:g}, {lon:g}) no caen en ningún distrito del Perú.",
                        f"The coordinates ({lat:g}, {lon:g}) fall in no district of Peru.")
                else:
                    code = found
    elif not raw_code:
        bad("ubigeo", "Falta la ubicación: indique el UBIGEO o lat y lon.", "The location is missing: give the UBIGEO or lat and lon.")
    if not ok or code is None or service is None:
        return None
    if lat is None or lon is None:
        lat, lon = places.capital[code]
    return {**unit_record(service, name, code, round(float(lat), 6), round(float(lon), 6), precision, status, source), "row": row}


def validate_upload(
    data: bytes, places: DistrictIndex, existing: Iterable[dict] = (), max_bytes: int = MAX_BYTES
) -> UploadResult:
    """Validate a registry file; the valid rows are returned only if they can be added.

    Parameters
    ----------
    data
        The file's bytes (CSV or XLSX).
    places
        District polygons and capitals (`DistrictIndex`).
    existing
        Units the user already loaded in this session (duplicates of them are refused).
    max_bytes
        Size limit (5 MB).
    """
    result = UploadResult()
    if not isinstance(data, (bytes, bytearray)) or len(data) > max_bytes:
        size = len(data) if isinstance(data, (bytes, bytearray)) else 0
        problem = too_large_text(size, max_bytes)
        return result.refuse(problem["es"], problem["en"])
    if not data.strip():
        return result.refuse("El archivo está vacío.", "The file is empty.")
    rows = read_rows(bytes(data), result)
    if rows is None:
        return result
    # skip leading blank and comment rows (the template's bilingual notes start with '#')
    start = 0
    while start < len(rows) and (not any(c.strip() for c in rows[start]) or rows[start][0].lstrip().startswith("#")):
        start += 1
    if start >= len(rows):
        return result.refuse("El archivo no tiene encabezado ni filas.", "The file has no header and no rows.")
    header = [str(h) for h in rows[start]]
    columns = map_header(header, result)
    if columns is None:
        return result
    body = [
        (number, cells)
        for number, cells in enumerate(rows[start + 1:], start=start + 2)
        if any(c.strip() for c in cells) and not cells[0].lstrip().startswith("#")
    ]
    if len(body) > MAX_ROWS:
        return result.refuse(
            f"El archivo tiene más de {MAX_ROWS:,} filas de datos; divídalo.".replace(",", " "),
            f"The file has more than {MAX_ROWS:,} data rows; split it.",
        )
    if not body:
        return result.refuse("El archivo no tiene filas de datos.", "The file has no data rows.")
    result.n_rows = len(body)
    seen: dict[str, int] = {}
    already = {r.get("id") for r in existing if isinstance(r, dict)}
    for number, cells in body:
        record = validate_row(cells, number, columns, header, places, result)
        if record is None:
            continue
        if record["id"] in seen:
            result.add(number, echo(header[columns["name"]]),
                       f"Duplicado de la fila {seen[record['id']]} (mismo tipo, nombre y distrito).",
                       f"Duplicate of row {seen[record['id']]} (same type, name and district).")
            continue
        if record["id"] in already:
            result.add(number, echo(header[columns["name"]]),
                       "Ya está entre sus unidades cargadas (mismo tipo, nombre y distrito).",
                       "Already among your uploaded units (same type, name and district).")
            continue
        seen[record["id"]] = number
        result.records.append(record)
    return result


# ---------------------------------------------------------- stored records (untrusted)

RECORD_KEYS = ("id", "service", "name", "ubigeo", "ubigeo_dep", "lat", "lon", "precision", "status", "note", "source")


def clean_records(records: object, places: DistrictIndex, limit: int = MAX_ROWS) -> tuple[list[dict], int]:
    """Units read back from the browser (they can be forged), checked again.

    Returns (valid records, number dropped). Cheap checks only: known type and district,
    finite coordinates near the district's box, bounded and neutralised text.
    """
    if not isinstance(records, list):
        return [], 0 if records in (None, "") else 1
    clean: list[dict] = []
    dropped = 0
    seen: set[str] = set()
    for record in records[: limit + 1]:
        unit = _clean_record(record, places)
        if unit is None or unit["id"] in seen or len(clean) >= limit:
            dropped += 1
            continue
        seen.add(unit["id"])
        clean.append(unit)
    dropped += max(len(records) - (limit + 1), 0)
    return clean, dropped


def _clean_record(record: object, places: DistrictIndex) -> dict | None:
    if not isinstance(record, dict):
        return None
    service, code = record.get("service"), record.get("ubigeo")
    name, source = record.get("name"), record.get("source")
    if service not in POINT_TYPES or not isinstance(code, str) or not places.known(code):
        return None
    if not isinstance(name, str) or not isinstance(source, str) or not name.strip() or not source.strip():
        return None
    if len(name) > MAX_CELL["name"] + 1 or len(source) > MAX_CELL["source"] + 1:
        return None
    lat, lon = record.get("lat"), record.get("lon")
    if isinstance(lat, bool) or isinstance(lon, bool) or not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    minx, miny, maxx, maxy = places.bbox.get(code, (0, 0, 0, 0))
    if not (minx <= lon <= maxx and miny <= lat <= maxy):
        return None
    status = record.get("status") if record.get("status") in ("verified", "weak", "claim", "unknown") else "unknown"
    precision = record.get("precision") if record.get("precision") in ("user_coordinates", "district_capital") else "district_capital"
    name, source = safe_text(name), safe_text(source)
    return unit_record(service, name, code, float(lat), float(lon), precision, status, source)


def merge_units(existing: list[dict], new: list[dict], limit: int = MAX_ROWS) -> tuple[list[dict], int]:
    """Existing units plus new ones, without duplicates, at most `limit`; (units, refused)."""
    ids = {u["id"] for u in existing}
    merged = list(existing)
    refused = 0
    for unit in new:
        if unit["id"] in ids or len(merged) >= limit:
            refused += 1
            continue
        ids.add(unit["id"])
        merged.append(unit)
    return merged, refused


# ------------------------------------------------------------------------- exports

EXPORT_COLUMNS = ("tipo", "nombre", "ubigeo", "lat", "lon", "estado", "fuente")
STATUS_EXPORT = {"verified": "verificada", "weak": "evidencia_debil", "claim": "declarada", "unknown": ""}


def units_csv(units: list[dict]) -> str:
    """The user's units as a CSV they can upload again (the template's columns)."""
    rows = (
        (u["service"], u["name"], u["ubigeo"], Decimal(f"{u['lat']:.6f}"), Decimal(f"{u['lon']:.6f}"), STATUS_EXPORT.get(u["status"], ""), u["source"])
        for u in units
    )
    return rows_to_csv(EXPORT_COLUMNS, rows)


def errors_csv(errors: list[dict], lang: str) -> str:
    """The problems of an upload (row, column, problem) as CSV."""
    header = ("fila", "columna", "problema") if lang == "es" else ("row", "column", "problem")
    return rows_to_csv(header, ((e.get("row") or "", e.get("column", ""), e.get(lang, "")) for e in errors))


def template_csv() -> str:
    """A template with bilingual notes ('#' lines, skipped on upload) and two fictitious rows."""
    notes = [
        "# Plantilla de Cobertura: registro de servicios / Cobertura template: services registry",
        "# Las líneas que empiezan con # se ignoran / Lines starting with # are ignored",
        "# Borre las dos filas de EJEMPLO (ficticias) / Delete the two fictitious EXAMPLE rows",
    ]
    for column, key in zip(TEMPLATE_COLUMNS, ("type", "name", "ubigeo", "lat", "lon", "status", "source")):
        help_ = COLUMN_HELP[key]
        notes.append(f"# {column}: {help_['es']} / {help_['en']}")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for note in notes:
        writer.writerow([note])
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow(["demuna", "EJEMPLO DEMUNA ficticia (borre esta fila)", "080101", "", "", "verificada",
                     "Ejemplo ficticio: ordenanza municipal N.º 000-2025"])
    writer.writerow(["cem", "EJEMPLO CEM ficticio (borre esta fila)", "160101", "-3.7491", "-73.2538", "declarada",
                     "Ejemplo ficticio: nota de prensa del 01/01/2025"])
    return out.getvalue()


def type_title(service: str, lang: str) -> str:
    pair = POINT_TYPES.get(service)
    return "" if pair is None else pair.get(lang) or pair["es"]
