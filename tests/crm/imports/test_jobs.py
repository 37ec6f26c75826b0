"""A manager uploads a directory file and watches it import in the background, all or nothing, exactly once."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from crm.imports import checking, import_job_create, import_job_run, import_jobs_enqueue, influencers_import
from crm.imports.reading import csv_rows, decode_csv, numbered_rows
from crm.models import Channel, ImportJob, Influencer, Topic
from tests.crm.admin_factories import person

pytestmark = pytest.mark.django_db

PEOPLE = (
    "\ufeffName;Email;Kind;Language;City;Region;Topics;Instagram;Blog\r\n"
    "\r\n"
    "Hélène Dupré;Helene@Exemple.fr;blogger;fr;Besançon;Bourgogne-Franche-Comté;Cuisine, Écologie|vélo;@helene.d;\r\n"
    "François Lefèvre;;Brand ambassador;French;Saint-Étienne;Auvergne-Rhône-Alpes;sport;francois.l;fl-blog\r\n"
    "Hélène Dupré;helene@exemple.fr;blogger;fr;Besançon;Bourgogne-Franche-Comté;cuisine;helene.d;\r\n"
    'Zoé "Zozo" Martin;zoe@exemple.fr;micro-influencer;fr;Lille;Hauts-de-France;mode;;zoe-blog\r\n'
)
BAD = (
    "name,email,kind,instagram\n"
    "Ana,ana@example.org,blogger,ana\n"
    "Ben,not-an-email,blogger,ben\n"
    "Cid,cid@example.org,wizard,cid\n"
    ",,,\n"
    ",dan@example.org,,\n"
)


def many(rows: int, *, start: int = 0) -> bytes:
    lines = ["name,email,kind,topics,instagram,youtube"]
    lines += [f"Person {n},p{n}@example.org,blogger,t{n % 7}|mode,insta{n},tube{n}" for n in range(start, rows)]
    return ("\n".join(lines) + "\n").encode()


def upload(content: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def job_for(user, content: bytes, name: str = "people.csv") -> ImportJob:
    return import_job_create(by=user, upload=upload(content, name))


@pytest.fixture
def eager():
    """Tasks run inline when enqueued (unit tests: no broker)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def run(job: ImportJob) -> ImportJob:
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


# --- The web request ---------------------------------------------------------------------------------------------


def test_the_upload_returns_at_once_with_a_queued_job_and_touches_neither_the_directory_nor_the_broker(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)

    with django_capture_on_commit_callbacks() as enqueued:
        response = client.post(reverse("admin:crm_importjob_add"), {"file": upload(PEOPLE.encode())})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:crm_importjob_change", args=[job.pk])
    assert (job.status, job.file_name, job.format, job.created_by) == ("queued", "people.csv", "csv", alice)
    assert bytes(job.content) == PEOPLE.encode()
    assert enqueued == []
    assert not Influencer.objects.exists()


def test_the_upload_refuses_a_file_that_is_not_csv_or_xlsx(client, alice):
    client.force_login(alice)

    response = client.post(reverse("admin:crm_importjob_add"), {"file": upload(b"%PDF-1.4", "people.pdf")})

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": ["Upload a .csv or .xlsx file."]}
    assert not ImportJob.objects.exists()


