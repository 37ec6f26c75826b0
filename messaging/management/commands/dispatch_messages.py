from django.core.management.base import BaseCommand

from messaging.delivery import dispatch


class Command(BaseCommand):
    help = "One dispatcher pass: claim the due messages and hand them to the worker (what beat does every ten seconds)."

    def handle(self, *args, **options):
        self.stdout.write(f"{dispatch()} message(s) handed to the worker.")
