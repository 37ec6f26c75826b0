import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import feeds, seed


class Command(BaseCommand):
    help = "Load the demo team and community. Idempotent: a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never on a real database).")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a known password; it refuses to run with DEBUG off. "
                "Use --force if this really is a demo instance."
            )
        started = time.monotonic()
        seeded = seed.run()
        if not seeded:
            self.stdout.write("Demo data already present; nothing to do.")
            return
        if seeded.users:
            self.stdout.write(f"Team: {', '.join(seeded.users)} (password “{seed.PASSWORD}”).")
        if seeded.community:
            self.stdout.write(", ".join(f"{count} {label}" for label, count in seed.community_counts().items()) + ".")
        if seeded.feeds:
            self.stdout.write(
                f"Feeds: {len(seeded.feeds)} channels read from the demo feed server ({feeds.server_url()}), "
                "which `make run` starts: new posts appear in the first minutes."
            )
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded in {time.monotonic() - started:.0f} s."))