def test_the_directory_import_button_leads_to_the_upload_page_which_states_the_policy(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:crm_influencer_import"), follow=True)

    assert response.redirect_chain == [(reverse("admin:crm_importjob_add"), 302)]
    assert "A file with any error imports nothing" in response.content.decode()


# --- Handing jobs to the worker ----------------------------------------------------------------------------------


def test_the_sweep_enqueues_a_queued_job_after_commit_and_not_again_while_its_message_is_fresh(
    alice, django_capture_on_commit_callbacks
):
    job = job_for(alice, PEOPLE.encode())

    with django_capture_on_commit_callbacks() as first:
        assert import_jobs_enqueue() == 1
    with django_capture_on_commit_callbacks() as second:
        assert import_jobs_enqueue() == 0
    later = timezone.now() + dt.timedelta(seconds=settings.IMPORT_RESEND_AFTER_SECONDS + 1)
    with django_capture_on_commit_callbacks() as after_a_lost_message:
        assert import_jobs_enqueue(now=later) == 1

    assert (len(first), len(second), len(after_a_lost_message)) == (1, 0, 1)
    job.refresh_from_db()
    assert job.status == "queued"  # enqueued, not run


def test_a_sweep_with_nothing_to_hand_over_only_reads(alice, django_assert_num_queries):
    run(job_for(alice, many(3)))

    with django_assert_num_queries(2):  # stale running jobs, queued jobs: no write, no lock taken
        assert import_jobs_enqueue() == 0


def test_with_a_worker_the_sweep_imports_every_row_of_the_file(alice, eager, django_capture_on_commit_callbacks):
    job = job_for(alice, many(120))

    with django_capture_on_commit_callbacks(execute=True):
        import_jobs_enqueue()

    job.refresh_from_db()
    assert (job.status, job.total, job.processed, job.created, job.updated, job.invalid) == (
        "done",
        120,
        120,
        120,
        0,
        0,
    )
    assert Influencer.objects.count() == 120
    assert Channel.objects.count() == 240
    assert Influencer.topics.through.objects.count() == 240
    assert sorted(Topic.objects.values_list("name", flat=True)) == ["mode", "t0", "t1", "t2", "t3", "t4", "t5", "t6"]
    assert job.started_at <= job.finished_at
    assert bytes(ImportJob.objects.values_list("content", flat=True).get(pk=job.pk)) == b""


@pytest.mark.clock  # "from today": the team's date, not UTC's
def test_a_job_matches_people_in_the_file_and_in_the_directory_and_gives_the_defaults_of_adding_by_hand(alice):
    known = person("H. Dupré", email="HELENE@exemple.fr", channels=[("instagram", "Helene.D")], city="")

    job = run(job_for(alice, PEOPLE.encode()))

    assert (job.status, job.created, job.updated) == ("done", 2, 1)
    known.refresh_from_db()
    assert (known.name, known.city, known.channels.count()) == ("Hélène Dupré", "Besançon", 1)
    assert sorted(known.topics.values_list("name", flat=True)) == ["Cuisine", "vélo", "Écologie"]
    assert known.history.latest().history_user == alice
    francois = Influencer.objects.get(name="François Lefèvre")
    assert (francois.kind, francois.language, francois.owner) == ("ambassador", "fr", alice)
    # influencer_defaults, shared with influencer_create: an ambassador stays in touch from today.
    assert francois.cadence_days == settings.AMBASSADOR_CADENCE_DAYS
    assert francois.next_contact_due == timezone.localdate() + dt.timedelta(days=settings.AMBASSADOR_CADENCE_DAYS)
    assert francois.history.get().history_type == "+" and francois.history.get().history_user == alice
    assert sorted(francois.channels.values_list("platform", "handle")) == [
        ("blog", "fl-blog"),
        ("instagram", "francois.l"),
    ]
    zoe = Influencer.objects.get(email="zoe@exemple.fr")
    assert (zoe.kind, zoe.owner, zoe.cadence_days, zoe.next_contact_due) == ("micro_influencer", alice, None, None)


def test_an_xlsx_file_imports_too(alice):
    book = openpyxl.Workbook()
    book.active.append(["Name", "Email", "Topics", "YouTube", "TikTok"])
    book.active.append(["Inès", "ines@example.org", "musique; danse", "ines-tube", "ines.tok"])
    book.active.append([None, None, None, None, None])
    book.active.append(["Inès", "INES@example.org", "danse", None, None])
    stream = io.BytesIO()
    book.save(stream)

    job = run(job_for(alice, stream.getvalue(), "people.xlsx"))

    assert (job.status, job.format, job.created, job.total) == ("done", "xlsx", 1, 3)
    ines = Influencer.objects.get()
    assert sorted(ines.channels.values_list("platform", flat=True)) == ["tiktok", "youtube"]
    assert sorted(ines.topics.values_list("name", flat=True)) == ["danse", "musique"]


# --- Progress ----------------------------------------------------------------------------------------------------


def test_the_job_records_its_progress_every_so_many_rows_while_checking_them(alice, monkeypatch):
    monkeypatch.setattr(checking, "PROGRESS_EVERY", 10)
    job = job_for(alice, many(45))

    with CaptureQueriesContext(connection) as queries:
        job = run(job)

    table = connection.ops.quote_name("crm_importjob")
    column = connection.ops.quote_name("processed")
    progress = [q["sql"] for q in queries if q["sql"].startswith(f"UPDATE {table} SET {column} = ")]
    assert [sql.split(" = ")[1].split(" ")[0] for sql in progress] == ["10", "20", "30", "40", "45"]
    assert (job.total, job.processed, job.percent) == (45, 45, 100)


def test_the_fast_path_reports_progress_by_line_number_and_once_every_row_is_checked(alice):
    seen = []
    rows = numbered_rows(csv_rows(decode_csv(many(4_500))))

    influencers_import(rows=rows, by=alice, progress=seen.append)

    assert seen == [2_000, 4_000, 4_500]  # the last once every row is checked, before the writing


# --- All or nothing ----------------------------------------------------------------------------------------------


def test_a_file_with_bad_rows_writes_nothing_and_the_job_lists_each_row_and_why(alice):
    job = run(job_for(alice, BAD.encode()))

    assert not Influencer.objects.exists() and not Channel.objects.exists()
    assert (job.status, job.invalid, job.created, job.total) == ("failed", 3, 0, 5)
    assert job.failure == "Some rows have errors. Nothing was written: fix them and upload the file again."
    assert job.errors == [
        {"row": 2, "errors": {"email": ["Enter a valid email address."]}},
        {
            "row": 3,
            "errors": {
                "kind": ["“wizard” is not one of: blogger, ambassador, micro_influencer, journalist, podcaster, other."]
            },
        },
        {"row": 5, "errors": {"name": ["A new person needs a name."]}},
    ]
    # The uploaded file is not kept once the job is over, whatever its end.
    assert bytes(ImportJob.objects.values_list("content", flat=True).get(pk=job.pk)) == b""


def test_cells_follow_the_forms_one_line_rules_so_no_nul_reaches_the_database(alice):
    content = 'name,city,topics,instagram\nA\x00na,Lyon,vélo,ana\nBen,"Ly\non",sp\x01ort,ben\tx\n'

    job = run(job_for(alice, content.encode()))

    assert not Influencer.objects.exists()
    assert job.errors == [
        {"row": 1, "errors": {"name": ["Null characters are not allowed."]}},
        {
            "row": 2,
            "errors": {
                "city": ["Keep this on one line: no tabs or line breaks."],
                "topics": ["Remove the invisible control characters from this text."],
                "instagram": ["Keep this on one line: no tabs or line breaks."],
            },
        },
    ]


def test_a_nul_in_a_choice_is_refused_without_being_repeated_in_the_stored_errors(alice):
    job = run(job_for(alice, b"name,kind\nAna,blog\x00ger\n", "peo\x00ple\n.csv"))

    assert job.file_name == "people.csv"
    assert job.errors == [{"row": 1, "errors": {"kind": ["Null characters are not allowed."]}}]


def test_a_row_naming_two_different_people_is_refused_with_their_names(alice):
    person("Ana", email="ana@example.org")
    person("Ben", channels=[("instagram", "ben")])

    job = run(job_for(alice, b"name,email,instagram\nZed,zed@example.org,zed\nAna,ana@example.org,ben\n"))

    assert job.status == "failed" and Influencer.objects.count() == 2
    assert job.errors == [
        {
            "row": 2,
            "errors": {
                "__all__": [
                    "This row matches several people: Ana (by e-mail ana@example.org); Ben (by instagram ben). "
                    "Fix the row, or merge those people first."
                ]
            },
        }
    ]


def test_after_a_bad_row_the_next_rows_are_still_matched_to_the_people_the_file_adds(alice):
    content = (
        "name,email,instagram\n"
        "Bad,not-an-email,\n"
        "Ana,ana@example.org,ana\n"
        ",ana@example.org,\n"  # completes Ana: no name needed
        "Ben,ben@example.org,ben\n"
        "Zed,ana@example.org,ben\n"  # Ana by e-mail, Ben by handle
    )

    job = run(job_for(alice, content.encode()))

    assert job.errors == [
        {"row": 1, "errors": {"email": ["Enter a valid email address."]}},
        {
            "row": 5,
            "errors": {
                "__all__": [
                    "This row matches several people: Ana (by e-mail ana@example.org); Ben (by instagram ben). "
                    "Fix the row, or merge those people first."
                ]
            },
        },
    ]
    assert not Influencer.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "failure"),
    [
        ("people.csv", b"email,city\nana@example.org,Lyon\n", "The file has no “name” column."),
        ("people.xlsx", b"not a workbook at all", "The file could not be read as Excel (XLSX)."),
        ("people.csv", b"name\n\x81\x8d\x8f", "The file could not be read as CSV."),
    ],
)
def test_a_file_that_cannot_be_read_fails_with_a_reason_and_writes_nothing(alice, name, content, failure):
    job = run(job_for(alice, content, name))

    assert job.status == "failed" and job.failure.startswith(failure)
    assert not Influencer.objects.exists()


