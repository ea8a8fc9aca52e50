"""A commitment's terms on the way: sub-results (`/commit milestone`, `milestone_modal`), standing
or renegotiating (`stand_firm`, `stand_renegotiate`, `/commit renegotiate`, `renegotiate_modal`)."""
