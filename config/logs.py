"""What the console shows: one line per request or task, and a refusal as a line, not a crash."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """A 4xx is the app answering as designed (a viewer refused, a page that is not there): Django logs it with
    the exception that made it, and a viewer's 403 read as a 15-line traceback. The one line says it all."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 0) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
