"use strict";
// django-celery-beat's periodic-task form: hide the raw translation field and show, under the crontab choice, the
// crontab in words. Its own template does this in an inline script, which our Content Security Policy refuses.
{
  const originalHelp = document.currentScript.dataset.crontabHelp;
  const readableCrontabs = JSON.parse(document.getElementById("readable-crontabs").textContent);
  const $ = django.jQuery;

  $(".field-crontab_translation").hide();
  $(".field-crontab").on("change", () => {
    const help = document.querySelector(".field-crontab .help");
    if (!help) return;
    help.replaceChildren(
      document.createTextNode(originalHelp),
      document.createElement("br"),
      document.createTextNode(`Translation: ${readableCrontabs[$("#id_crontab").val()]}`),
    );
  });
}
