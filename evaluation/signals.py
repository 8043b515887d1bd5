"""Signals evaluation sends for apps above it (they listen; evaluation never names them)."""

from django.dispatch import Signal

# An evaluator asks that the regions that have not submitted for ``period`` be reminded.
# Arguments: period, regions (a list), by (the evaluator), dry_run (True: only say who would
# hear of it). A listener returns a list of {"region", "recipients", "already_today"}.
reminder_requested = Signal()
