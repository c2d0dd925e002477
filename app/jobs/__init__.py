"""Periodic jobs that run once across processes: booking reminders, retention purges."""
