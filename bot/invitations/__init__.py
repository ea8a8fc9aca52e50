"""Invitations to enrol: `commit_modal`'s `members` and `/commit enrol`, answered with `invite_accept` / `invite_decline`."""
