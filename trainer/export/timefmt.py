"""Times in exports: all in one time zone, and the zone is named (an assessor in Amsterdam reads 10:15, not
09:15 UTC, and can see which clock is meant; summer and winter time do not mix two zone names on one page).

The zone: `--tz ZONE` (an IANA name such as Europe/Amsterdam, or UTC), else GESPREKSTRAINER_TZ, else the
computer's own zone (named after /etc/localtime or TZ when that is an IANA name).
"""

from __future__ import annotations

import os
from datetime import datetime, timezone, tzinfo

TZ_ENV = "GESPREKSTRAINER_TZ"


class ZoneError(ValueError):
    pass


def _local_name() -> str | None:
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz and not tz.startswith("/"):
        return tz
    try:
        target = os.path.realpath("/etc/localtime")
    except OSError:
        return None
    marker = "/zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


def zone(name: str | None = None) -> tuple[tzinfo, str]:
    """(tzinfo, display name) of the zone exports use."""
    name = name or os.environ.get(TZ_ENV) or None
    if name:
        if name.upper() in ("UTC", "Z"):
            return timezone.utc, "UTC"
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            return ZoneInfo(name), name
        except (ZoneInfoNotFoundError, ValueError):
            raise ZoneError(f"unknown time zone {name!r} (e.g. Europe/Amsterdam or UTC)") from None
    local = _local_name()
    if local:
        try:
            from zoneinfo import ZoneInfo

            return ZoneInfo(local), local
        except Exception:  # noqa: BLE001 - fall back to the offset the system reports
            pass
    tz = datetime.now().astimezone().tzinfo
    return tz, datetime.now().astimezone().strftime("%Z") or "local time"


def parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def in_zone(value: str | None, tz: tzinfo) -> datetime | None:
    """The moment in the zone, without tzinfo (what a spreadsheet stores); None when unknown."""
    stamp = parse(value)
    return None if stamp is None else stamp.astimezone(tz).replace(tzinfo=None)


def show(value: str | None, tz: tzinfo, lang: str = "nl") -> str:
    local = in_zone(value, tz)
    if local is None:
        return "—" if not value else str(value)
    return local.strftime("%d-%m-%Y %H:%M" if lang == "nl" else "%Y-%m-%d %H:%M")


def add_option(p) -> None:
    p.add_argument("--tz", metavar="ZONE", default=None,
                   help=f"time zone of the times shown, e.g. Europe/Amsterdam or UTC (default: this computer's; "
                        f"also {TZ_ENV})")
