"""Typer command groups: parse arguments, call one service, render its result.

Modules here import services and models inside the command functions, so `pos --help` stays fast.
"""
