"""`--hours` for the places, access, equity and ranks commands: thresholds (catchments, for
access) in modelled travel hours instead of straight-line km."""

import json

import numpy as np
import pytest

from analysis.access import distance_pairs, two_step_fca, two_step_fca_catchments

COMMANDS = {
    "places": ("--department", "16"),
    "access": ("--level", "department"),
    "equity": (),
    "ranks": ("--level", "department", "--draws", "20"),
}


def as_json(cli, command, *argv):
    code, out, err = cli(command, "--service", "upe", *argv, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_step_2sfca_on_given_catchments_is_the_km_2sfca_when_the_catchments_are_the_km_ones():
    lat = np.repeat([0.0, 0.1, 0.2], 3)
    lon = np.tile([0.0, 0.1, 0.2], 3)
    demand = np.arange(1.0, 10.0)
    unit_lat, unit_lon = np.array([0.0, 0.2]), np.array([0.0, 0.2])
    by_km = two_step_fca(lat, lon, demand, unit_lat, unit_lon, 12.0)
    catchments = distance_pairs(unit_lat, unit_lon, lat, lon, 12.0) > 0
    given = two_step_fca_catchments(catchments, demand, 12.0)
    assert np.allclose(given.load, by_km.load) and np.allclose(
        given.per_point, by_km.per_point
    )
    # the supply is shared out, never created: both units have someone in their catchment
    assert (demand * given.per_point).sum() == pytest.approx(2.0)


def test_loreto_places_beyond_12_hours_are_among_those_beyond_6_hours(cli):
    six = as_json(cli, "places", "--hours", "6", "--department", "16")
    twelve = as_json(cli, "places", "--hours", "12", "--department", "16")
    assert six["hours"] == 6.0 and "km" not in six
    beyond_6 = {p["ccpp"]: p for p in six["places"]}
    beyond_12 = {p["ccpp"] for p in twelve["places"]}
    # a longer threshold can only take places off the list (monotone), and here it does
    assert beyond_12 < set(beyond_6)
    for place in six["places"]:
        assert "km_to_nearest" not in place
        if place["no_modelled_access"]:
            assert place["hours"] is None  # never inf: "sin acceso modelado"
        else:
            assert place["hours"] >= 6  # beyond 6 h, shown to 0.01 h
    # the places with no modelled access within 7 days are beyond any threshold
    assert {c for c, p in beyond_6.items() if p["no_modelled_access"]} <= beyond_12
    assert six["children"] >= twelve["children"] > 0
    assert "modelled travel hours" in six["method"]


def test_places_in_hours_as_csv_has_an_hours_column_and_no_inf(cli):
    code, out, err = cli(
        "places",
        "--service",
        "upe",
        "--hours",
        "6",
        "--department",
        "16",
        "--format",
        "csv",
    )
    assert code == 0, err
    lines = out.splitlines()
    header = lines[0].split(",")
    assert (
        "hours" in header
        and "km_to_nearest" not in header
        and header[-1] == "no_modelled_access"
    )
    assert "inf" not in out.lower().replace("infor", "")
    assert "# hours: 6.0" in lines


def test_equity_by_hours_quintiles_hold_every_rural_child_of_peru(cli, catalog):
    by_hours = as_json(cli, "equity", "--hours", "6")
    districts = as_json(cli, "coverage", "--hours", "6", "--level", "district")
    poverty = catalog.loaded["poverty2018"].source["poverty"]
    unknown = {c for c in poverty.index if np.isnan(poverty[c])} | (
        {r["ubigeo"] for r in districts} - set(poverty.index)
    )
    total = sum(r["rural_children"] or 0 for r in districts)
    left_out = sum(
        r["rural_children"] or 0 for r in districts if r["ubigeo"] in unknown
    )
    assert (
        0 <= left_out < 0.01 * total
    )  # the districts with no 2018 poverty figure are few
    # every rural child of a district with a poverty figure is in exactly one quintile
    assert sum(q["rural_children"] for q in by_hours["quintiles"]) == pytest.approx(
        total - left_out, rel=1e-6
    )
    beyond = sum(
        r["rural_children_beyond"] or 0 for r in districts if r["ubigeo"] not in unknown
    )
    assert sum(
        q["rural_children_beyond"] for q in by_hours["quintiles"]
    ) == pytest.approx(beyond, rel=1e-6)
    by_km = as_json(cli, "equity", "--km", "50")
    assert [q["rural_children"] for q in by_hours["quintiles"]] == [
        q["rural_children"] for q in by_km["quintiles"]
    ]
    assert [q["pct_beyond"] for q in by_hours["quintiles"]] != [
        q["pct_beyond"] for q in by_km["quintiles"]
    ]


def test_ranks_by_hours_are_the_coverage_commands_ranks_by_hours(cli):
    ranks = as_json(
        cli, "ranks", "--hours", "6", "--level", "department", "--draws", "20"
    )
    coverage = {
        r["ubigeo"]: r
        for r in as_json(cli, "coverage", "--hours", "6", "--level", "department")
    }
    assert ranks["hours"] == 6.0
    for row in ranks["areas"]:
        assert row["rank"] == coverage[row["ubigeo"]]["rank"]
        assert row["rural_children_beyond"] == pytest.approx(
            coverage[row["ubigeo"]]["rural_children_beyond"], abs=0.1
        )


def test_access_by_hours_shares_out_each_reached_unit(cli):
    out = as_json(cli, "access", "--hours", "6", "--level", "department")
    assert out["hours"] == 6.0 and "modelled travel hours" in out["method"]
    reached = sum(1 for u in out["units"] if u["children_in_catchment"])
    shared = sum(
        a["children"] * a["units_per_100k_children"] / 1e5
        for a in out["areas"]
        if a["units_per_100k_children"]
    )
    assert shared == pytest.approx(
        reached, rel=1e-4
    )  # the rates are printed to 4 decimals
    by_km = as_json(cli, "access", "--km", "50", "--level", "department")
    assert [u["children_in_catchment"] for u in out["units"]] != [
        u["children_in_catchment"] for u in by_km["units"]
    ]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("hours", ["0", "1e6", "nan"])
def test_a_forged_hour_threshold_exits_2_with_the_bound(cli, command, hours):
    code, out, err = cli(
        command, "--service", "upe", "--hours", hours, *COMMANDS[command]
    )
    assert code == 2 and out == ""
    assert "--hours must be a number between 1 and 72" in err


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("argv", [("--hours", "abc"), ("--km", "50", "--hours", "6")])
def test_a_non_number_or_both_thresholds_exit_2(cli, capsys, command, argv):
    with pytest.raises(SystemExit) as stopped:
        cli(command, "--service", "upe", *argv, *COMMANDS[command])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--hours" in err and (
        "invalid float value" in err or "not allowed with argument --km" in err
    )


@pytest.mark.parametrize("command", COMMANDS)
def test_without_travel_time_the_hours_commands_say_so_and_exit_2(
    cli, monkeypatch, command
):
    import analysis.travel.index

    monkeypatch.setattr(analysis.travel.index, "from_catalog", lambda *a, **k: None)
    code, out, err = cli(
        command, "--service", "upe", "--hours", "6", *COMMANDS[command]
    )
    assert code == 2 and out == "" and "travel time is unavailable for upe" in err


def test_a_gaussian_decay_needs_km(cli):
    code, _, err = cli(
        "access", "--service", "upe", "--hours", "6", "--decay", "gaussian"
    )
    assert code == 2 and "step decay only" in err
