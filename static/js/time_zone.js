// The sign-up form, enhanced: its time zone select (marked data-detect-time-zone by the
// server while the form is fresh) starts on the zone the browser reports. Browsers may
// report an older name for a zone ("Asia/Calcutta" for "Asia/Kolkata"), so when no option
// carries the reported name, the option the browser resolves to that same zone is chosen.
// Without JavaScript, or when nothing matches, the server's default stays selected.

function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    return "";
  }
}

function resolvesTo(name) {
  try {
    return new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return "";
  }
}

function matchingOption(select, zone) {
  const options = Array.from(select.options);
  return (
    options.find((option) => option.value === zone) ||
    options.find((option) => option.value && resolvesTo(option.value) === zone) ||
    null
  );
}

const zone = browserTimeZone();
if (zone) {
  for (const select of document.querySelectorAll("select[data-detect-time-zone]")) {
    const option = matchingOption(select, zone);
    if (option) option.selected = true;
  }
}
