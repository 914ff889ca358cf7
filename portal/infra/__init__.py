"""Infrastructure the services and pages stand on: the file store, mail, signed tokens, links,
request timing, Markdown, time, spreadsheets and the ESPD criterion list."""
