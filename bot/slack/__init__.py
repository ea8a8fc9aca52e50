"""Slack glue shared by every domain: answering people, command routing, forms, Block Kit parts,
posting, OAuth, the listener executor and the request context."""
