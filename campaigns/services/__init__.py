"""Everything that changes campaigns and relationships: `from campaigns.services import relationship_pitch`."""

from campaigns.services.lifecycle import (
    PitchChecks,
    pitch_checks,
    pitch_text,
    relationship_accept,
    relationship_close,
    relationship_deliver,
    relationship_pitch,
    relationship_shortlist,
)

__all__ = [
    "PitchChecks",
    "pitch_checks",
    "pitch_text",
    "relationship_accept",
    "relationship_close",
    "relationship_deliver",
    "relationship_pitch",
    "relationship_shortlist",
]
