"""The flow's participants: each public function is one use case and one transaction.

Nothing here imports Typer or rich.
"""
