"""Nobody forgets: progress nudges and promise, request and breakdown reminders by direct message."""
