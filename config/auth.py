"""The project's authentication backend: Django's ModelBackend, reading a member's permissions in one query.

Every page checks a permission, so every page paid two queries for it (the member's own permissions, then their
groups'). Here both come from one query; the result is cached on the user for the request, as Django does.
"""

from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db.models import Q


class ModelBackend(backends.ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                # Two IN (subquery) conditions rather than joins: a permission held twice comes back once.
                permissions = Permission.objects.filter(
                    Q(pk__in=user_obj.user_permissions.through.objects.filter(user=user_obj).values("permission"))
                    | Q(pk__in=Permission.group_set.through.objects.filter(group__user=user_obj).values("permission"))
                )
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list("content_type__app_label", "codename").order_by()
            }
        return user_obj._perm_cache
