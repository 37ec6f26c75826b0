import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.test import Client
from django.contrib.auth import get_user_model
from tests.test_query_counts import worlds  # noqa
def test_today(worlds, db):
    w = worlds["small"]
    c = Client(); c.force_login(get_user_model().objects.get(username=w.owner))
    c.get("/")
    with CaptureQueriesContext(connection) as q:
        c.get("/")
    for x in q.captured_queries: print(x["sql"][:150])
