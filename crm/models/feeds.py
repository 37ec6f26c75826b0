"""A channel's feed (where its posts are read from, and how the reading goes) and the posts read from it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models.channels import Channel


class Feed(models.Model):
    """The feed of one channel (RSS, Atom or JSON Feed) and its poll's state.

    The state moves only in crm.feeds.polling: a lease (claim, claimed_at) so one poll at a time reads it; the
    server's ETag and Last-Modified for the next conditional GET; when to poll next (sooner after a new post, later
    as the feed stays quiet, later still while it fails); and since when it fails, which makes it broken after a
    while (or at once when the server says it is gone)."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="feed", verbose_name=_("channel"))
    url = models.URLField(_("feed address"), max_length=2000)
    title = models.CharField(_("feed title"), max_length=300, blank=True, editable=False)
    etag = models.CharField(max_length=500, blank=True, editable=False)
    last_modified = models.CharField(max_length=100, blank=True, editable=False)
    interval_minutes = models.PositiveIntegerField(_("polled every (minutes)"), default=0, editable=False)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True, editable=False)
    last_poll_at = models.DateTimeField(_("last poll"), null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last read"), null=True, blank=True, editable=False)
    last_post_at = models.DateTimeField(_("last new post"), null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0, editable=False)
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True, editable=False)
    broken_at = models.DateTimeField(_("broken since"), null=True, blank=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, editable=False)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        indexes = [models.Index(fields=["next_poll_at"], name="crm_feed_due_idx")]

    def __str__(self) -> str:
        return self.url


class Post(models.Model):
    """One item of a channel's feed: a blog post, a video, an episode, a letter. Read once per channel by its key
    (the item's guid, else its URL, else a hash): re-polls never add it twice."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="posts", verbose_name=_("channel"))
    key = models.CharField(max_length=500, editable=False)
    url = models.URLField(_("URL"), max_length=2000, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    excerpt = models.CharField(_("excerpt"), max_length=500, blank=True)
    # What a campaign's content is looked for in (crm.feeds.parsing bounds both): the item's text, and its links.
    text = models.TextField(_("text"), blank=True, editable=False)
    links = models.JSONField(_("links"), default=list, blank=True, editable=False)
    # A digest of what is read of the item: a re-poll that finds it changed (a disclosure added) reads it again.
    digest = models.CharField(max_length=64, blank=True, editable=False)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-found_at"]
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [models.UniqueConstraint(fields=["channel", "key"], name="crm_post_channel_key_unique")]
        indexes = [
            models.Index(fields=["channel", "-published_at"], name="crm_post_channel_idx"),
            # The admin's list, newest found first: a table that grows with every feed is never sorted whole.
            models.Index(fields=["-found_at", "-id"], name="crm_post_found_idx"),
        ]

    def __str__(self) -> str:
        return self.title or self.url
