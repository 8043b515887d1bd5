"""Signals accounts sends for apps above it; accounts never learns who listens."""

from django.dispatch import Signal

# Sent inside the transaction that adds, changes or deletes holidays, with ``dates``: the set
# of calendar days whose working-day status may have changed (old and new dates of an edit).
holidays_changed = Signal()
