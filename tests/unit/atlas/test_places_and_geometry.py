"""The geometry address is made and read in one place (atlas.model): the map figures, the
app's route and the brief's offline renderer agree on it."""

from atlas.model import GEOMETRY_ROUTE, geometry_name, geometry_url


def test_an_address_reads_back_to_its_name_whatever_the_prefix():
    for prefix in ("/", "/cobertura/", "https://example.org/app/"):
        assert geometry_name(geometry_url("district-16", "abc123", prefix)) == "district-16"
    assert geometry_url("care-provinces", "v1") == "/geo/care-provinces.json?v=v1"


def test_other_addresses_are_not_geometry():
    for url in ("/assets/x.json", "/geo/district-16.geojson", "/geography/district-16.json", "", "geo"):
        assert geometry_name(url) is None


def test_the_route_serves_the_same_shape():
    assert GEOMETRY_ROUTE.replace("<name>", "department-pe") == geometry_url("department-pe", "x").split("?")[0]


def test_a_click_on_any_area_plans_at_its_capital_district(model):
    from atlas.plan import area_capital

    assert area_capital(model, "district", "160201") == "160201"
    assert area_capital(model, "province", "1602") == "160201"
    assert area_capital(model, "department", "16") == "160101"
    assert area_capital(model, "region", "150100") == "150101"  # Lima Metropolitana
    assert area_capital(model, "region", "159900") == "150801"  # Huacho, seat of Lima Provincias
    assert area_capital(model, "province", "9999") is None


def test_a_centre_candidate_resolves_to_its_own_centre(model):
    from analysis.places import CENTRES

    found = model.places.candidates(CENTRES, min_population=0)
    assert len(found.place) > 90_000
    for i in (0, len(found.place) // 2, len(found.place) - 1):
        code = str(found.place[i])
        assert code.startswith("c") and len(code) == 11  # "c" + the 10-digit INEI code
        lat, lon, name, ubigeo = model.places.resolve(code)
        assert (lat, lon, name) == (found.lat[i], found.lon[i], found.name[i])
        assert ubigeo[:2] == found.department[i]
    assert model.places.resolve(code[1:]) is None  # a bare INEI code is not a place
    assert model.places.resolve("c" + "150101") is None  # nor a district code with the prefix
