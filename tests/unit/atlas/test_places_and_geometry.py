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
