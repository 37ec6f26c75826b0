from django.core.management.base import BaseCommand

from messaging.reminders import reminders_queue


class Command(BaseCommand):
    help = "One reminder sweep: queue a reminder for each relationship and person due or overdue today."

    def handle(self, *args, **options):
        self.stdout.write(f"{reminders_queue()} reminder(s) queued.")
