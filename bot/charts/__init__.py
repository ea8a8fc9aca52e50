"""A commitment's chart: `series` (pure numbers), `render` (matplotlib), `upload` (into Slack)."""
