from core.admin import rules  # noqa: F401  (registers the team's rules)
