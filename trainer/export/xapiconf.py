"""Where xAPI statements say they come from: the trainees' account home page and the course/cohort grouping.

Nothing here has a built-in value: an LRS identity on a made-up domain is worse than none. First found wins:

1. the command-line options (`--home-page URL`, `--course IRI`, `--course-name TEXT`, `--cohort NAME`),
2. the environment (GESPREKSTRAINER_XAPI_HOMEPAGE, _COURSE, _COURSE_NAME, _COHORT),
3. the file `<user config folder>/gesprekstrainer/xapi.toml` (or the file named by GESPREKSTRAINER_XAPI_CONFIG)
   with the keys `home_page`, `course`, `course_name`, `cohort`.

The home page is required for xAPI output (`trainer export --format xapi`, `trainer send`); course and cohort are
optional and become `context.contextActivities.grouping`.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ENV = {"home_page": "GESPREKSTRAINER_XAPI_HOMEPAGE", "course": "GESPREKSTRAINER_XAPI_COURSE",
       "course_name": "GESPREKSTRAINER_XAPI_COURSE_NAME", "cohort": "GESPREKSTRAINER_XAPI_COHORT"}
CONFIG_ENV = "GESPREKSTRAINER_XAPI_CONFIG"


class XAPIConfigError(Exception):
    """A missing or invalid xAPI setting; the message says how to give it."""


@dataclass(frozen=True)
class XAPISettings:
    home_page: str
    course: str | None = None
    course_name: str | None = None
    cohort: str | None = None


def config_file() -> Path:
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    from platformdirs import user_config_dir

    return Path(user_config_dir("gesprekstrainer", appauthor=False)) / "xapi.toml"


def _read_file(path: Path) -> dict:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise XAPIConfigError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise XAPIConfigError(f"{path}: not valid TOML ({exc})") from None
    return {k: v for k, v in data.items() if k in ENV and isinstance(v, str) and v.strip()}


def _is_url(value: str) -> bool:
    parts = urllib.parse.urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in value)


def resolve(home_page: str | None = None, course: str | None = None, course_name: str | None = None,
            cohort: str | None = None) -> XAPISettings:
    given = {"home_page": home_page, "course": course, "course_name": course_name, "cohort": cohort}
    values: dict[str, str | None] = {}
    from_file: dict | None = None
    for key, value in given.items():
        if not value:
            value = os.environ.get(ENV[key]) or None
        if not value:
            if from_file is None:
                from_file = _read_file(config_file())
            value = from_file.get(key)
        values[key] = value.strip() if isinstance(value, str) else None
    hp = values["home_page"]
    if not hp:
        raise XAPIConfigError(
            "no xAPI home page: give --home-page URL (the web address of your academy or LMS, under which the "
            f"trainees' accounts live), or set {ENV['home_page']}, or home_page in {config_file()}")
    if not _is_url(hp):
        raise XAPIConfigError(f"the xAPI home page must be an http(s) URL, not {hp!r}")
    if values["course"] and not _is_url(values["course"]):
        raise XAPIConfigError(f"the xAPI course must be an http(s) IRI, not {values['course']!r}")
    return XAPISettings(hp, values["course"], values["course_name"], values["cohort"])


def add_options(p) -> None:
    p.add_argument("--home-page", metavar="URL", default=None,
                   help=f"xAPI account home page of the trainees (required; also {ENV['home_page']} or xapi.toml)")
    p.add_argument("--course", metavar="IRI", default=None,
                   help="xAPI course activity for contextActivities.grouping (also GESPREKSTRAINER_XAPI_COURSE)")
    p.add_argument("--course-name", metavar="TEXT", default=None, help="display name of --course")
    p.add_argument("--cohort", metavar="NAME", default=None,
                   help="cohort name, sent as a grouping activity (also GESPREKSTRAINER_XAPI_COHORT)")


def from_args(args) -> XAPISettings:
    return resolve(args.home_page, args.course, args.course_name, args.cohort)
