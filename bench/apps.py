from django.apps import AppConfig


class BenchConfig(AppConfig):
    """`python manage.py bench`: a data set at agency scale, and the figures issue #7 asks for."""

    name = "bench"
    verbose_name = "Benchmark"
