from django.contrib import admin

from core.admin.rows import ModelAdmin
from health.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(ModelAdmin):
    list_display = ("name", "beat_at")
    readonly_fields = ("name", "beat_at")