# --- Exactly once ------------------------------------------------------------------------------------------------


def test_running_the_task_twice_imports_once_and_the_second_run_only_tries_to_claim(alice, django_assert_num_queries):
    job = run(job_for(alice, many(30)))

    with django_assert_num_queries(1):  # the conditional claim, which finds the job done
        import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 30)
    assert Influencer.objects.count() == 30


def test_a_job_whose_worker_died_is_failed_by_the_sweep_and_never_finished_by_a_late_worker(alice):
    job = job_for(alice, many(5))
    started = timezone.now() - dt.timedelta(seconds=settings.IMPORT_TIMEOUT_SECONDS + 1)
    ImportJob.objects.filter(pk=job.pk).update(status="running", started_at=started)

    import_jobs_enqueue()
    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == "failed" and "its worker stopped" in job.failure
    assert not Influencer.objects.exists()


# --- Scale -------------------------------------------------------------------------------------------------------


def test_ten_thousand_rows_take_a_few_dozen_queries_whatever_the_number_of_rows(alice, django_assert_max_num_queries):
    # A quarter of them are already known: they are updated, not added again.
    for n in range(0, 10_000, 4):
        Influencer.objects.create(name=f"Old {n}", email=f"P{n}@EXAMPLE.org")
    rows = numbered_rows(csv_rows(decode_csv(many(10_000))))

    with django_assert_max_num_queries(60):
        outcome = influencers_import(rows=rows, by=alice)

    assert (outcome.created, outcome.updated, outcome.invalid) == (7_500, 2_500, 0)
    assert Influencer.objects.count() == 10_000
    assert Channel.objects.count() == 20_000
    assert Influencer.history.filter(history_type="+").count() == 10_000  # 2,500 by hand above, 7,500 imported
    assert Influencer.history.filter(history_type="~").count() == 2_500


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram (GIN) indexes")
def test_the_trigram_indexes_file_the_imported_entries_once_at_the_end_and_get_their_usual_limit_back(alice):
    rows = numbered_rows(csv_rows(decode_csv(many(50))))

    with CaptureQueriesContext(connection) as queries:
        influencers_import(rows=rows, by=alice)

    assert sum("gin_clean_pending_list" in query["sql"] for query in queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW gin_pending_list_limit")
        assert cursor.fetchone() == ("4MB",)
    assert sorted(Influencer.objects.filter(name__icontains="person 4").values_list("name", flat=True)) == [
        "Person 4",
        *(f"Person {n}" for n in range(40, 50)),
    ]
    assert Channel.objects.filter(handle__icontains="tube4").count() == 11


# --- The job's page ----------------------------------------------------------------------------------------------


def test_a_manager_sees_the_job_page_polling_its_progress_without_any_inline_script(client, alice):
    job = job_for(alice, many(10))
    client.force_login(alice)

    page = client.get(reverse("admin:crm_importjob_change", args=[job.pk])).content.decode()

    progress_url = reverse("admin:crm_importjob_progress", args=[job.pk])
    assert f'hx-get="{progress_url}" hx-trigger="every 1s"' in page
    assert "Waiting for a worker to start the import…" in page
    inline = [tag for tag in re.findall(r"<script\b[^>]*>", page) if "src=" not in tag]
    assert inline == []


def test_the_progress_fragment_shows_rows_checked_then_stops_polling_once_done(client, alice):
    job = job_for(alice, many(10))
    ImportJob.objects.filter(pk=job.pk).update(status="running", total=10, processed=4)
    client.force_login(alice)
    url = reverse("admin:crm_importjob_progress", args=[job.pk])

    running = client.get(url).content.decode()
    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    run(job)
    done = client.get(url).content.decode()

    assert "4 of 10 rows checked…" in running and 'value="40"' in running and "hx-trigger" in running
    assert "Done: 10 people added, 0 updated." in done and "hx-trigger" not in done


def test_a_failed_job_page_lists_the_rows_in_error(client, alice):
    job = run(job_for(alice, BAD.encode()))
    client.force_login(alice)

    page = client.get(reverse("admin:crm_importjob_change", args=[job.pk])).content.decode()

    assert "Rows with errors: 3" in page
    assert "<td>2</td>" in page and "Enter a valid email address." in page
    assert "A new person needs a name." in page


@pytest.mark.parametrize("who", ["bob", "carol"])
def test_a_marketer_or_a_viewer_cannot_upload_or_watch_an_import(client, alice, who, request):
    job = job_for(alice, many(3))
    member = request.getfixturevalue(who)
    member.is_staff = True  # even let into the admin, the role has no permission on imports
    member.save()
    client.force_login(member)

    assert client.get(reverse("admin:crm_importjob_add")).status_code == 403
    assert client.post(reverse("admin:crm_importjob_add"), {"file": upload(many(3))}).status_code == 403
    assert client.get(reverse("admin:crm_importjob_change", args=[job.pk])).status_code == 403
    assert client.get(reverse("admin:crm_importjob_progress", args=[job.pk])).status_code == 403
    assert client.get(reverse("admin:crm_influencer_import")).status_code == 403
    assert ImportJob.objects.count() == 1


def test_a_marketer_outside_the_admin_is_sent_to_its_login(client, alice, bob):
    job = job_for(alice, many(3))
    client.force_login(bob)

    response = client.get(reverse("admin:crm_importjob_change", args=[job.pk]))

    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_history_the_database_copies_holds_each_person_as_written_by_the_importer(alice):
    known = person("H. Dupré", email="HELENE@exemple.fr", channels=[("instagram", "Helene.D")], city="")

    run(job_for(alice, PEOPLE.encode()))

    fields = ["name", "email", "kind", "language", "city", "region", "country", "owner_id", "cadence_days"]
    fields += ["next_contact_due", "created_at", "updated_at"]
    for someone in Influencer.objects.all():
        latest = someone.history.latest()
        assert [getattr(latest, f) for f in fields] == [getattr(someone, f) for f in fields]
        assert (latest.history_type, latest.history_user) == ("~" if someone == known else "+", alice)
    assert Influencer.history.count() == 1 + 3  # known's "+" by hand, then "~"; two people added
