"""Channels' feeds in the back office: a channel's feed is given on the channel's page (FeedInline), and the posts
read from feeds are listed, read only: the poll writes them (crm.feeds.polling)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin.paging import BigTableAdmin
from core.admin.rows import ModelAdmin
from crm.models import Feed, Post


class FeedInline(admin.StackedInline):
    """The channel's feed: its address is typed here; how its reading goes is shown, never typed."""

    model = Feed
    extra = 0
    max_num = 1
    fields = ("url", "title", "last_success_at", "next_poll_at", "failures", "last_error", "broken_at")
    readonly_fields = ("title", "last_success_at", "next_poll_at", "failures", "last_error", "broken_at")


@admin.register(Post)
class PostAdmin(BigTableAdmin, ModelAdmin):
    list_display = ("title_or_url", "channel", "person", "published_at", "found_at")
    list_filter = ("channel__platform",)
    search_fields = ("title", "url", "channel__handle", "channel__influencer__name")
    list_select_related = ("channel__influencer",)
    fields = readonly_fields = ("channel", "title", "link", "published_at", "excerpt", "found_at")
    ordering = ("-found_at", "-id")

    @admin.display(description=_("title"), ordering="title")
    def title_or_url(self, obj: Post) -> str:
        return obj.title or obj.url or "—"

    @admin.display(description=_("influencer"), ordering="channel__influencer__name")
    def person(self, obj: Post) -> str:
        return str(obj.channel.influencer)

    @admin.display(description=_("URL"))
    def link(self, obj: Post) -> str:
        if not obj.url:
            return "—"
        return format_html('<a href="{}" rel="noopener noreferrer" target="_blank">{}</a>', obj.url, obj.url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
