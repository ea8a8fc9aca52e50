"""Every id Slack sees, from SPEC.md §2. Shipped ids never change: old messages keep buttons."""

# Slash commands
COMMIT_COMMAND = "/commit"
BACKGROUND_COMMAND = "/background"

# Buttons (action ids)
COMMITMENT_ENROLL = "commitment_enroll"
COMMITMENT_PROGRESS = "commitment_progress"
COMMITMENT_KNOWN = "commitment_known"  # not in SPEC: answers the coach's question for `known`
CHECKIN_ADD_ACTION = "checkin_add_action"
ACTION_KEPT = "action_kept"
ACTION_NOT_KEPT = "action_not_kept"
ACTION_ACCEPT = "action_accept"
ACTION_DECLINE = "action_decline"
ACTION_COUNTER = "action_counter"
COUNTER_ACCEPT = "counter_accept"  # not in SPEC: the asker accepts the counter-proposed due date
COUNTER_REJECT = "counter_reject"  # not in SPEC: the asker keeps the original due date
PROGRESS_SAME = "progress_same"  # a nudge's "No change": a report equal to the latest value
ACTION_REDATE = "action_redate"  # an overdue promise's "New date": opens redate_modal
BACKGROUND_ME_TOO = "background_me_too"
BACKGROUND_REINVENT = "background_reinvent"
BACKGROUND_SUGGEST = "background_suggest"
INVITE_ACCEPT = "invite_accept"  # an invitation's "I'm in": enrols the invited person
INVITE_DECLINE = "invite_decline"  # an invitation's "Not now"
RETRO_ADD = "retro_add"  # a retrospective's "What made the difference?": opens retro_modal
COMMITMENT_NEXT = "commitment_next"  # a retrospective's "Declare the next one": commit_modal prefilled
COMMITMENT_ADD_MILESTONE = "commitment_add_milestone"  # opens milestone_modal
STAND_FIRM = "stand_firm"  # "I stand": opens action_modal
STAND_RENEGOTIATE = "stand_renegotiate"  # "Renegotiate" (owner only): opens renegotiate_modal
HOME_DECLARE = "home_declare"  # not in SPEC: App Home's "Declare a commitment" opens commit_modal

# Shortcuts
SURFACE_BACKGROUND = "surface_background"

# Modals (callback ids) and the block ids of their inputs
COMMIT_MODAL = "commit_modal"
PROGRESS_MODAL = "progress_modal"
ACTION_MODAL = "action_modal"
BACKGROUND_MODAL = "background_modal"
AGREEMENT_MODAL = "agreement_modal"
KNOWN_MODAL = "known_modal"  # not in SPEC: sets `known` after a declaration without it
COUNTER_MODAL = "counter_modal"  # not in SPEC: another due date for a request (block `due`)
REDATE_MODAL = "redate_modal"  # a new date for an overdue promise (block `due`)
RETRO_MODAL = "retro_modal"  # what made the difference (blocks `shifted`, `next`)
MILESTONE_MODAL = "milestone_modal"  # a sub-result (blocks `value`, `due`)
RENEGOTIATE_MODAL = "renegotiate_modal"  # new terms (blocks `target`, `due`, `reason`)

OUTCOME = "outcome"
BASELINE = "baseline"
TARGET = "target"
UNIT = "unit"
DUE = "due"
KNOWN = "known"
MEMBERS = "members"
VALUE = "value"
NOTE = "note"
WHAT = "what"
OWNER = "owner"
TEXT = "text"
AGREEMENT = "agreement"
KIND = "kind"
SHIFTED = "shifted"
NEXT = "next"
REASON = "reason"
CHANNEL = "channel"  # not in SPEC: commit_modal's channel picker, only when opened from App Home
