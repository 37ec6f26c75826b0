"""The demo team and community loaded by `manage.py seed_demo`."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from crm import roles

PASSWORD = "demo"

# username, first name, last name, role, staff (reaches the admin)
TEAM = [
    ("manager", "Claire", "Dubois", roles.MANAGER, True),
    ("marketer", "Hugo", "Martin", roles.MARKETER, False),
    ("viewer", "Inès", "Moreau", roles.VIEWER, False),
]


@transaction.atomic
def run() -> bool:
    """Create what is missing; return False when the demo data was already there."""
    User = get_user_model()
    if User.objects.filter(username="manager").exists():
        return False
    for username, first, last, role, staff in TEAM:
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.example",
            is_staff=staff,
        )
        user.groups.add(Group.objects.get(name=role))
    return True
