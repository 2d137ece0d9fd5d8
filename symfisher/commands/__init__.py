"""The subcommands of ``symfisher``, one module each; ``cli.py`` dispatches to them.

Each module defines ``NAME``, ``HELP``, ``configure(parser)`` and ``run(args) -> int``.
"""
COMMANDS = ("list", "derive", "check", "verify", "sheet")
