"""Pure coaching logic: parsing, trajectory, ambition and integrity. No Slack, no I/O."""
