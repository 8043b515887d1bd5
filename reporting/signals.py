"""Signals reporting sends for apps above it; reporting never learns who listens."""

from django.dispatch import Signal

# Sent inside the transaction of a setup change that moves scores, with ``cycle`` and,
# when the change is narrower than the whole cycle, ``regions`` and/or ``periods``.
scores_affected = Signal()
