"""Everything that changes campaigns and relationships: `from campaigns.services import relationship_pitch`."""

from campaigns.services.content import content_confirm, content_dismiss, posts_match
from campaigns.services.editing import relationship_update
from campaigns.services.lifecycle import (
    relationship_accept,
    relationship_close,
    relationship_deliver,
    relationship_pitch,
    relationship_shortlist,
    thank_you_skip_reason,
)
from campaigns.services.pitching import PitchChecks, pitch_checks, pitch_checks_for, pitch_text
from campaigns.services.stays import stage_stays_refresh

__all__ = [
    "PitchChecks",
    "content_confirm",
    "content_dismiss",
    "pitch_checks",
    "pitch_checks_for",
    "pitch_text",
    "posts_match",
    "relationship_accept",
    "relationship_close",
    "relationship_deliver",
    "relationship_pitch",
    "relationship_shortlist",
    "relationship_update",
    "stage_stays_refresh",
    "thank_you_skip_reason",
]
