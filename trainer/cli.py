"""The `trainer` command. Thin: parses arguments and hands over to the command modules.

Every command module only imports argparse at module level, so `trainer --help` and `trainer validate`
start fast and never import textual.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Order as shown in --help. Each module in trainer/commands has add_parser(subparsers) and run(args) -> int.
COMMANDS = ["play", "sessions", "debrief", "validate", "lint", "graph", "explore", "schema", "analyze", "match",
            "export", "send", "report"]
COMMANDS += ["new", "inspect", "explain"]  # authoring: a skeleton persona, how the simulator reads it, each code
ALIASES = {"lees": "inspect", "nieuw": "new", "uitleg": "explain"}  # Dutch names for the authoring commands


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with `only`, just that command's subparser (what parsing its arguments needs:
    `trainer play` starts without importing the twelve other command modules)."""
    parser = argparse.ArgumentParser(
        prog="trainer",
        description="Gesprekstrainer: oefen gesprekken over vrijwilligerswerk en participatie. "
                    "Zonder opdracht opent de simulator.",
    )
    from trainer import __version__

    parser.add_argument("--version", action="version", version=f"gesprekstrainer {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [only] if only in COMMANDS else COMMANDS:
        importlib.import_module(f"trainer.commands.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["play", *argv]  # `trainer` alone opens the simulator
    parser = build_parser(only=ALIASES.get(argv[0], argv[0]))  # a command named first needs only its own parser; else all of them
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    from trainer.errors import SetupError

    try:
        return int(args.run(args) or 0)
    except SetupError as exc:
        print(f"trainer: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
