from django.core.management.base import BaseCommand, CommandError

from messaging.delivery import dispatch


class Command(BaseCommand):
    help = "One dispatcher pass: claim the due messages and hand them to the worker (what beat does every ten seconds)."

    def handle(self, *args, **options):
        report = dispatch()
        if report.put_back:  # the broker is down: say so, and fail, so that a script running it notices
            raise CommandError(str(report))
        self.stdout.write(str(report))
