"""``ultralow weather`` commands: ``list``, ``show``, ``make``, ``check``, ``compare``.

Other command modules can accept "a city or ``--epw FILE``" the same way with
:func:`add_weather_arguments` and :func:`weather_from_args`.
"""

from __future__ import annotations

import argparse
import json
import sys

from ultralow.errors import InputError
from ultralow.weather.epw import Location, read_epw
from ultralow.weather.indices import ClimateIndices, climate_indices
from ultralow.weather.morph import donor_plan, make_city_epw, morph_report, select_donor
from ultralow.weather.registry import get_city, list_cities
from ultralow.weather.source import WeatherSource, resolve_weather
from ultralow.weather.zones import zone_name

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def add_weather_arguments(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add an optional positional ``city`` and ``--epw FILE`` (give one of them)."""
    parser.add_argument("city", nargs="?", help=f"registry city ({', '.join(list_cities())})")
    parser.add_argument("--epw", metavar="FILE", help="use this EPW weather file instead of a city")
    parser.set_defaults(_weather_required=required)


def weather_from_args(args: argparse.Namespace) -> WeatherSource | None:
    """The :class:`WeatherSource` selected by :func:`add_weather_arguments` options."""
    city = getattr(args, "city", None)
    epw = getattr(args, "epw", None)
    if city is None and epw is None:
        if getattr(args, "_weather_required", True):
            raise InputError("give a city (e.g. harbin) or --epw FILE; known cities: "
                             + ", ".join(list_cities()))
        return None
    if city is not None and epw is not None:
        raise InputError("give a city or --epw FILE, not both")
    return resolve_weather(city=city, epw=epw)


def _indices_lines(ci: ClimateIndices) -> list[str]:
    lines = [
        f"  climate zone (from HDD18/CDD26): {ci.climate_zone}  [{zone_name(ci.climate_zone)}]",
        f"  HDD18 = {ci.hdd18_kd:.0f} K·d   CDD26 = {ci.cdd26_kd:.0f} K·d",
        f"  WDH20 = {ci.wdh20_kkh:.2f} kK·h   DDH28 = {ci.ddh28_kkh:.2f} kK·h",
        f"  annual mean dry bulb {ci.annual_mean_dry_bulb_c:.1f} °C; 0.4 %/99.6 % hourly "
        f"dry bulb {ci.dry_bulb_p004_c:.1f} / {ci.dry_bulb_p996_c:.1f} °C; "
        f"annual GHI {ci.annual_ghi_kwh_m2:.0f} kWh/m²",
        "  month      " + " ".join(f"{m:>6s}" for m in _MONTHS),
        "  Tmean °C   " + " ".join(f"{v:6.1f}" for v in ci.monthly_mean_dry_bulb_c),
        "  Tmax °C    " + " ".join(f"{v:6.1f}" for v in ci.monthly_mean_daily_max_c),
        "  Tmin °C    " + " ".join(f"{v:6.1f}" for v in ci.monthly_mean_daily_min_c),
        "  RH %       " + " ".join(f"{v:6.0f}" for v in ci.monthly_mean_rh_pct),
        "  GHI kWh/m² " + " ".join(f"{v:6.0f}" for v in ci.monthly_ghi_kwh_m2),
    ]
    return lines


def _show(args: argparse.Namespace) -> int:
    src = weather_from_args(args)
    assert src is not None
    ci = src.indices()
    payload: dict = {
        "city": src.city,
        "name": src.name,
        "epw_path": str(src.epw_path),
        "synthetic": src.synthetic,
        "donor": src.donor,
        "description": src.description,
        "climate_zone": src.climate_zone,
        "primary_zone": src.primary_zone,
        "latitude_deg": src.latitude_deg,
        "longitude_deg": src.longitude_deg,
        "elevation_m": src.elevation_m,
        "time_zone_h": src.time_zone_h,
        "indices": ci.to_dict(),
    }
    rec = get_city(src.city) if src.city else None
    if rec is not None:
        payload["registry"] = {
            "wmo": rec.wmo, "province": rec.province, "name_zh": rec.name_zh,
            "climate_zone_verified": rec.climate_zone_verified,
            "station_verified": rec.station_verified, "normals_period": rec.normals_period,
            "normals_source": rec.normals_source, "flags": list(rec.flags),
            "tmean_c": rec.tmean_c, "tmax_c": rec.tmax_c, "tmin_c": rec.tmin_c,
            "rh_pct": rec.rh_pct, "sunshine_h": rec.sunshine_h,
        }
    if args.json:
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(f"{src.name}: {src.description}")
    print(f"  weather file: {src.epw_path}")
    print(f"  location: {src.latitude_deg:.4f} N, {src.longitude_deg:.4f} E, "
          f"{src.elevation_m:.0f} m, UTC{src.time_zone_h:+g}")
    if rec is not None:
        verified = "" if rec.climate_zone_verified else " (registry value not yet verified " \
                                                       "against the standard's city table)"
        print(f"  registry zone: {rec.climate_zone} [{zone_name(rec.climate_zone)}]{verified}")
        print(f"  normals: {rec.normals_period}, source {rec.normals_source}"
              + (f"; flags: {'; '.join(rec.flags)}" if rec.flags else ""))
        if src.synthetic:
            from ultralow.weather.provenance import provenance_lines, weather_provenance

            print("\n".join("  " + line for line in provenance_lines(weather_provenance(src))[1:]))
    print("\n".join(_indices_lines(ci)))
    return 0


def _make(args: argparse.Namespace) -> int:
    rec = get_city(args.city)
    out = make_city_epw(rec, args.output, donor=args.donor)
    epw = read_epw(out)
    rep = morph_report(epw, rec)
    donor = args.donor or select_donor(rec).name
    print(f"wrote {out}: SYNTHETIC design-year weather for {rec.name}, donor {donor} "
          f"(re-timed {rep.shift_h:+d} h)")
    own = " (the city's own measured record, kept unmorphed)" if donor_plan(rec).own_record else ""
    print(f"  monthly mean dry bulb: max |error| {rep.max_tmean_error_k:.3f} K vs the targets{own}")
    print(f"  targets: {rep.targets_source}")
    print("  month        " + " ".join(f"{m:>6s}" for m in _MONTHS))
    print("  target Tmean " + " ".join(f"{v:6.1f}" for v in rep.target_tmean_c))
    print("  file Tmean   " + " ".join(f"{v:6.1f}" for v in rep.result_tmean_c))
    print("  target RH    " + " ".join(f"{v:6.0f}" for v in rep.target_rh_pct))
    print("  file RH      " + " ".join(f"{v:6.0f}" for v in rep.result_rh_pct))
    print("  target GHI   " + " ".join(f"{v:6.0f}" for v in rep.target_ghi_kwh_m2))
    print("  file GHI     " + " ".join(f"{v:6.0f}" for v in rep.result_ghi_kwh_m2))
    ci = climate_indices(epw)
    print(f"  zone from file: {ci.climate_zone} (HDD18={ci.hdd18_kd:.0f}, CDD26="
          f"{ci.cdd26_kd:.0f}); registry: {rec.climate_zone}")
    return 0


def _check(args: argparse.Namespace) -> int:
    path = args.file or args.epw
    if path is None:
        raise InputError("give the EPW file to check")
    epw = read_epw(path)
    ci = climate_indices(epw)
    loc = epw.location
    kind = "SYNTHETIC (" + epw.header.comments_1[:120] + "...)" \
        if loc.source == "ultralow-synthetic" else loc.source
    print(f"{path}: OK, {len(epw.data)} records, {epw.header.records_per_hour} per hour")
    print(f"  {loc.city}, {loc.state_province}, {loc.country}; WMO {loc.wmo}; "
          f"{loc.latitude_deg} N {loc.longitude_deg} E, {loc.elevation_m} m, "
          f"UTC{loc.time_zone_h:+g}; source {kind}")
    print("\n".join(_indices_lines(ci)))
    for warning in location_text_warnings(loc):
        print(f"warning: {path}: {warning}", file=sys.stderr)
    return 0


def location_text_warnings(loc: Location) -> list[str]:
    """LOCATION text fields holding what an EnergyPlus input file reads as syntax (``;`` ends an
    object, ``!`` starts a comment, ``,`` separates fields; control characters break lines): the
    model gets them replaced by spaces (:func:`ultralow.sim.run_control.idf_text`)."""
    from ultralow.sim.run_control import idf_text

    out = []
    for label in ("city", "state_province", "country", "source", "wmo"):
        text = getattr(loc, label)
        bad = sorted({("newline/control character" if not ch.isprintable() else repr(ch)) for ch in text
                      if ch in ",;!" or not ch.isprintable()})
        if bad:
            out.append(f"LOCATION {label} {text!r} holds {', '.join(bad)} (EnergyPlus input syntax); "
                       f"the model names the site {idf_text(text)!r} instead")
    return out


def _compare(args: argparse.Namespace) -> int:
    from ultralow.weather.compare import compare_weather, comparison_dict, format_comparison

    comparison = compare_weather(args.a, args.b)
    if args.json:
        json.dump(comparison_dict(comparison), sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print(format_comparison(comparison))
    return 0


def _list(args: argparse.Namespace) -> int:
    for key in list_cities():
        rec = get_city(key)
        print(f"{key:10s} {rec.name:10s} {rec.name_zh:5s} WMO {rec.wmo}  {rec.climate_zone}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``weather`` and its sub-commands to the top-level parser."""
    parser = subparsers.add_parser("weather", help="weather files, climate zones, indices",
                                   description=__doc__)
    sub = parser.add_subparsers(dest="weather_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    p = sub.add_parser("list", help="list registry cities")
    p.set_defaults(func=_list)

    p = sub.add_parser("show", help="zone, indices and source of a city or --epw FILE")
    add_weather_arguments(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_show)

    p = sub.add_parser("make", help="write the synthetic design-year EPW of a city")
    p.add_argument("city", help=f"registry city ({', '.join(list_cities())})")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="EPW file to write")
    p.add_argument("--donor", metavar="FILE", help="donor EPW (default: closest engine TMY3)")
    p.set_defaults(func=_make)

    p = sub.add_parser("check", help="validate an EPW file and print its indices")
    p.add_argument("file", nargs="?", help="EPW file")
    p.add_argument("--epw", metavar="FILE", help="EPW file (same as the positional argument)")
    p.set_defaults(func=_check)

    p = sub.add_parser("compare", help="compare two EPW files month by month (B - A)")
    p.add_argument("a", metavar="A.epw", help="EPW file A (the reference)")
    p.add_argument("b", metavar="B.epw", help="EPW file B (differences are B - A)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_compare)
