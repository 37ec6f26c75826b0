"""The three roles of the product, as Django groups."""

MANAGER = "Manager"
MARKETER = "Marketer"
VIEWER = "Viewer"
ROLES = (MANAGER, MARKETER, VIEWER)
