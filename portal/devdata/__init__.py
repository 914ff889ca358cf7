"""Development data: the demo (`flask --app portal seed-demo`) and national-scale generated data
(`flask --app portal demo generate`)."""
