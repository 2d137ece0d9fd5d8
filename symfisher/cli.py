"""The ``symfisher`` command (also ``python -m symfisher``); nothing imports this module.

Bad input of any kind — an unparsable expression, a model that is not regular, an
unknown model name, a missing file — is one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from .commands import COMMANDS


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for every bad input
        raise _UsageError(f"{self.prog}: {message}")


class _UsageError(Exception):
    pass


def _parser():
    p = _Parser(prog="symfisher", description="Closed-form information geometry of statistical models.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    handlers = {}
    for name in COMMANDS:
        modname = f"{__package__}.commands.{name}"
        if importlib.util.find_spec(modname) is None:
            continue
        mod = importlib.import_module(modname)
        sp_ = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP)
        mod.configure(sp_)
        handlers[mod.NAME] = mod.run
    return p, handlers


def main(argv=None) -> int:
    from .families import UnknownModel
    from .limits import StepFailed
    from .model import ModelError
    from .parsing import ParseError

    parser, handlers = _parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return 2
        return handlers[args.command](args)
    except (_UsageError, ParseError, ModelError, UnknownModel, ValueError, FileNotFoundError, StepFailed) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"symfisher: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symfisher: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
