"""The ``symfisher`` command (also ``python -m symfisher``); nothing imports this module.

Bad input of any kind — an unparsable expression, a model that is not regular, an
unknown model name, a missing file, a size or time beyond the budget — is one line on stderr
and exit code 2.

The whole command runs under one budget (:mod:`symfisher.budget`): the counts it is given are
capped before anything runs, and the command, parsing and model building included, runs under
``COMMAND_FACTOR`` times the time limit. Its standard output is written only when it succeeds.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import os
import sys
import time

from .commands import COMMANDS

# options whose value may start with '-' (a density "-p**x*log(1-p)"): argparse would take such a value
# for an option, so "--density -p**x" is read as "--density=-p**x"
VALUE_OPTIONS = ("--density", "--logpdf", "--var", "--param", "--const", "--reparam", "--time-limit")
# the counts of every command, capped by the one rule of symfisher.budget.capped (argparse dest -> name)
COUNT_OPTIONS = {"points": "--points", "samples": "--samples", "jobs": "--jobs"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, as for every bad input
        # the line already starts "symfisher: error: ", so the top-level parser adds nothing and a command's
        # parser only its name ("derive: argument --time-limit: ...")
        where = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        raise _UsageError(f"{where}: {message}" if where else message)


class _UsageError(Exception):
    pass


def _parser():
    from .budget import describe

    p = _Parser(prog="symfisher", description="Closed-form information geometry of statistical models.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    handlers = {}
    for name in COMMANDS:
        modname = f"{__package__}.commands.{name}"
        if importlib.util.find_spec(modname) is None:
            continue
        mod = importlib.import_module(modname)
        sp_ = sub.add_parser(mod.NAME, help=mod.HELP, description=mod.HELP, epilog=describe())
        mod.configure(sp_)
        sp_.add_argument("--memory-limit", metavar="SIZE", default=None,
                         help="cap on the command's data memory, e.g. 512M or 8G (default 4G, or "
                              "SYMFISHER_MEMORY_LIMIT); past it the command stops with one line and exit 2")
        handlers[mod.NAME] = mod
    return p, handlers


def _join_values(argv: list) -> list:
    """``[..., "--density", "-p**x"]`` -> ``[..., "--density=-p**x"]`` for the options of VALUE_OPTIONS."""
    out, i = [], 0
    while i < len(argv):
        a = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if (a in VALUE_OPTIONS and isinstance(nxt, str) and len(nxt) > 1 and nxt[0] == "-"
                and nxt[1] != "-"):
            out.append(f"{a}={nxt}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def _cap_counts(args) -> None:
    from .budget import capped

    for dest, option in COUNT_OPTIONS.items():
        value = getattr(args, dest, None)
        if value is not None:
            setattr(args, dest, capped(option, value))


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = io.StringIO()
    try:
        from .budget import (COMMAND_FACTOR, BudgetError, command_budget, command_step, memory_cap, memory_limit,
                             seconds, show_bytes)
        from .families import UnknownModel
        from .limits import StepFailed, StepTimeout, default_limit, session, set_default_limit, time_limit
        from .model import ModelError
        from .parsing import ParseError
    except ValueError as exc:  # SYMFISHER_TIME_LIMIT that is not a number of seconds
        print(f"symfisher: error: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc!r}", file=sys.stderr)
        return 2

    parser, handlers = _parser()
    step = "the command"
    cap = None
    try:
        memory_limit()  # a bad SYMFISHER_MEMORY_LIMIT is an error before anything runs
        args = parser.parse_args(_join_values(argv))
        if not args.command:
            parser.print_help()
            return 2
        _cap_counts(args)
        if getattr(args, "time_limit", None) is not None:
            set_default_limit(args.time_limit)
        else:  # the environment's limit, checked by the rule of --time-limit
            try:
                seconds(default_limit())
            except argparse.ArgumentTypeError as exc:
                raise _UsageError(f"SYMFISHER_TIME_LIMIT: {exc}") from None
        mod = handlers[args.command]
        scale = mod.budget_scale(args) if hasattr(mod, "budget_scale") else 1
        budget = command_budget(default_limit(), scale)
        step = command_step(args.command)
        deadline = time.monotonic() + budget
        cap = memory_limit(args.memory_limit)
        # session: the safe alarm handler for the command's whole life, not only inside its limits
        with memory_cap(cap), session(), time_limit(budget, step), contextlib.redirect_stdout(out):
            rc = mod.run(args)
        if time.monotonic() >= deadline:  # the budget ran out inside a step that reported it as its failure
            raise StepTimeout(step, "out of time")
    except StepTimeout as exc:
        if exc.step == step:
            times = f"{COMMAND_FACTOR * scale:g} x " if scale == 1 else f"{scale} x {COMMAND_FACTOR} x "
            msg = (f"{step} ran past its budget of {budget:g} s ({times}the time limit of {default_limit():g} s); "
                   "give a larger --time-limit")
        else:
            msg = str(exc).strip().splitlines()[0]
        print(f"symfisher: error: {msg}", file=sys.stderr)
        return 2
    except (_UsageError, ParseError, ModelError, UnknownModel, BudgetError, ValueError, FileNotFoundError,
            StepFailed) as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"symfisher: error: {_short(msg)}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file that cannot be read (/proc/self/mem), a full disk, a lost pipe
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"symfisher: error: {where}{exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2
    except MemoryError:
        out = None  # drop what was printed (and its memory) before saying anything
        where = f"its memory limit of {show_bytes(cap)}" if cap else "the memory available"
        print(f"symfisher: error: the command ran out of {where}; give a larger --memory-limit "
              "(or SYMFISHER_MEMORY_LIMIT) or a smaller input", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("symfisher: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: still one line (SYMFISHER_DEBUG=1 shows the traceback)
        if os.environ.get("SYMFISHER_DEBUG"):
            raise
        text = " ".join(str(exc).split())
        print(f"symfisher: internal error: {type(exc).__name__}{': ' + _short(text) if text else ''} "
              "(please report it with the command; SYMFISHER_DEBUG=1 shows the traceback)", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(out.getvalue())
        sys.stdout.flush()
    except BrokenPipeError:
        return 0
    return rc


MAX_MESSAGE = 400  # characters of an error line (an argument echoed back may be 5000 dashes long)


def _short(msg: str) -> str:
    return msg if len(msg) <= MAX_MESSAGE else msg[:MAX_MESSAGE - 3] + "..."


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
